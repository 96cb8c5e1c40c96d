//! Temporary harness for `cmd/sbom.rs` until main.rs wires `palisade sbom` in.
#[path = "../src/cmd/sbom.rs"]
mod sbom;

use clap::Parser;

/// palisade (sbom subcommand only)
#[derive(Parser)]
#[command(name = "palisade sbom")]
struct Cli {
    #[command(flatten)]
    args: sbom::SbomArgs,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match sbom::run(cli.args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
