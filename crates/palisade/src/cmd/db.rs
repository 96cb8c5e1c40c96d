//! `palisade db`: the offline advisory index.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

const DB_EXAMPLES: &str = "Examples:
  palisade db import ../shared/advisories
  palisade db import osv/PyPI/all.zip rustsec/advisory-db.tar.gz --db .palisade-db
  palisade db status --db .palisade-db";

const IMPORT_EXAMPLES: &str = "Examples:
  # everything under a directory: OSV JSON, JSON Lines(.gz), all.zip, RustSec
  palisade db import ../shared/advisories
  # osv-scanner's offline layout and the RustSec database archive
  palisade db import ~/osv/osv-scalibr/npm/all.zip advisory-db.tar.gz --db ./db
  # add a source to the index already there
  palisade db import --add ../shared/advisories/ossf-malicious --db ./db

The index replaces the previous one atomically (an interrupted import leaves the
previous index usable); with --add the new index holds the previous one's records too. Default place: $PALISADE_DB, else $XDG_CACHE_HOME/palisade/db,
else ~/.cache/palisade/db. No network access.
Exit status: 0 imported, 1 imported but some records could not be read, 2 error.";

const STATUS_EXAMPLES: &str = "Examples:
  palisade db status
  palisade db status --db ./db --format json";

/// The offline advisory index.
#[derive(clap::Args, Debug)]
#[command(after_help = DB_EXAMPLES)]
pub struct DbArgs {
    #[command(subcommand)]
    command: DbCommand,
}

#[derive(clap::Subcommand, Debug)]
enum DbCommand {
    /// Build the index from OSV / RustSec / OSSF malicious-package sources.
    #[command(after_help = IMPORT_EXAMPLES)]
    Import(ImportArgs),
    /// Sources, counts per ecosystem and age of the index.
    #[command(after_help = STATUS_EXAMPLES)]
    Status(StatusArgs),
}

#[derive(clap::Args, Debug)]
struct ImportArgs {
    /// Directories, files or archives to import.
    #[arg(required = true, value_name = "SOURCE")]
    sources: Vec<PathBuf>,
    /// Index directory.
    #[arg(long, value_name = "DIR")]
    db: Option<PathBuf>,
    /// Add to the current index instead of replacing it (still one atomic switch).
    #[arg(long)]
    add: bool,
    /// Accepted for compatibility: imports only read local files.
    #[arg(long)]
    offline: bool,
}

#[derive(clap::Args, Debug)]
struct StatusArgs {
    /// Index directory.
    #[arg(long, value_name = "DIR")]
    db: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: StatusFormat,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum StatusFormat {
    Table,
    Json,
}

/// Runs `palisade db ...`.
pub fn run(args: DbArgs, g: &crate::util::Globals) -> anyhow::Result<ExitCode> {
    match args.command {
        DbCommand::Import(a) => import(a, g),
        DbCommand::Status(a) => status(a),
    }
}

fn import(a: ImportArgs, g: &crate::util::Globals) -> anyhow::Result<ExitCode> {
    let db = a.db.unwrap_or_else(palisade_advisory::index::default_dir);
    let started = std::time::Instant::now();
    let mut imp = palisade_advisory::import::Importer::default();
    for s in &a.sources {
        imp.add(s)?;
    }
    let entries = std::mem::take(&mut imp.entries);
    let meta = if a.add {
        palisade_advisory::index::write_added(&db, entries, imp.stats)
    } else {
        palisade_advisory::index::write(&db, entries, imp.stats)
    }
    .with_context(|| format!("writing the index at {}", db.display()))?;
    let mut errors = 0;
    for s in &meta.sources {
        g.info(format!(
            "{}: {} files, {} records ({} withdrawn), {} skipped, {} errors",
            s.path, s.files, s.records, s.withdrawn, s.skipped, s.error_count
        ));
        for e in &s.errors {
            eprintln!("  error: {e}");
        }
        errors += s.error_count;
    }
    let total: usize = meta.ecosystems.values().map(|c| c.advisories).sum();
    g.info(format!(
        "index {} ({}): {total} advisories in {} ecosystems, {} duplicates merged, in {:.1}s",
        db.display(),
        &meta.digest[..12],
        meta.ecosystems.len(),
        meta.duplicates,
        started.elapsed().as_secs_f64()
    ));
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn status(a: StatusArgs) -> anyhow::Result<ExitCode> {
    let db = a.db.unwrap_or_else(palisade_advisory::index::default_dir);
    let index = palisade_advisory::Index::open(&db)?;
    let m = &index.meta;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let age_days = now.saturating_sub(m.created_epoch) / 86_400;
    let mut out = std::io::stdout().lock();
    match a.format {
        StatusFormat::Json => {
            let v = serde_json::json!({
                "db": db.display().to_string(),
                "created": m.created,
                "age_days": age_days,
                "digest": m.digest,
                "sources": m.sources,
                "ecosystems": m.ecosystems,
                "duplicates": m.duplicates,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        StatusFormat::Table => {
            writeln!(out, "index:   {}", db.display())?;
            writeln!(out, "created: {} ({age_days} days ago)", m.created)?;
            writeln!(out, "digest:  {}", m.digest)?;
            writeln!(out, "sources:")?;
            for s in &m.sources {
                writeln!(
                    out,
                    "  {} ({} records, {} withdrawn, {} errors)",
                    s.path, s.records, s.withdrawn, s.error_count
                )?;
            }
            writeln!(
                out,
                "{:<14} {:>10} {:>10} {:>10}",
                "ecosystem", "advisories", "packages", "malicious"
            )?;
            for (eco, c) in &m.ecosystems {
                writeln!(
                    out,
                    "{eco:<14} {:>10} {:>10} {:>10}",
                    c.advisories, c.packages, c.malicious
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
