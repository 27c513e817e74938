//! Database URLs: `sqlite://FILE` or `postgres://…`. Nothing else is guessed.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, PartialEq, Eq)]
pub enum DbUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl std::fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DbUrlError {
    #[error("invalid database URL {0:?}: expected sqlite://FILE or postgres://USER@HOST/DB")]
    Scheme(String),
    #[error("invalid database URL {0:?}: the SQLite file name is empty")]
    EmptyPath(String),
    #[error("invalid database URL {0:?}: {1}")]
    Malformed(String, String),
    #[error("database folder {0} does not exist (check COMMUNE_DATABASE_URL)")]
    NoFolder(String),
    #[error("database file {0} does not exist: run `commune migrate` first, or check COMMUNE_DATABASE_URL")]
    Missing(String),
}

impl DbUrl {
    pub fn parse(url: &str) -> Result<Self, DbUrlError> {
        let url = url.trim();
        if let Some(rest) = url.strip_prefix("sqlite://") {
            let path = rest.split('?').next().unwrap_or("");
            if path.is_empty() {
                return Err(DbUrlError::EmptyPath(url.into()));
            }
            let path = PathBuf::from(path);
            let folder = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => Path::new(".").to_path_buf(),
            };
            if !folder.is_dir() {
                return Err(DbUrlError::NoFolder(folder.display().to_string()));
            }
            return Ok(DbUrl::Sqlite(path));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let parsed = ::url::Url::parse(url)
                .map_err(|e| DbUrlError::Malformed(redact(url), e.to_string()))?;
            if parsed.host_str().unwrap_or("").is_empty() {
                return Err(DbUrlError::Malformed(redact(url), "no host".into()));
            }
            return Ok(DbUrl::Postgres(url.into()));
        }
        Err(DbUrlError::Scheme(redact(url)))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbUrl::Sqlite(_) => Backend::Sqlite,
            DbUrl::Postgres(_) => Backend::Postgres,
        }
    }

    /// The URL with any password hidden, for messages and logs.
    pub fn redacted(&self) -> String {
        match self {
            DbUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            DbUrl::Postgres(u) => redact(u),
        }
    }
}

/// Hides a password even when the URL is too broken to parse.
fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[scheme_end..];
    match (rest.find('@'), rest.find(':')) {
        (Some(at), Some(colon)) if colon < at => {
            format!(
                "{}{}:***{}",
                &url[..scheme_end],
                &rest[..colon],
                &rest[at..]
            )
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_a_file_in_an_existing_folder() {
        assert_eq!(
            DbUrl::parse("sqlite://commune.db").unwrap(),
            DbUrl::Sqlite("commune.db".into())
        );
        let dir = std::env::temp_dir();
        let url = format!("sqlite://{}/x.db", dir.display());
        assert_eq!(DbUrl::parse(&url).unwrap().backend(), Backend::Sqlite);
    }

    #[test]
    fn a_sqlite_file_in_a_missing_folder_is_refused() {
        let err = DbUrl::parse("sqlite:///no/such/folder/commune.db").unwrap_err();
        assert_eq!(err, DbUrlError::NoFolder("/no/such/folder".into()));
    }

    #[test]
    fn postgres_urls_are_recognised_by_scheme() {
        for u in [
            "postgres://postgres@127.0.0.1:5432/x",
            "postgresql://u@h/db",
        ] {
            assert_eq!(DbUrl::parse(u).unwrap().backend(), Backend::Postgres);
        }
    }

    #[test]
    fn other_schemes_and_bare_paths_are_refused() {
        for u in [
            "mysql://h/db",
            "commune.db",
            "",
            "sqlite:commune.db",
            "sqlite://",
        ] {
            assert!(DbUrl::parse(u).is_err(), "{u} should be refused");
        }
    }

    #[test]
    fn errors_never_show_a_password() {
        let err = DbUrl::parse("postgres://u:secret@/db")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secret"), "{err}");
    }
}
