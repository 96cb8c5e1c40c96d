//! Evidence from the CI definitions (`palisade-ci`): pipelines as code, standard
//! pipelines, short-lived credentials, pipeline behaviour that only commits change.

use std::path::Path;

use palisade_ci::{Finding, Options, Report, Severity};
use palisade_report::{Evidence, Status};

/// Most findings quoted as evidence per control.
const MAX_EVIDENCE: usize = 20;

/// The CI audit of a repository, run once for every ci-audit control.
pub(crate) struct CiAudit {
    report: Option<Report>,
    root: String,
    problem: Option<String>,
}

fn rules_of(control: &str) -> &'static [&'static str] {
    match control {
        "build.standard-pipelines" => &[
            "unpinned-uses",
            "unpinned-images",
            "excessive-permissions",
            "missing-permissions",
            "secrets-inherit",
            "artipacked",
            "policy-required-step",
            "policy-action-not-allowed",
            "policy-permissions",
            "policy-release-runner",
        ],
        "source.short-lived-credentials" => &[
            "hardcoded-credentials",
            "gitlab-job-token",
            "gitlab-protected-variables",
            "overprovisioned-secrets",
            "gitlab-mr-secrets",
        ],
        "build.pipeline-changes-as-code" => &[
            "template-injection",
            "dangerous-triggers",
            "insecure-commands",
            "github-env",
            "remote-exec",
            "untrusted-artifacts",
            "gitlab-unpinned-include",
            "cache-poisoning",
            "self-hosted-runner",
            "bot-conditions",
        ],
        _ => &[],
    }
}

impl CiAudit {
    /// Finds and audits the CI files under `repo` (with palisade.toml's `[ci]` settings).
    pub(crate) fn gather(repo: &Path) -> CiAudit {
        let root = format!("{}/", repo.display());
        let files = match palisade_ci::discover(&[repo.to_path_buf()]) {
            Ok(f) => f,
            Err(e) => {
                return CiAudit {
                    report: None,
                    root,
                    problem: Some(e.to_string()),
                };
            }
        };
        if files.is_empty() {
            return CiAudit {
                report: None,
                root,
                problem: None,
            };
        }
        let mut opts = Options {
            min_severity: Some(Severity::Medium),
            ..Options::default()
        };
        let mut problem = None;
        if let Ok(bytes) = palisade_io::read_limited(&repo.join("palisade.toml"), 1024 * 1024) {
            match palisade_ci::Config::from_palisade_toml(&String::from_utf8_lossy(&bytes)) {
                Ok(c) => {
                    opts.ignore = c.ignore;
                    if let Some(t) = c.template {
                        match palisade_io::read_limited(&repo.join(&t), 1024 * 1024)
                            .map_err(|e| e.to_string())
                            .and_then(|b| {
                                palisade_ci::Policy::from_toml(&String::from_utf8_lossy(&b))
                                    .map_err(|e| e.to_string())
                            }) {
                            Ok(p) => opts.policy = Some(p),
                            Err(e) => problem = Some(format!("{t}: {e}")),
                        }
                    }
                }
                Err(e) => problem = Some(format!("palisade.toml: {e}")),
            }
        }
        CiAudit {
            report: Some(palisade_ci::audit(&files, &opts)),
            root,
            problem,
        }
    }

    fn rel<'a>(&self, file: &'a str) -> &'a str {
        file.strip_prefix(self.root.as_str()).unwrap_or(file)
    }

    fn evidence(&self, f: &Finding) -> Evidence {
        Evidence::at(
            format!("{} ({}): {}", f.rule, f.severity.as_str(), f.message),
            self.rel(&f.file),
            Some(f.line as u64),
        )
    }

    /// The status and evidence of one ci-audit control.
    pub(crate) fn control(&self, id: &str) -> (Status, Vec<Evidence>) {
        let Some(report) = &self.report else {
            let why = self.problem.clone().unwrap_or_else(|| {
                "no CI definitions (.github/workflows, action.yml, .gitlab-ci.yml)".into()
            });
            return if id == "build.pipeline-as-code" {
                (Status::Fail, vec![Evidence::note(why)])
            } else {
                (Status::NotApplicable, vec![Evidence::note(why)])
            };
        };
        let mut evidence: Vec<Evidence> = Vec::new();
        if let Some(p) = &self.problem {
            evidence.push(Evidence::note(p.clone()));
        }
        for e in &report.errors {
            evidence.push(Evidence::at(
                format!("unreadable: {}", e.message),
                self.rel(&e.file),
                None,
            ));
        }
        if id == "build.pipeline-as-code" {
            for f in &report.files {
                evidence.push(Evidence::at(
                    format!("{:?} definition", f.kind).to_lowercase(),
                    self.rel(&f.file),
                    None,
                ));
            }
            let ok = report.errors.is_empty();
            return (if ok { Status::Pass } else { Status::Partial }, evidence);
        }
        let wanted = rules_of(id);
        let hits: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| wanted.contains(&f.rule.as_str()))
            .collect();
        if hits.is_empty() && report.errors.is_empty() {
            evidence.push(Evidence::note(format!(
                "{} CI files audited: no {} finding of medium severity or above",
                report.files.len(),
                wanted.join(", ")
            )));
            return (Status::Pass, evidence);
        }
        let shown = hits.len().min(MAX_EVIDENCE);
        evidence.extend(hits.iter().take(shown).map(|f| self.evidence(f)));
        if hits.len() > shown {
            evidence.push(Evidence::note(format!(
                "{} more: run `palisade ci audit`",
                hits.len() - shown
            )));
        }
        (Status::Fail, evidence)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    const CONTROLS: [&str; 4] = [
        "build.pipeline-as-code",
        "build.standard-pipelines",
        "source.short-lived-credentials",
        "build.pipeline-changes-as-code",
    ];

    #[test]
    fn no_ci_definitions() {
        let d = tempfile::tempdir().unwrap();
        let ci = CiAudit::gather(d.path());
        assert_eq!(ci.control(CONTROLS[0]).0, Status::Fail);
        for c in &CONTROLS[1..] {
            assert_eq!(ci.control(c).0, Status::NotApplicable, "{c}");
        }
    }

    #[test]
    fn hardened_workflow_passes() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            ".github/workflows/ci.yml",
            "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@8e5e7e5ab8b370d6c329ec480221332ada57f0ab\n        with:\n          persist-credentials: false\n      - run: make test\n",
        );
        let ci = CiAudit::gather(d.path());
        for c in CONTROLS {
            assert_eq!(ci.control(c).0, Status::Pass, "{c}: {:?}", ci.control(c).1);
        }
        let (_, ev) = ci.control("build.pipeline-as-code");
        assert_eq!(
            ev[0].location.as_ref().unwrap().path.as_deref(),
            Some(".github/workflows/ci.yml")
        );
    }

    #[test]
    fn risky_workflow_fails_with_file_and_line() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            ".github/workflows/ci.yml",
            "on: pull_request_target\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    env:\n      PASSWORD: hunter2hunter2\n    steps:\n      - uses: some/action@main\n      - run: echo ${{ github.event.pull_request.title }}\n",
        );
        let ci = CiAudit::gather(d.path());
        assert_eq!(ci.control("build.pipeline-as-code").0, Status::Pass);
        for c in &CONTROLS[1..] {
            let (status, ev) = ci.control(c);
            assert_eq!(status, Status::Fail, "{c}");
            let loc = ev[0].location.as_ref().unwrap();
            assert_eq!(loc.path.as_deref(), Some(".github/workflows/ci.yml"));
            assert!(loc.line.unwrap() >= 1);
        }
        let (_, ev) = ci.control("build.standard-pipelines");
        assert!(ev.iter().any(|e| e.message.starts_with("unpinned-uses")
            && e.location.as_ref().unwrap().line == Some(8)));
        // a rule ignored in palisade.toml no longer fails its control
        write(
            d.path(),
            "palisade.toml",
            "[ci]\nignore = [\"hardcoded-credentials\"]\n",
        );
        assert_eq!(
            CiAudit::gather(d.path())
                .control("source.short-lived-credentials")
                .0,
            Status::Pass
        );
    }
}
