//! Integration tests of the voting engine: real elections, properties on
//! random ones, the `.pb` files and the `commune tally` command.

mod cli;
mod conformance;
mod pb_files;
mod properties;

use std::path::PathBuf;

use commune::voting::{read_pb_file, Election};

pub fn data_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file)
}

pub fn load(file: &str) -> Election {
    read_pb_file(&data_path(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Project ids, in order, for a list of project indexes.
pub fn ids(e: &Election, projects: &[usize]) -> Vec<String> {
    projects.iter().map(|&p| e.projects[p].id.clone()).collect()
}
