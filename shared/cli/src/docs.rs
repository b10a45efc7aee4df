//! `guardrail docs`: regenerate docs/rules/*.md and the README's rule table from the rules'
//! metadata (a test fails when they are stale).

use guardrail_rules::rules::{docs, ALL};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Repository root.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

pub fn run(args: &Args) -> Result<ExitCode, crate::error::CliError> {
    let dir = args.root.join("docs/rules");
    let io = |path: &PathBuf, source| crate::error::CliError::Read {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    for meta in ALL {
        let path = dir.join(format!("{}.md", meta.id));
        std::fs::write(&path, docs::page(meta)).map_err(|e| io(&path, e))?;
    }
    let readme = args.root.join("README.md");
    let text = std::fs::read_to_string(&readme).map_err(|e| io(&readme, e))?;
    match docs::splice_readme(&text) {
        Some(new) => std::fs::write(&readme, new).map_err(|e| io(&readme, e))?,
        None => eprintln!("guardrail: README.md has no rules markers; table not written"),
    }
    println!(
        "wrote {} rule pages and the README function and rule tables",
        ALL.len()
    );
    Ok(ExitCode::SUCCESS)
}
