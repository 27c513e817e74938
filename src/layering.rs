//! The one-way arrows of the code, checked on its sources (see `ARCHITECTURE.md`):
//! web and the command line → domains → shared modules → the database.
//!
//! - No module but `web`, `cli` and `startup` uses `crate::web`.
//! - No shared module uses a domain.
//! - No two modules use each other: neither two top-level modules, nor two modules of
//!   one domain.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The domains: each owns its tables and talks to the others through small functions.
const DOMAINS: &[&str] = &["revenue", "participation", "budget", "voting"];

/// Modules every domain may use, which use no domain.
const SHARED: &[&str] = &[
    "accounts", "audit", "communes", "notify", "db", "i18n", "text", "fields", "tabular", "money",
    "ids", "error", "config",
];

/// Modules that may use the web layer.
const WEB_USERS: &[&str] = &["web", "cli", "startup"];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a source file below `src/`: `revenue/payments/mod.rs` is
/// `["revenue", "payments"]`, `i18n.rs` is `["i18n"]`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().to_string())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" && stem != "main" {
        parts.push(stem.to_string());
    }
    parts
}

/// The code of a file without its comments.
fn code(src: &str) -> String {
    src.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::a::b` a file names, as `[a, b]` (`b` empty when there is none).
fn crate_paths(code: &str) -> Vec<[String; 2]> {
    code.split("crate::")
        .skip(1)
        .map(|rest| {
            let mut names = rest.split("::").map(|n| {
                n.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<String>()
            });
            [
                names.next().unwrap_or_default(),
                names.next().unwrap_or_default(),
            ]
        })
        .collect()
}

/// Who uses whom: top-level modules, and the modules inside each domain.
fn uses() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files.iter().filter(|f| !f.ends_with("layering.rs")) {
        let module = module_of(file.strip_prefix(&root).unwrap());
        let Some(top) = module.first() else { continue };
        let text = code(&std::fs::read_to_string(file).unwrap());
        let inner = module.get(1).filter(|_| DOMAINS.contains(&top.as_str()));
        for [a, b] in crate_paths(&text) {
            if a.is_empty() || a == *top && inner.is_none() {
                continue;
            }
            if a == *top {
                // Inside a domain: one of its modules using another.
                if let Some(inner) = inner.filter(|i| !b.is_empty() && **i != b) {
                    graph
                        .entry(format!("{top}::{inner}"))
                        .or_default()
                        .insert(format!("{top}::{b}"));
                }
                continue;
            }
            graph.entry(top.clone()).or_default().insert(a.clone());
        }
        // `super::x` in a domain's direct module names a sibling.
        if let (Some(inner), 2) = (inner, module.len()) {
            for rest in text.split("super::").skip(1) {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let sibling = root.join(top).join(format!("{name}.rs"));
                let folder = root.join(top).join(&name).join("mod.rs");
                if name != *inner && (sibling.is_file() || folder.is_file()) {
                    graph
                        .entry(format!("{top}::{inner}"))
                        .or_default()
                        .insert(format!("{top}::{name}"));
                }
            }
        }
    }
    graph
}

#[test]
fn only_the_web_layer_the_command_line_and_startup_use_the_web_layer() {
    let wrong: Vec<String> = uses()
        .into_iter()
        .filter(|(m, used)| used.contains("web") && !WEB_USERS.contains(&m.as_str()))
        .map(|(m, _)| m)
        .collect();
    assert!(wrong.is_empty(), "these modules use crate::web: {wrong:?}");
}

#[test]
fn no_shared_module_uses_a_domain() {
    let graph = uses();
    for shared in SHARED {
        let used = graph.get(*shared).cloned().unwrap_or_default();
        let domains: Vec<&String> = used
            .iter()
            .filter(|u| DOMAINS.contains(&u.as_str()))
            .collect();
        assert!(domains.is_empty(), "{shared} uses {domains:?}");
    }
}

#[test]
fn no_two_modules_use_each_other() {
    let graph = uses();
    let mut pairs = Vec::new();
    for (a, used) in &graph {
        for b in used {
            if a < b && graph.get(b).is_some_and(|back| back.contains(a)) {
                pairs.push(format!("{a} <-> {b}"));
            }
        }
    }
    assert!(pairs.is_empty(), "modules that use each other: {pairs:?}");
    // The scan sees the code: the domain's modules and the shared ones are there.
    assert!(graph.contains_key("revenue::payments"), "{graph:?}");
    assert!(graph["revenue::payments"].contains("revenue::ledger"));
}
