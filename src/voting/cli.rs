//! Placeholder until the voting engine lands (issue 3, branch `voting`).

#[derive(clap::Args, Debug)]
pub struct TallyArgs {
    /// The pabulib `.pb` file.
    pub file: std::path::PathBuf,
}

pub fn run(_args: &TallyArgs) -> anyhow::Result<()> {
    anyhow::bail!("the voting engine is not merged yet")
}
