//! The `palisade` command line: argument parsing, rendering and exit codes only.
//!
//! Every command's logic lives in a library crate under `crates/`; this binary wires
//! them together. Exit codes: 0 ok, 1 findings or failed verification, 2 usage or input
//! error (clap's own usage errors exit 2 as well).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `println!` for the command's output: a reader that went away (`palisade ... | head`)
/// ends the process quietly with 141 (128 + SIGPIPE, what a shell reports for a command
/// killed by it) instead of a panic; any other write error is an error (exit 2).
macro_rules! outln {
    () => { $crate::util::write_out(format_args!(""), true) };
    ($($arg:tt)*) => { $crate::util::write_out(format_args!($($arg)*), true) };
}

/// `print!` for the command's output, with [`outln!`]'s handling of a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => { $crate::util::write_out(format_args!($($arg)*), false) };
}

mod cmd;
mod util;

// mimalloc instead of glibc's malloc: the lockfile readers, the SBOM writers and the
// scanners make hundreds of thousands of small allocations. Measured on `sbom generate`
// over all of ../shared/lockfiles: 11% less CPU than glibc. Built without its
// transparent-huge-page advice (`no_thp`): with it, the kernel zeroes a whole 2 MiB page
// at each first touch, and system time tripled.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Software supply chain security in one binary.
#[derive(Parser)]
#[command(
    name = "palisade",
    version,
    about = "Software supply chain security in one binary",
    long_about = "Palisade puts the CNCF Software Supply Chain Best Practices into practice: \
keys and signatures, DSSE envelopes and in-toto attestations, and (as they land) source, \
materials, build, artefact and deployment controls.",
    after_help = "Examples:
  palisade audit
  palisade key generate --type ed25519 --out release
  palisade attest --subject dist/app.tar.gz --predicate-type https://example.com/review/v1 \\
      --predicate '{\"approved\":true}' --key release --bundle app.intoto.jsonl
  palisade attest verify --bundle app.intoto.jsonl --subject dist/app.tar.gz --key release.pub

Exit codes: 0 ok, 1 findings or failed verification, 2 usage or input error."
)]
struct Cli {
    /// Print nothing but results and errors.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Audit a repository against every control of the supply chain best practices.
    Audit(cmd::audit::AuditArgs),
    /// Generate keys and compute securesystemslib key ids.
    Key(cmd::key::KeyArgs),
    /// Sign and verify DSSE envelopes.
    Dsse(cmd::dsse::DsseArgs),
    /// Sign in-toto statements into attestation bundles, and verify them.
    Attest(cmd::attest::AttestArgs),
    /// Read lockfiles and write deterministic CycloneDX / SPDX SBOMs.
    Sbom(cmd::sbom::SbomArgs),
    /// Check dependencies against the offline advisory index and the materials policy.
    Check(cmd::check::CheckArgs),
    /// The offline advisory index: import OSV / RustSec / malicious-package data.
    Db(cmd::db::DbArgs),
    /// Record in-toto links, write and sign layouts, verify a supply chain.
    Intoto(cmd::intoto::IntotoArgs),
    /// Verify signed commits, tags and merges against an allowed-signers policy.
    Verify(cmd::verify::VerifyArgs),
    /// Git server hooks: a pre-receive gate on signed commits.
    Hook(cmd::hook::HookArgs),
    /// Check CODEOWNERS: syntax, dead rules, unowned paths, required approvers.
    Codeowners(cmd::codeowners::CodeownersArgs),
    /// The Update Framework: build and sign a repository; a client that verifies one.
    Tuf(cmd::tuf::TufArgs),
    /// Save the forge's answers (branch protection, reviews, MFA, roles) for an offline audit.
    Forge(cmd::forge::ForgeCmd),
    /// Audit CI definitions (GitHub Actions, GitLab CI) and the organisation's template.
    Ci(cmd::ci::CiArgs),
    /// Find secrets in the tree, the index, all of history and pushes.
    Secrets(cmd::secrets::SecretsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let globals = util::Globals { quiet: cli.quiet };
    let result = match cli.command {
        Command::Audit(a) => cmd::audit::run(a, &globals),
        Command::Key(a) => cmd::key::run(a, &globals),
        Command::Dsse(a) => cmd::dsse::run(a, &globals),
        Command::Attest(a) => cmd::attest::run(a, &globals),
        Command::Sbom(a) => cmd::sbom::run(a),
        Command::Check(a) => cmd::check::run(a, &globals),
        Command::Db(a) => cmd::db::run(a, &globals),
        Command::Intoto(a) => cmd::intoto::run(a, &globals),
        Command::Verify(a) => cmd::verify::run(a, &globals),
        Command::Hook(a) => cmd::hook::run(a, &globals),
        Command::Codeowners(a) => cmd::codeowners::run(a, &globals),
        Command::Tuf(a) => cmd::tuf::run(a, &globals),
        Command::Forge(a) => cmd::forge::run(a, &globals),
        Command::Ci(a) => cmd::ci::run(a, &globals),
        Command::Secrets(a) => cmd::secrets::run(a, &globals),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("palisade: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
