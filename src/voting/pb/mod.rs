//! The pabulib `.pb` format (pabulib.org; Faliszewski et al., "Participatory
//! Budgeting: Data, Tools and Analysis", IJCAI 2023): UTF-8, `;`-separated,
//! in three sections, META (`key;value`), PROJECTS (`project_id;cost;...`)
//! and VOTES (`voter_id;vote;...`).
//!
//! Reading keeps unknown META keys and extra columns, so that writing the
//! election back gives an equivalent file. A vote that names a project more
//! than once is read as pabutools reads it, with a [`PbWarning`] (see the
//! `read` module for what each kind of ballot counts).

mod read;
mod record;
mod warning;
mod write;

use std::path::Path;

pub use read::{parse_pb, parse_pb_with_warnings};
pub use warning::{Counted, PbWarning};
pub use write::write_pb;

use super::model::Election;

/// Why a `.pb` file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PbError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The file is malformed at this line (1-based).
    #[error("line {line}: {message}")]
    Invalid { line: usize, message: String },
    #[error("{0}")]
    Incomplete(String),
}

impl PbError {
    pub(crate) fn at(line: usize, message: impl Into<String>) -> PbError {
        PbError::Invalid {
            line,
            message: message.into(),
        }
    }
}

/// Reads and parses a `.pb` file.
pub fn read_pb_file(path: &Path) -> Result<Election, PbError> {
    read_pb_file_with_warnings(path).map(|(election, _)| election)
}

/// Reads and parses a `.pb` file, with the warnings of
/// [`parse_pb_with_warnings`].
pub fn read_pb_file_with_warnings(path: &Path) -> Result<(Election, Vec<PbWarning>), PbError> {
    let bytes = std::fs::read(path).map_err(|source| PbError::Io {
        path: path.display().to_string(),
        source,
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => parse_pb_with_warnings(&text),
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
            Err(PbError::at(line, "the file is not UTF-8 text"))
        }
    }
}

/// Writes an election as a `.pb` file.
pub fn write_pb_file(election: &Election, path: &Path) -> Result<(), PbError> {
    std::fs::write(path, write_pb(election)).map_err(|source| PbError::Io {
        path: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests;
