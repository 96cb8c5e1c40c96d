//! `palisade audit`: every control of the CNCF Software Supply Chain Best Practices for a
//! repository, with evidence.
//!
//! The catalogue is data (`controls.toml` in this crate, embedded at build time): each
//! control has an id, a phase, a title, the paper's reference, whether a tool can enforce
//! it or only an organisation, the Palisade subsystem (*checker*) that produces its
//! evidence, and a remediation. [`audit`] runs every checker that exists in this version
//! and returns a [`palisade_report::Report`]; a control whose checker has not landed says
//! `unknown` with "not checked by this version", never a guess.
//!
//! Checkers in this version:
//! * `attestations`: in-toto attestation bundles (`*.intoto.jsonl`) in the repository,
//!   their envelopes read and, when trusted keys are configured, their signatures
//!   verified.
//! * `lockfiles`: every lockfile and manifest `palisade-sbom` discovers, parsed by
//!   `palisade-lockfile`; whether they parse, and whether each package is pinned by a
//!   recorded hash.
//! * `in-toto` (for `build.policy-adherence`): in-toto layouts (`*.layout`) in the
//!   repository, read by `palisade-intoto`; their signatures checked against the trusted
//!   keys and their expiry against the clock. The audit does not run the layout's
//!   inspections (commands a repository must not be able to make an auditor run); the
//!   whole chain is `palisade intoto verify`'s job at release time.
//! * `sbom` (for `materials.sbom`): SBOM statements (predicate types
//!   `https://cyclonedx.org/bom`, `https://spdx.dev/Document`) in those bundles, signed by
//!   a trusted key.
//! * `forge` (branch protection, two-party review, MFA, roles, keys): `palisade-forge`,
//!   from the GitHub API with a token, or answers exported earlier (`--forge-data`);
//!   without either, `unknown (needs forge access)` — plus the repository's own half
//!   (a CONTRIBUTING file, remotes that embed credentials).
//! * `manual`: organisational controls a person must check.
//!
//! Not here: rendering (see `palisade-report`), reading `palisade.toml` (the binary does,
//! see [`AuditConfig`]).

mod ci;
mod layouts;
mod sboms;
mod secrets;
mod source;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use palisade_forge::{Access, Assessment, DirApi, Flavour, ForgeRepo, HttpApi, Local};
use palisade_keys::PublicKey;
use palisade_report::{ControlResult, Evidence, Phase, Report, Status, Tool};
use serde::Deserialize;

/// The embedded catalogue.
pub const CATALOGUE: &str = include_str!("../controls.toml");

/// Largest attestation bundle read: 256 MiB.
const BUNDLE_LIMIT: u64 = 256 * 1024 * 1024;
/// Most files looked at while searching for evidence.
const MAX_FILES: usize = 200_000;

/// Errors of the audit itself (not findings).
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The embedded catalogue is malformed (a build defect).
    #[error("control catalogue: {0}")]
    Catalogue(String),
    /// `palisade.toml` is malformed.
    #[error("{path}: {message}")]
    Config {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A control id that the catalogue does not have.
    #[error("unknown control '{0}' (see `palisade audit --list`)")]
    UnknownControl(String),
    /// The repository cannot be read.
    #[error("{0}")]
    Io(String),
}

/// One control of the catalogue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlDef {
    /// Stable id, `phase.name`.
    pub id: String,
    /// The phase.
    pub phase: Phase,
    /// Title.
    pub title: String,
    /// Where the paper asks for it.
    pub paper: String,
    /// `enforce` or `organisational`.
    pub kind: String,
    /// The subsystem that produces the evidence.
    pub checker: String,
    /// What to run or configure.
    pub remediation: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    control: Vec<ControlDef>,
}

/// The catalogue, in order.
pub fn catalogue() -> Result<Vec<ControlDef>, AuditError> {
    let file: CatalogueFile =
        toml::from_str(CATALOGUE).map_err(|e| AuditError::Catalogue(e.to_string()))?;
    let mut seen = BTreeSet::new();
    for c in &file.control {
        let prefix = format!("{}.", c.phase.as_str());
        if !c.id.starts_with(&prefix) || !seen.insert(c.id.clone()) {
            return Err(AuditError::Catalogue(format!(
                "bad or repeated id {}",
                c.id
            )));
        }
    }
    Ok(file.control)
}

/// The `[audit]` table of `palisade.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AuditConfig {
    /// Controls that must pass (exit 1 otherwise).
    #[serde(default)]
    pub require: Vec<String>,
    /// Public keys trusted to sign attestations (paths relative to the repository).
    #[serde(default)]
    pub keys: Vec<String>,
    /// The `[forge]` table.
    #[serde(skip)]
    pub forge: ForgeConfig,
}

/// The `[forge]` table of `palisade.toml`: which forge repository the audit asks about
/// and how strictly.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ForgeConfig {
    /// `owner/name` (or a URL) on the forge, when the remotes do not say.
    pub repo: Option<String>,
    /// `github` or `gitlab`, for a self-hosted forge whose host name does not say.
    pub kind: Option<String>,
    /// API root (e.g. `https://github.example.com/api/v3`).
    pub api: Option<String>,
    /// How many recently merged pull requests are checked for independent review.
    pub pr_limit: Option<usize>,
    /// Most admins before least privilege counts as not met.
    pub max_admins: Option<usize>,
    /// Fewest independent approvals each change needs (default 2).
    pub min_approvals: Option<u64>,
}

#[derive(Deserialize)]
struct ConfigFile {
    #[serde(default)]
    audit: AuditConfig,
    #[serde(default)]
    forge: ForgeConfig,
}

impl AuditConfig {
    /// Reads the `[audit]` table of `palisade.toml` at the repository root (empty when
    /// the file does not exist). Other tables belong to other commands and are ignored.
    pub fn load(repo: &Path) -> Result<AuditConfig, AuditError> {
        let path = repo.join("palisade.toml");
        if !path.exists() {
            return Ok(AuditConfig::default());
        }
        let err = |message: String| AuditError::Config {
            path: path.display().to_string(),
            message,
        };
        let bytes =
            palisade_io::read_limited(&path, 1024 * 1024).map_err(|e| err(e.to_string()))?;
        let text = String::from_utf8(bytes).map_err(|_| err("not UTF-8".into()))?;
        let file: ConfigFile = toml::from_str(&text).map_err(|e| err(e.to_string()))?;
        let mut audit = file.audit;
        audit.forge = file.forge;
        Ok(audit)
    }
}

/// What to audit and with which trust.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only these controls (all when empty).
    pub controls: Vec<String>,
    /// Keys trusted to sign attestations.
    pub keys: Vec<PublicKey>,
    /// Where forge answers come from.
    pub forge: ForgeSource,
}

/// Where the forge controls' answers come from.
#[derive(Debug, Clone, Default)]
pub struct ForgeSource {
    /// Answers exported earlier (`palisade forge export`).
    pub data_dir: Option<PathBuf>,
    /// A token for GitHub's API.
    pub github_token: Option<String>,
    /// A token for GitLab's API.
    pub gitlab_token: Option<String>,
    /// The API root (default: the forge's own, from the repository's host).
    pub api: Option<String>,
    /// The repository on the forge (`owner/name` or URL), if the remotes do not say.
    pub repo: Option<String>,
    /// `github` / `gitlab`, for hosts whose name does not say.
    pub kind: Option<String>,
    /// Never ask the network, even with a token.
    pub offline: bool,
    /// Tunables.
    pub settings: palisade_forge::Settings,
}

/// The forge repository and how to reach it, as `palisade audit` and `palisade forge
/// export` resolve them: `source.repo` or the repository's remotes.
pub fn forge_repo(repo: &Path, source: &ForgeSource) -> Result<ForgeRepo, String> {
    let flavour = match source.kind.as_deref() {
        None => None,
        Some("github") => Some(Flavour::GitHub),
        Some("gitlab") => Some(Flavour::GitLab),
        Some(other) => return Err(format!("unknown forge kind '{other}' (github or gitlab)")),
    };
    if let Some(spec) = &source.repo {
        let url = if spec.contains("://") || spec.contains('@') {
            spec.clone()
        } else {
            let host = match flavour {
                Some(Flavour::GitLab) => "gitlab.com",
                _ => "github.com",
            };
            format!("https://{host}/{spec}")
        };
        return ForgeRepo::from_url(&url, flavour.or(Some(Flavour::GitHub)))
            .ok_or_else(|| format!("'{spec}' does not name a repository on a forge"));
    }
    let remotes = remotes(repo);
    ForgeRepo::from_remotes(&remotes, flavour).ok_or_else(|| {
        if remotes.is_empty() {
            "the repository has no git remote naming its forge (set [forge] repo or --forge-repo)"
                .to_string()
        } else {
            "no git remote points at GitHub or GitLab (set [forge] repo / kind, or --forge-repo)"
                .to_string()
        }
    })
}

fn remotes(repo: &Path) -> Vec<(String, String)> {
    palisade_source::Repo::discover(repo)
        .map(|r| r.remotes())
        .unwrap_or_default()
}

fn forge_assessment(repo: &Path, files: &RepoFiles, source: &ForgeSource) -> Assessment {
    let contributing = files
        .paths
        .iter()
        .filter(|p| {
            let lower = p.to_ascii_lowercase();
            [
                "contributing.md",
                "contributing.rst",
                "contributing.txt",
                "contributing",
            ]
            .iter()
            .any(|n| {
                lower == *n
                    || lower == format!(".github/{n}")
                    || lower == format!("docs/{n}")
                    || lower == format!(".gitlab/{n}")
            })
        })
        .cloned()
        .collect();
    let local = Local {
        contributing,
        remotes: remotes(repo),
    };
    let resolved = forge_repo(repo, source);
    let dir_api;
    let http_api;
    let token = resolved.as_ref().ok().and_then(|r| match r.flavour {
        Flavour::GitHub => source.github_token.clone(),
        Flavour::GitLab => source.gitlab_token.clone(),
    });
    let access = match (&resolved, &source.data_dir, &token) {
        (Err(e), _, _) => Access::None(format!("needs forge access: {e}")),
        (Ok(r), Some(dir), _) => {
            dir_api = DirApi::new(dir);
            Access::Api(&dir_api, r)
        }
        (Ok(_), None, _) if source.offline => {
            Access::None("needs forge access (--offline: the forge's API was not asked)".into())
        }
        (Ok(r), None, Some(token)) => {
            let base = source.api.clone().unwrap_or_else(|| r.default_api());
            http_api = HttpApi::new(r.flavour, &base, Some(token.clone()));
            Access::Api(&http_api, r)
        }
        (Ok(r), None, None) => Access::None(format!(
            "needs forge access: {} on {} (pass {}, or --forge-data DIR from \
             `palisade forge export`)",
            r.path,
            r.host,
            match r.flavour {
                Flavour::GitHub => "--github-token / GITHUB_TOKEN",
                Flavour::GitLab => "--gitlab-token / GITLAB_TOKEN",
            }
        )),
    };
    palisade_forge::assess(access, &local, &source.settings)
}

/// Audits the repository at `repo`.
pub fn audit(repo: &Path, opts: &Options) -> Result<Report, AuditError> {
    let defs = catalogue()?;
    for id in &opts.controls {
        if !defs.iter().any(|d| &d.id == id) {
            return Err(AuditError::UnknownControl(id.clone()));
        }
    }
    if !repo.is_dir() {
        return Err(AuditError::Io(format!(
            "{}: not a directory",
            repo.display()
        )));
    }
    let files = RepoFiles::scan(repo)?;
    let lockfiles = Lockfiles::read(repo);
    let signatures = std::cell::OnceCell::new();
    let forge = std::cell::OnceCell::new();
    let ci = std::cell::OnceCell::new();
    let mut controls = Vec::new();
    for def in defs {
        if !opts.controls.is_empty() && !opts.controls.contains(&def.id) {
            continue;
        }
        let (status, evidence) = match def.checker.as_str() {
            "attestations" => check_attestations(repo, &files, &opts.keys),
            "sbom" if def.id == "materials.sbom" => {
                check_sbom_attestations(repo, &files, &opts.keys)
            }
            "in-toto" if def.id == "build.policy-adherence" => {
                check_layouts(repo, &files, &opts.keys)
            }
            "in-toto" => layouts::control(repo, &files, &def.id),
            "sbom-ingest" => sboms::supplier(repo, &files),
            "sbom" if def.id == "materials.composition-analysis" => {
                sboms::composition(repo, &files, &lockfiles)
            }
            "tuf" => check_tuf(repo, &files, &def.id),
            "lockfiles" => match def.id.as_str() {
                "materials.verify-third-party" => lockfiles.hash_pinning(),
                _ => lockfiles.tracking(),
            },
            "materials-policy" => lockfiles.materials_policy(repo, &def.id),
            "commit-signatures" => signatures
                .get_or_init(|| source::Signatures::gather(repo))
                .control(&def.id),
            "codeowners" => source::codeowners_control(repo),
            "forge" => forge
                .get_or_init(|| forge_assessment(repo, &files, &opts.forge))
                .control(&def.id),
            "ci-audit" => ci
                .get_or_init(|| ci::CiAudit::gather(repo))
                .control(&def.id),
            "secrets" => secrets::secrets_control(repo),
            "manual" => (
                Status::Manual,
                vec![Evidence::note(
                    "organisational control: a person must check it",
                )],
            ),
            other => (
                Status::Unknown,
                vec![Evidence::note(format!(
                    "not checked by this version (no evidence gathered for it yet; subsystem: '{other}')"
                ))],
            ),
        };
        controls.push(ControlResult {
            id: def.id,
            phase: def.phase,
            title: def.title,
            status,
            evidence,
            remediation: def.remediation,
        });
    }
    Ok(Report {
        schema_version: palisade_report::SCHEMA_VERSION.to_string(),
        tool: Tool {
            name: "palisade".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        repository: repo.display().to_string(),
        controls,
    })
}

/// The repository's files (honouring `.gitignore`), relative paths, sorted.
struct RepoFiles {
    paths: Vec<String>,
}

impl RepoFiles {
    fn scan(repo: &Path) -> Result<RepoFiles, AuditError> {
        let mut paths = Vec::new();
        for entry in ignore::WalkBuilder::new(repo)
            .hidden(false)
            .filter_entry(|e| e.file_name() != ".git")
            .build()
        {
            let entry = entry.map_err(|e| AuditError::Io(e.to_string()))?;
            if entry.file_type().is_some_and(|t| t.is_file())
                && let Ok(rel) = entry.path().strip_prefix(repo)
            {
                paths.push(rel.to_string_lossy().replace('\\', "/"));
                if paths.len() >= MAX_FILES {
                    break;
                }
            }
        }
        paths.sort();
        Ok(RepoFiles { paths })
    }

    fn ending_with<'a>(&'a self, suffix: &'a str) -> impl Iterator<Item = &'a String> + 'a {
        self.paths.iter().filter(move |p| p.ends_with(suffix))
    }
}

/// The lockfiles of the repository, read once for every control that needs them.
struct Lockfiles {
    /// `(relative path, parsed or error message)`
    files: Vec<(String, Result<palisade_lockfile::Lockfile, String>)>,
    walk_error: Option<String>,
}

impl Lockfiles {
    fn read(repo: &Path) -> Lockfiles {
        let paths = match palisade_sbom::discover(repo) {
            Ok(p) => p,
            Err(e) => {
                return Lockfiles {
                    files: Vec::new(),
                    walk_error: Some(e.to_string()),
                };
            }
        };
        let wanted: Vec<(PathBuf, Option<palisade_lockfile::Format>)> =
            paths.iter().map(|p| (p.clone(), None)).collect();
        let parsed = palisade_sbom::load(&wanted);
        let files = paths
            .iter()
            .zip(parsed)
            .map(|(p, r)| {
                let rel = p
                    .strip_prefix(repo)
                    .unwrap_or(p)
                    .to_string_lossy()
                    .replace('\\', "/");
                (rel, r.map_err(|e| e.to_string()))
            })
            .collect();
        Lockfiles {
            files,
            walk_error: None,
        }
    }

    fn tracking(&self) -> (Status, Vec<Evidence>) {
        if let Some(e) = &self.walk_error {
            return (Status::Unknown, vec![Evidence::note(e.clone())]);
        }
        if self.files.is_empty() {
            return (
                Status::NotApplicable,
                vec![Evidence::note(
                    "no dependency manifest or lockfile in the repository",
                )],
            );
        }
        let mut evidence = Vec::new();
        let mut broken = false;
        for (rel, r) in &self.files {
            match r {
                Ok(l) => evidence.push(Evidence::at(
                    format!("{:?}: {} packages", l.format, l.coverage.packages),
                    rel.as_str(),
                    None,
                )),
                Err(e) => {
                    broken = true;
                    evidence.push(Evidence::at(
                        format!("cannot be read: {e}"),
                        rel.as_str(),
                        None,
                    ));
                }
            }
        }
        (if broken { Status::Fail } else { Status::Pass }, evidence)
    }

    /// The materials controls run `palisade check`'s logic on the repository's
    /// lockfiles: vulnerabilities need an advisory index (the `db` of `palisade.toml`'s
    /// `[check]`, else the default); licences and trusted sources need their policy in
    /// `[check]`.
    fn materials_policy(&self, repo: &Path, id: &str) -> (Status, Vec<Evidence>) {
        use palisade_advisory::policy::CheckConfig;
        let (status, evidence) = self.tracking();
        if matches!(status, Status::NotApplicable | Status::Unknown) {
            return (status, evidence);
        }
        #[derive(Deserialize, Default)]
        struct PalisadeToml {
            #[serde(default)]
            check: Option<CheckConfig>,
        }
        let toml_path = repo.join("palisade.toml");
        let mut cfg = match std::fs::read_to_string(&toml_path) {
            Ok(text) => match toml::from_str::<PalisadeToml>(&text) {
                Ok(t) => t.check.unwrap_or_default(),
                Err(e) => {
                    return (
                        Status::Unknown,
                        vec![Evidence::at(
                            format!("[check] unreadable: {e}"),
                            "palisade.toml",
                            None,
                        )],
                    );
                }
            },
            Err(_) => CheckConfig::default(),
        };
        cfg.db = cfg
            .db
            .map(|d| if d.is_relative() { repo.join(d) } else { d });
        cfg.vex = cfg
            .vex
            .into_iter()
            .map(|v| if v.is_relative() { repo.join(v) } else { v })
            .collect();
        let configured = match id {
            "materials.licences" => !cfg.allow_licences.is_empty() || !cfg.deny_licences.is_empty(),
            "materials.trusted-repositories" => {
                !cfg.allowed_registries.is_empty() || cfg.require_hashes
            }
            _ => true,
        };
        if !configured {
            return (
                Status::Unknown,
                vec![Evidence::note(match id {
                    "materials.licences" => {
                        "no licence policy: set allow-licences / deny-licences in palisade.toml [check]"
                    }
                    _ => {
                        "no sources policy: set allowed-registries / require-hashes in palisade.toml [check]"
                    }
                })],
            );
        }
        let db = cfg
            .db
            .clone()
            .unwrap_or_else(palisade_advisory::index::default_dir);
        let index = match palisade_advisory::Index::open(&db) {
            Ok(i) => i,
            Err(e) => {
                return (
                    Status::Unknown,
                    vec![Evidence::note(format!("{e} (needed by `palisade check`)"))],
                );
            }
        };
        let mut inputs = palisade_advisory::check::Inputs::default();
        for (rel, r) in &self.files {
            match r {
                Ok(l) => inputs.add_lockfile(rel, l),
                Err(e) => inputs.add_unreadable(rel, e),
            }
        }
        let today = palisade_advisory::policy::today();
        let outcome = match palisade_advisory::check::evaluate(&index, db, &inputs, &cfg, &today) {
            Ok(o) => o,
            Err(e) => return (Status::Unknown, vec![Evidence::note(e.to_string())]),
        };
        let at = |msg: String, loc: Option<&String>| {
            let loc = loc.cloned().unwrap_or_default();
            match loc.rsplit_once(':') {
                Some((f, l)) if l.parse::<u64>().is_ok() => Evidence::at(msg, f, l.parse().ok()),
                _ => Evidence::at(msg, loc, None),
            }
        };
        let mut evidence = Vec::new();
        let failed = match id {
            "materials.licences" => {
                for l in &outcome.licences {
                    let p = &l.package;
                    evidence.push(at(
                        format!(
                            "{} {}: licence {:?}: {}",
                            p.name,
                            p.version.as_deref().unwrap_or("?"),
                            l.licence,
                            l.problem
                        ),
                        p.locations.first(),
                    ));
                }
                !outcome.licences.is_empty()
            }
            "materials.trusted-repositories" => {
                for s in &outcome.sources {
                    let p = &s.package;
                    evidence.push(at(
                        format!(
                            "{} {}: {}: {}",
                            p.name,
                            p.version.as_deref().unwrap_or("?"),
                            s.source,
                            s.problem
                        ),
                        p.locations.first(),
                    ));
                }
                !outcome.sources.is_empty()
            }
            _ => {
                for (f, v, _) in &outcome.judged {
                    if let palisade_advisory::policy::Verdict::Fail(why) = v {
                        let p = &f.package;
                        evidence.push(at(
                            format!(
                                "{} {}: {} ({why})",
                                p.name,
                                p.version.as_deref().unwrap_or("?"),
                                f.id
                            ),
                            p.locations.first(),
                        ));
                    }
                }
                if !outcome.allow_unchecked {
                    for u in &outcome.unchecked {
                        evidence.push(at(
                            format!("unchecked {}: {}", u.package.name, u.reason),
                            u.package.locations.first(),
                        ));
                    }
                }
                outcome.vulnerabilities_failed()
            }
        };
        evidence.truncate(50);
        evidence.insert(
            0,
            Evidence::note(format!(
                "{} packages checked against the advisory index {} ({})",
                outcome.packages,
                &outcome.index_digest[..12.min(outcome.index_digest.len())],
                outcome.index_created
            )),
        );
        (if failed { Status::Fail } else { Status::Pass }, evidence)
    }

    fn hash_pinning(&self) -> (Status, Vec<Evidence>) {
        let (status, _) = self.tracking();
        if matches!(status, Status::NotApplicable | Status::Unknown) {
            return self.tracking();
        }
        let mut evidence = Vec::new();
        let (mut total, mut unpinned) = (0usize, 0usize);
        for (rel, r) in &self.files {
            let Ok(l) = r else { continue };
            let third_party: Vec<&palisade_lockfile::Package> =
                l.packages.iter().filter(|p| is_third_party(p)).collect();
            let without: Vec<&palisade_lockfile::Package> = third_party
                .iter()
                .copied()
                .filter(|p| p.hashes.is_empty())
                .collect();
            total += third_party.len();
            unpinned += without.len();
            if !without.is_empty() {
                let first = without[0];
                evidence.push(Evidence::at(
                    format!(
                        "{} of {} third-party packages without a recorded hash (first: {})",
                        without.len(),
                        third_party.len(),
                        first.purl
                    ),
                    rel.as_str(),
                    first.line.map(|n| n as u64),
                ));
            }
        }
        let status = if total == 0 {
            Status::NotApplicable
        } else if unpinned == 0 {
            evidence.push(Evidence::note(format!(
                "all {total} packages are pinned by a recorded hash"
            )));
            Status::Pass
        } else if unpinned == total {
            Status::Fail
        } else {
            Status::Partial
        };
        (status, evidence)
    }
}

/// Whether a package comes from outside the repository (a registry, a URL, a VCS), as
/// opposed to a workspace member or a path dependency, which no hash can pin.
fn is_third_party(p: &palisade_lockfile::Package) -> bool {
    match &p.source {
        Some(s) => !["path+", "file:", "link:", "workspace:", "portal:"]
            .iter()
            .any(|prefix| s.starts_with(prefix)),
        // Cargo writes no source for workspace members and path dependencies
        None => p.ecosystem != palisade_lockfile::Ecosystem::Cargo,
    }
}

fn check_layouts(repo: &Path, files: &RepoFiles, keys: &[PublicKey]) -> (Status, Vec<Evidence>) {
    let layouts: Vec<&String> = files.ending_with(".layout").collect();
    if layouts.is_empty() {
        return (
            Status::Fail,
            vec![Evidence::note(
                "no in-toto layout (*.layout) in the repository",
            )],
        );
    }
    let now = palisade_intoto::time::now();
    let mut evidence = Vec::new();
    let (mut good, mut bad, mut unchecked) = (0usize, 0usize, 0usize);
    for rel in layouts {
        let meta = match palisade_intoto::Metadata::read_file(&repo.join(rel)) {
            Ok(m) => m,
            Err(e) => {
                bad += 1;
                evidence.push(Evidence::at(
                    format!("cannot be read: {e}"),
                    rel.as_str(),
                    None,
                ));
                continue;
            }
        };
        let signed = match meta.signed_value() {
            Ok(v) => v,
            Err(e) => {
                bad += 1;
                evidence.push(Evidence::at(e.to_string(), rel.as_str(), None));
                continue;
            }
        };
        if signed.get("_type").and_then(|t| t.as_str()) != Some("layout") {
            continue;
        }
        let expires = signed.get("expires").and_then(|t| t.as_str()).unwrap_or("");
        match palisade_intoto::time::parse_utc(expires) {
            Ok(t) if t < now => {
                bad += 1;
                evidence.push(Evidence::at(
                    format!("expired on {expires}"),
                    rel.as_str(),
                    None,
                ));
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                bad += 1;
                evidence.push(Evidence::at(
                    format!("bad expiry '{expires}': {e}"),
                    rel.as_str(),
                    None,
                ));
                continue;
            }
        }
        if keys.is_empty() {
            unchecked += 1;
            evidence.push(Evidence::at(
                format!("layout valid until {expires}"),
                rel.as_str(),
                None,
            ));
            continue;
        }
        let signers: Vec<&str> = keys
            .iter()
            .filter(|k| meta.verify_signature(k).is_ok())
            .map(|k| k.keyid())
            .collect();
        if signers.is_empty() {
            bad += 1;
            evidence.push(Evidence::at(
                "not signed by any trusted key",
                rel.as_str(),
                None,
            ));
        } else {
            good += 1;
            evidence.push(Evidence::at(
                format!("signed by {}, valid until {expires}", signers.join(", ")),
                rel.as_str(),
                None,
            ));
        }
    }
    if unchecked > 0 {
        evidence.push(Evidence::note(format!(
            "{unchecked} layout signature(s) not checked: no trusted keys (set [audit] keys in palisade.toml or pass --key)"
        )));
    }
    let status = if bad > 0 {
        Status::Fail
    } else if good > 0 && unchecked == 0 {
        Status::Pass
    } else if good + unchecked == 0 {
        evidence.push(Evidence::note("the *.layout files hold no in-toto layout"));
        Status::Fail
    } else {
        Status::Partial
    };
    (status, evidence)
}

/// Predicate types of SBOM statements.
const SBOM_PREDICATES: [&str; 2] = ["https://cyclonedx.org/bom", "https://spdx.dev/Document"];

fn check_sbom_attestations(
    repo: &Path,
    files: &RepoFiles,
    keys: &[PublicKey],
) -> (Status, Vec<Evidence>) {
    let mut evidence = Vec::new();
    let (mut signed, mut unverified) = (0usize, 0usize);
    for rel in files.ending_with(".intoto.jsonl") {
        let Ok(bytes) = palisade_io::read_limited(&repo.join(rel), BUNDLE_LIMIT) else {
            continue;
        };
        let Ok(lines) = palisade_attest::read_bundle(bytes.as_slice()) else {
            continue;
        };
        for (line, item) in lines {
            let palisade_attest::BundleLine::Envelope(env) = item else {
                continue;
            };
            let Some(statement) = env
                .payload_bytes()
                .ok()
                .and_then(|p| palisade_attest::Statement::from_json(&p).ok())
            else {
                continue;
            };
            if !SBOM_PREDICATES.contains(&statement.predicate_type.as_str()) {
                continue;
            }
            let subjects: Vec<&str> = statement.subject.iter().map(|s| s.name.as_str()).collect();
            if keys.is_empty() {
                unverified += 1;
            } else if let Ok(v) = env.verify(keys, 1) {
                signed += 1;
                evidence.push(Evidence::at(
                    format!(
                        "SBOM of {} signed by {}",
                        subjects.join(", "),
                        v.signers.join(", ")
                    ),
                    rel.as_str(),
                    Some(line as u64),
                ));
            } else {
                unverified += 1;
                evidence.push(Evidence::at(
                    format!(
                        "SBOM of {} not signed by a trusted key",
                        subjects.join(", ")
                    ),
                    rel.as_str(),
                    Some(line as u64),
                ));
            }
        }
    }
    if signed + unverified == 0 {
        return (
            Status::Fail,
            vec![Evidence::note(
                "no SBOM attestation (a CycloneDX or SPDX statement in *.intoto.jsonl)",
            )],
        );
    }
    if keys.is_empty() {
        evidence.push(Evidence::note(format!(
            "{unverified} SBOM statement(s) not verified: no trusted keys (set [audit] keys in palisade.toml or pass --key)"
        )));
    }
    let status = if unverified == 0 {
        Status::Pass
    } else if signed > 0 || keys.is_empty() {
        Status::Partial
    } else {
        Status::Fail
    };
    (status, evidence)
}

fn check_attestations(
    repo: &Path,
    files: &RepoFiles,
    keys: &[PublicKey],
) -> (Status, Vec<Evidence>) {
    let bundles: Vec<&String> = files.ending_with(".intoto.jsonl").collect();
    if bundles.is_empty() {
        return (
            Status::Fail,
            vec![Evidence::note(
                "no in-toto attestation bundle (*.intoto.jsonl) in the repository",
            )],
        );
    }
    let mut evidence = Vec::new();
    let (mut good, mut bad, mut unchecked) = (0usize, 0usize, 0usize);
    for rel in bundles {
        let bytes = match palisade_io::read_limited(&repo.join(rel), BUNDLE_LIMIT) {
            Ok(b) => b,
            Err(e) => {
                bad += 1;
                evidence.push(Evidence::at(format!("unreadable: {e}"), rel.as_str(), None));
                continue;
            }
        };
        let lines = match palisade_attest::read_bundle(bytes.as_slice()) {
            Ok(l) => l,
            Err(e) => {
                bad += 1;
                evidence.push(Evidence::at(e.to_string(), rel.as_str(), None));
                continue;
            }
        };
        for (line, item) in lines {
            match item {
                palisade_attest::BundleLine::Envelope(env) => {
                    if keys.is_empty() {
                        unchecked += 1;
                        continue;
                    }
                    match env.verify(keys, 1) {
                        Ok(v) => {
                            good += 1;
                            evidence.push(Evidence::at(
                                format!("signed by {}", v.signers.join(", ")),
                                rel.as_str(),
                                Some(line as u64),
                            ));
                        }
                        Err(e) => {
                            bad += 1;
                            evidence.push(Evidence::at(
                                format!("does not verify: {e}"),
                                rel.as_str(),
                                Some(line as u64),
                            ));
                        }
                    }
                }
                palisade_attest::BundleLine::Malformed(why) => {
                    bad += 1;
                    evidence.push(Evidence::at(
                        format!("malformed: {why}"),
                        rel.as_str(),
                        Some(line as u64),
                    ));
                }
                palisade_attest::BundleLine::Unknown => {}
            }
        }
    }
    if unchecked > 0 {
        evidence.push(Evidence::note(format!(
            "{unchecked} envelope(s) not verified: no trusted keys (set [audit] keys in palisade.toml or pass --key)"
        )));
    }
    let status = if bad > 0 {
        Status::Fail
    } else if good > 0 && unchecked == 0 {
        Status::Pass
    } else {
        Status::Partial
    };
    (status, evidence)
}

/// Largest TUF metadata file the audit reads.
const TUF_LIMIT: u64 = 5_000_000;

/// TUF evidence: every folder holding `N.root.json` files is a repository; its root chain
/// must verify (each version self-signed and signed by the previous version's root
/// threshold) and be unexpired. Per control: `artefacts.rotate-revoke` needs a rotation
/// in the chain; `deployment.freshness` an unexpired `timestamp.json`;
/// `build.offline-root` root keys that no online role (timestamp, snapshot) uses.
fn check_tuf(repo: &Path, files: &RepoFiles, control: &str) -> (Status, Vec<Evidence>) {
    use palisade_tuf::metadata::{Metadata, RoleType};
    let mut dirs: std::collections::BTreeMap<String, Vec<(u64, String)>> = Default::default();
    for rel in files.ending_with(".root.json") {
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel.as_str()));
        if let Some(v) = name
            .strip_suffix(".root.json")
            .and_then(|v| v.parse::<u64>().ok())
        {
            dirs.entry(dir.to_string())
                .or_default()
                .push((v, rel.clone()));
        }
    }
    if dirs.is_empty() {
        return (
            Status::Fail,
            vec![Evidence::note(
                "no TUF repository (metadata/N.root.json) in the repository",
            )],
        );
    }
    let now = palisade_intoto::time::now();
    let mut evidence = Vec::new();
    let (mut good, mut bad) = (0usize, 0usize);
    for (dir, mut roots) in dirs {
        roots.sort();
        let mut prev: Option<Metadata> = None;
        let mut failed = None;
        for (v, rel) in &roots {
            let md = palisade_io::read_limited(&repo.join(rel), TUF_LIMIT)
                .map_err(|e| e.to_string())
                .and_then(|b| Metadata::parse(&b, RoleType::Root, rel).map_err(|e| e.to_string()));
            let md = match md {
                Ok(m) => m,
                Err(e) => {
                    failed = Some((rel.clone(), e));
                    break;
                }
            };
            let check = |signer: &Metadata| -> Result<(), String> {
                signer
                    .root()
                    .ok_or_else(|| "not a root".to_string())?
                    .verify(&md, "root", rel)
                    .map_err(|e| e.to_string())
            };
            let r = check(&md).and_then(|()| match &prev {
                Some(p) if p.version + 1 == *v => check(p),
                Some(p) => Err(format!("version {v} does not follow {}", p.version)),
                None => Ok(()),
            });
            if let Err(e) = r {
                failed = Some((rel.clone(), e));
                break;
            }
            prev = Some(md);
        }
        let Some(last) = prev.filter(|_| failed.is_none()) else {
            bad += 1;
            if let Some((rel, e)) = failed {
                evidence.push(Evidence::at(e, rel.as_str(), None));
            }
            continue;
        };
        let last_rel = roots.last().map(|(_, r)| r.clone()).unwrap_or_default();
        if last.is_expired(now) {
            bad += 1;
            evidence.push(Evidence::at(
                format!("root v{} expired on {}", last.version, last.expires_text),
                last_rel.as_str(),
                None,
            ));
            continue;
        }
        let first = roots.first().map(|(v, _)| *v).unwrap_or(1);
        let chain = format!(
            "root chain v{first}..v{} verifies, valid until {}",
            last.version, last.expires_text
        );
        let (ok, msg) = match control {
            "artefacts.rotate-revoke" => (
                last.version > first,
                if last.version > first {
                    format!(
                        "{chain}: keys were rotated through {} root version(s)",
                        last.version - first
                    )
                } else {
                    format!("{chain}, but no rotation has been published")
                },
            ),
            "deployment.freshness" => {
                let ts = if dir.is_empty() {
                    "timestamp.json".to_string()
                } else {
                    format!("{dir}/timestamp.json")
                };
                match palisade_io::read_limited(&repo.join(&ts), TUF_LIMIT)
                    .map_err(|e| e.to_string())
                    .and_then(|b| {
                        Metadata::parse(&b, RoleType::Timestamp, &ts).map_err(|e| e.to_string())
                    })
                    .and_then(|t| {
                        last.root()
                            .ok_or_else(|| "not a root".to_string())?
                            .verify(&t, "timestamp", &ts)
                            .map_err(|e| e.to_string())?;
                        Ok(t)
                    }) {
                    Ok(t) if !t.is_expired(now) => (
                        true,
                        format!(
                            "timestamp v{} verifies, valid until {}",
                            t.version, t.expires_text
                        ),
                    ),
                    Ok(t) => (false, format!("timestamp expired on {}", t.expires_text)),
                    Err(e) => (false, format!("no valid timestamp: {e}")),
                }
            }
            "build.offline-root" => {
                let r = last.root();
                let ids = |role: &str| -> Vec<String> {
                    r.and_then(|r| r.roles.get(role))
                        .map(|k| k.keyids.clone())
                        .unwrap_or_default()
                };
                let root_ids = ids("root");
                let shared = ["timestamp", "snapshot"]
                    .iter()
                    .any(|o| ids(o).iter().any(|k| root_ids.contains(k)));
                (
                    !shared,
                    if shared {
                        format!(
                            "{chain}, but a root key also signs an online role (timestamp/snapshot)"
                        )
                    } else {
                        format!(
                            "{chain}; root keys are separate from the online timestamp/snapshot keys"
                        )
                    },
                )
            }
            _ => (true, chain),
        };
        if ok {
            good += 1;
        } else {
            bad += 1;
        }
        evidence.push(Evidence::at(msg, last_rel.as_str(), None));
    }
    let status = if bad > 0 {
        if good > 0 {
            Status::Partial
        } else {
            Status::Fail
        }
    } else {
        Status::Pass
    };
    (status, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_covers_every_phase() {
        let c = catalogue().unwrap();
        assert!(c.len() >= 45);
        for phase in Phase::ALL {
            assert!(c.iter().any(|d| d.phase == phase), "{phase:?}");
        }
        for d in &c {
            assert!(
                matches!(d.kind.as_str(), "enforce" | "organisational"),
                "{}",
                d.id
            );
            assert!(!d.remediation.is_empty(), "{}", d.id);
        }
    }
}
