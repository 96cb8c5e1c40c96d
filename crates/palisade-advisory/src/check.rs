//! One whole check: packages from lockfiles, matched against the index and judged by
//! the policy. Shared by `palisade check` and the audit's materials controls.

use std::collections::BTreeMap;
use std::path::PathBuf;

use palisade_lockfile::{Format, Lockfile, Package};

use crate::AdvisoryError;
use crate::index::Index;
use crate::matcher::{Finding, PackageRef, Unchecked};
use crate::policy::{self, CheckConfig, LicenceIssue, SourceFacts, SourceIssue, Verdict};
use crate::severity::Level;
use crate::vex::{self, VexStatement};

/// Lockfile formats that record a digest per package.
pub fn format_records_hashes(f: Format) -> bool {
    matches!(
        f,
        Format::NpmLock
            | Format::YarnLock
            | Format::PnpmLock
            | Format::BunLock
            | Format::Requirements
            | Format::PipfileLock
            | Format::PoetryLock
            | Format::UvLock
            | Format::PdmLock
            | Format::PyLock
            | Format::CargoLock
            | Format::GoSum
            | Format::NuGetLock
            | Format::MixLock
            | Format::PubspecLock
    )
}

/// A local package (path dependency, workspace member, `file:` version): not a
/// third-party download, so neither matched nor held to the sources policy.
pub fn is_local(p: &Package) -> bool {
    let local_prefixes = ["file:", "link:", "workspace:", "portal:"];
    if p.version
        .as_deref()
        .is_some_and(|v| local_prefixes.iter().any(|l| v.starts_with(l)))
    {
        return true;
    }
    match &p.source {
        Some(s) => ["path+", "file:", "link:", "workspace:", "portal:"]
            .iter()
            .any(|prefix| s.starts_with(prefix)),
        None => p.ecosystem == palisade_lockfile::Ecosystem::Cargo,
    }
}

/// The packages to check, with what the policy needs.
#[derive(Debug, Default, Clone)]
pub struct Inputs {
    /// Distinct third-party packages (ecosystem, name, version), with every location.
    pub packages: Vec<PackageRef>,
    /// Sources and hashes, one per lockfile entry.
    pub facts: Vec<SourceFacts>,
    /// Declared licences.
    pub licences: Vec<(PackageRef, Vec<String>)>,
    /// Packages whose licence could not be found, with why: licence problems whenever a
    /// licence policy is set.
    pub unknown_licences: Vec<(PackageRef, String)>,
    /// Files that could not be read: nothing in them was checked.
    pub unreadable: Vec<Unchecked>,
    index: BTreeMap<(String, String, Option<String>), usize>,
}

fn key(p: &PackageRef) -> (String, String, Option<String>) {
    (p.ecosystem.clone(), p.name.clone(), p.version.clone())
}

impl Inputs {
    /// Adds the packages of one lockfile, recorded as `shown` (a relative path).
    pub fn add_lockfile(&mut self, shown: &str, lock: &Lockfile) {
        let file_has_hashes = lock.packages.iter().any(|p| !p.hashes.is_empty());
        for p in &lock.packages {
            let loc = match p.line {
                Some(l) => format!("{shown}:{l}"),
                None => shown.to_string(),
            };
            let pref = PackageRef {
                ecosystem: p.ecosystem.name().to_string(),
                name: p.name.clone(),
                version: p.version.clone(),
                purl: p.purl.clone(),
                locations: vec![loc.clone()],
            };
            let local = is_local(p);
            self.facts.push(SourceFacts {
                package: pref.clone(),
                source: p.source.clone(),
                hashes: p.hashes.len(),
                format_has_hashes: format_records_hashes(lock.format) || file_has_hashes,
                local,
            });
            if !p.licenses.is_empty() {
                self.licences.push((pref.clone(), p.licenses.clone()));
            }
            if !local {
                self.add_package(pref);
            }
        }
    }

    /// Adds one component of an SBOM with what the SBOM says about it: licence
    /// expressions, the number of hashes, and its download location or registry
    /// (`None`: the ecosystem's default registry). SBOM formats record hashes, so
    /// `require-hashes` holds every component to one.
    pub fn add_declared(
        &mut self,
        pref: PackageRef,
        licences: &[String],
        hashes: usize,
        download: Option<String>,
    ) {
        self.facts.push(SourceFacts {
            package: pref.clone(),
            source: download,
            hashes,
            format_has_hashes: true,
            local: false,
        });
        if !licences.is_empty() {
            self.licences.push((pref.clone(), licences.to_vec()));
        }
        self.add_package(pref);
    }

    /// Looks up the licences of third-party crates.io packages that have none recorded
    /// in the crates' manifests under `cargo_home` (see [`crate::cargo_licences`]).
    pub fn add_cargo_licences(&mut self, cargo_home: &std::path::Path) {
        use crate::cargo_licences::{CrateLicence, crate_licence};
        let known: std::collections::BTreeSet<_> =
            self.licences.iter().map(|(p, _)| key(p)).collect();
        let mut done = std::collections::BTreeSet::new();
        for f in &self.facts {
            let p = &f.package;
            if f.local || p.ecosystem != "crates.io" || known.contains(&key(p)) {
                continue;
            }
            let Some(v) = p.version.as_deref() else {
                continue;
            };
            if !done.insert(key(p)) {
                continue;
            }
            match crate_licence(cargo_home, &p.name, v) {
                CrateLicence::Expression(l) => self.licences.push((p.clone(), vec![l])),
                CrateLicence::Unknown(why) => self.unknown_licences.push((p.clone(), why)),
            }
        }
    }

    /// Adds one package (merging locations with an equal one).
    pub fn add_package(&mut self, pref: PackageRef) {
        match self.index.get(&key(&pref)) {
            Some(&i) => {
                let locs = &mut self.packages[i].locations;
                for l in pref.locations {
                    if !locs.contains(&l) {
                        locs.push(l);
                    }
                }
                locs.sort();
            }
            None => {
                self.index.insert(key(&pref), self.packages.len());
                self.packages.push(pref);
            }
        }
    }

    /// Records a lockfile that could not be read.
    pub fn add_unreadable(&mut self, shown: &str, error: &str) {
        self.unreadable.push(Unchecked {
            package: PackageRef {
                ecosystem: "file".into(),
                name: shown.to_string(),
                version: None,
                purl: format!("file:{shown}"),
                locations: vec![shown.to_string()],
            },
            reason: format!("unreadable lockfile: {error}"),
        });
    }
}

/// Everything a check found, judged.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Findings with their verdict and the VEX statement that applied, if any.
    pub judged: Vec<(Finding, Verdict, Option<VexStatement>)>,
    /// Licence problems.
    pub licences: Vec<LicenceIssue>,
    /// Sources and hash problems.
    pub sources: Vec<SourceIssue>,
    /// What could not be checked.
    pub unchecked: Vec<Unchecked>,
    /// Packages checked completely.
    pub checked: usize,
    /// Packages in all.
    pub packages: usize,
    /// Whether unchecked packages are accepted.
    pub allow_unchecked: bool,
    /// The index's digest.
    pub index_digest: String,
    /// When the index was built.
    pub index_created: String,
    /// The index directory.
    pub db: PathBuf,
}

impl Outcome {
    /// Whether the policy failed.
    pub fn failed(&self) -> bool {
        self.vulnerabilities_failed() || !self.licences.is_empty() || !self.sources.is_empty()
    }

    /// Whether the vulnerability part failed (failing findings, or unchecked packages
    /// not allowed).
    pub fn vulnerabilities_failed(&self) -> bool {
        self.judged.iter().any(|(_, v, _)| v.fails())
            || (!self.unchecked.is_empty() && !self.allow_unchecked)
    }
}

/// Runs the check: match, judge, licences, sources. `today` is `YYYY-MM-DD`.
pub fn evaluate(
    index: &Index,
    db: PathBuf,
    inputs: &Inputs,
    cfg: &CheckConfig,
    today: &str,
) -> Result<Outcome, AdvisoryError> {
    let report = crate::matcher::check_packages(index, &inputs.packages)?;
    let mut statements = Vec::new();
    for v in &cfg.vex {
        let bytes = palisade_io::read_limited(v, vex::MAX_VEX_BYTES)?;
        statements.extend(vex::read(&v.display().to_string(), &bytes)?);
    }
    let threshold = cfg
        .severity_threshold
        .as_deref()
        .map(str::parse::<Level>)
        .transpose()
        .map_err(|e| AdvisoryError::format("severity threshold", e))?;
    let judged = report
        .findings
        .into_iter()
        .map(|f| {
            let v = policy::judge(&f, threshold, &cfg.ignore, &statements, today);
            let s = statements.iter().find(|s| s.suppresses(&f)).cloned();
            (f, v, s)
        })
        .collect();
    let mut licences = Vec::new();
    if !cfg.allow_licences.is_empty() || !cfg.deny_licences.is_empty() {
        let parse = |l: &Vec<String>| {
            l.iter()
                .map(|s| policy::LicenceRule::parse(s))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| AdvisoryError::format("licence policy", e))
        };
        let allow = parse(&cfg.allow_licences)?;
        let deny = parse(&cfg.deny_licences)?;
        for (p, ls) in &inputs.licences {
            for l in ls {
                if let Some(problem) = policy::judge_licence(l, &allow, &deny) {
                    licences.push(LicenceIssue {
                        package: p.clone(),
                        licence: l.clone(),
                        problem,
                    });
                }
            }
        }
        for (p, why) in &inputs.unknown_licences {
            licences.push(LicenceIssue {
                package: p.clone(),
                licence: String::new(),
                problem: format!("licence unknown: {why}"),
            });
        }
        licences.sort();
        licences.dedup();
    }
    let sources = policy::check_sources(&inputs.facts, &cfg.allowed_registries, cfg.require_hashes);
    let mut unchecked = inputs.unreadable.clone();
    unchecked.extend(report.unchecked);
    Ok(Outcome {
        judged,
        licences,
        sources,
        unchecked,
        checked: report.checked,
        packages: inputs.packages.len(),
        allow_unchecked: cfg.allow_unchecked,
        index_digest: index.meta.digest.clone(),
        index_created: index.meta.created.clone(),
        db,
    })
}
