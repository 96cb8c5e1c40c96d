//! `source.no-secrets`: a tree scan with `palisade-secrets` (baseline subtracted), and
//! whether a pre-commit hook runs a secret scanner. Evidence names path, line and rule,
//! never the secret.

use std::path::Path;

use palisade_report::{Evidence, Status};
use palisade_secrets::{Baseline, Config, tree};

/// Most findings listed as evidence.
const MAX_LISTED: usize = 20;

/// Files that, when they mention a secret scanner, show that new secrets are blocked.
const HOOK_FILES: &[&str] = &[
    ".pre-commit-config.yaml",
    ".pre-commit-config.yml",
    ".git/hooks/pre-commit",
    ".husky/pre-commit",
    "lefthook.yml",
];

/// The pre-commit hook file that runs a secret scanner, if any.
fn hook(root: &Path) -> Option<&'static str> {
    HOOK_FILES.iter().copied().find(|f| {
        palisade_io::read_limited(&root.join(f), 1 << 20).is_ok_and(|b| {
            let t = String::from_utf8_lossy(&b);
            t.contains("palisade-secrets")
                || t.contains("palisade secrets")
                || t.contains("gitleaks")
                || t.contains("trufflehog")
                || t.contains("detect-secrets")
        })
    })
}

pub(crate) fn secrets_control(root: &Path) -> (Status, Vec<Evidence>) {
    let run = || -> Result<_, palisade_secrets::SecretsError> {
        let cfg = Config::load(root)?;
        let scanner = cfg.scanner()?;
        let opts = tree::TreeOptions {
            max_file_size: cfg
                .max_file_size
                .unwrap_or(palisade_secrets::DEFAULT_MAX_FILE_SIZE),
            skip_paths: cfg.skip_paths.clone(),
            ..Default::default()
        };
        let (f, stats) = tree::scan_tree(&scanner, root, &opts, &|_, _| {})?;
        let mut fs = f.into_sorted();
        let base = match &cfg.baseline {
            Some(b) => Some(root.join(b)),
            None => Some(root.join(".palisade/secrets-baseline.json")).filter(|p| p.is_file()),
        };
        if let Some(b) = base {
            Baseline::load(&b)?.subtract(&mut fs);
        }
        Ok((fs, stats))
    };
    let (findings, stats) = match run() {
        Ok(x) => x,
        Err(e) => return (Status::Unknown, vec![Evidence::note(e.to_string())]),
    };
    let mut ev = Vec::new();
    for f in &findings {
        for l in &f.locations {
            if ev.len() >= MAX_LISTED {
                break;
            }
            ev.push(Evidence::at(
                format!("{} (fingerprint {})", f.rule, &f.fingerprint[..16]),
                l.path.clone(),
                Some(l.line),
            ));
        }
    }
    let hook = hook(root);
    if !findings.is_empty() {
        ev.insert(
            0,
            Evidence::note(format!(
                "{} secret(s) in the working tree ({} files scanned)",
                findings.len(),
                stats.files
            )),
        );
        return (Status::Fail, ev);
    }
    ev.push(Evidence::note(format!(
        "no secrets in {} files of the working tree",
        stats.files
    )));
    match hook {
        Some(h) => {
            ev.push(Evidence::at(
                "pre-commit hook runs a secret scanner",
                h,
                None,
            ));
            (Status::Pass, ev)
        }
        None => {
            ev.push(Evidence::note(
                "no pre-commit hook runs a secret scanner (palisade secrets hook install)",
            ));
            (Status::Partial, ev)
        }
    }
}
