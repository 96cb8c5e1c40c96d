//! The report model every Palisade engine returns, and the renderers that know nothing
//! about engines.
//!
//! * [`ControlResult`]: one control of the CNCF Software Supply Chain Best Practices for
//!   one repository — its [`Status`], the [`Evidence`] behind it (each with a
//!   [`Location`]: file, line, commit) and the remediation (a Palisade command or a
//!   configuration snippet).
//! * [`Report`]: the controls of one run, with a versioned JSON schema
//!   ([`SCHEMA_VERSION`]; `schema/report.schema.json` in this crate).
//! * Renderers: [`render_json`], [`render_markdown`], [`render_sarif`] (SARIF 2.1.0, one
//!   result per failing or partial control), [`render_html`] (one self-contained page with
//!   a status chart per phase, no network), [`render_table`] (for a terminal, optionally
//!   coloured).
//! * [`findings`]: the one SARIF 2.1.0 writer for engines' findings (secrets, CI audit,
//!   vulnerability check): rules, results with regions, snippets and fingerprints.
//!
//! Everything is deterministic: controls keep the catalogue's order, evidence the order
//! the engine gave, and nothing (no time, no host name) is added that the input does not
//! hold.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

pub mod findings;
mod html;
mod sarif;

pub use html::render_html;
pub use sarif::render_sarif;

/// Version of the JSON report schema.
pub const SCHEMA_VERSION: &str = "1";

/// The JSON Schema of [`render_json`]'s output.
pub const JSON_SCHEMA: &str = include_str!("../schema/report.schema.json");

/// Where a control sits in the paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Securing the source code.
    Source,
    /// Securing materials (dependencies).
    Materials,
    /// Securing build pipelines.
    Build,
    /// Securing artefacts.
    Artefacts,
    /// Securing deployments.
    Deployment,
}

impl Phase {
    /// All phases in the paper's order.
    pub const ALL: [Phase; 5] = [
        Phase::Source,
        Phase::Materials,
        Phase::Build,
        Phase::Artefacts,
        Phase::Deployment,
    ];
    /// The name used in JSON and ids.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Source => "source",
            Phase::Materials => "materials",
            Phase::Build => "build",
            Phase::Artefacts => "artefacts",
            Phase::Deployment => "deployment",
        }
    }
    /// A title for people.
    pub fn title(self) -> &'static str {
        match self {
            Phase::Source => "Source code",
            Phase::Materials => "Materials",
            Phase::Build => "Build pipelines",
            Phase::Artefacts => "Artefacts",
            Phase::Deployment => "Deployments",
        }
    }
}

/// How a repository stands against a control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Met, with evidence.
    Pass,
    /// Not met, with evidence.
    Fail,
    /// Partly met.
    Partial,
    /// Not determined (not checked by this version, or data missing).
    Unknown,
    /// Does not apply to this repository.
    NotApplicable,
    /// Organisational: a person must check it.
    Manual,
}

impl Status {
    /// All statuses, in display order.
    pub const ALL: [Status; 6] = [
        Status::Pass,
        Status::Fail,
        Status::Partial,
        Status::Unknown,
        Status::NotApplicable,
        Status::Manual,
    ];
    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Partial => "partial",
            Status::Unknown => "unknown",
            Status::NotApplicable => "not-applicable",
            Status::Manual => "manual",
        }
    }
}

/// A place evidence points at.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Location {
    /// Path relative to the repository root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// A commit id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// What was found, in one sentence.
    pub message: String,
    /// Where, if it has a place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Evidence {
    /// Evidence without a place.
    pub fn note(message: impl Into<String>) -> Evidence {
        Evidence {
            message: message.into(),
            location: None,
        }
    }
    /// Evidence about a file (and optionally a line).
    pub fn at(message: impl Into<String>, path: impl Into<String>, line: Option<u64>) -> Evidence {
        Evidence {
            message: message.into(),
            location: Some(Location {
                path: Some(path.into()),
                line,
                commit: None,
            }),
        }
    }
}

/// The verdict on one control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlResult {
    /// Stable id, e.g. `source.signed-commits`.
    pub id: String,
    /// The phase.
    pub phase: Phase,
    /// Title.
    pub title: String,
    /// The verdict.
    pub status: Status,
    /// Why.
    pub evidence: Vec<Evidence>,
    /// What to run or configure to meet it.
    pub remediation: String,
}

/// One audit run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: String,
    /// The tool and its version.
    pub tool: Tool,
    /// The repository audited (as given).
    pub repository: String,
    /// Every control, in catalogue order.
    pub controls: Vec<ControlResult>,
}

/// Who made the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// `palisade`
    pub name: String,
    /// Its version.
    pub version: String,
}

impl Report {
    /// The phases that have controls, in the paper's order, each with its controls.
    pub fn by_phase(&self) -> Vec<(Phase, Vec<&ControlResult>)> {
        Phase::ALL
            .iter()
            .map(|p| {
                (
                    *p,
                    self.controls
                        .iter()
                        .filter(|c| c.phase == *p)
                        .collect::<Vec<_>>(),
                )
            })
            .filter(|(_, cs)| !cs.is_empty())
            .collect()
    }

    /// Counts of each status in `phase` (all phases with `None`), in [`Status::ALL`] order.
    pub fn counts(&self, phase: Option<Phase>) -> Vec<(Status, usize)> {
        Status::ALL
            .iter()
            .map(|s| {
                let n = self
                    .controls
                    .iter()
                    .filter(|c| c.status == *s && phase.is_none_or(|p| c.phase == p))
                    .count();
                (*s, n)
            })
            .collect()
    }
}

/// The report as pretty JSON (the documented schema), with a final newline.
pub fn render_json(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
    s.push('\n');
    s
}

fn where_(e: &Evidence) -> String {
    match &e.location {
        None => String::new(),
        Some(l) => {
            let mut w = l.path.clone().unwrap_or_default();
            if let Some(line) = l.line {
                let _ = write!(w, ":{line}");
            }
            if let Some(c) = &l.commit {
                if !w.is_empty() {
                    w.push(' ');
                }
                let _ = write!(w, "@{}", &c[..c.len().min(12)]);
            }
            w
        }
    }
}

/// Escapes text for a Markdown table cell.
fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The report as Markdown (a pull-request comment or CI job summary).
pub fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Supply chain audit: {}\n", md(&report.repository));
    let _ = writeln!(
        out,
        "| phase | pass | fail | partial | unknown | n/a | manual |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for phase in Phase::ALL {
        let c = report.counts(Some(phase));
        let _ = writeln!(
            out,
            "| {} | {} |",
            phase.title(),
            c.iter()
                .map(|(_, n)| n.to_string())
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    for (phase, controls) in report.by_phase() {
        let _ = writeln!(out, "\n## {}\n", phase.title());
        let _ = writeln!(out, "| status | control | evidence | remediation |");
        let _ = writeln!(out, "|---|---|---|---|");
        for c in controls {
            let evidence = c
                .evidence
                .iter()
                .map(|e| {
                    let w = where_(e);
                    if w.is_empty() {
                        md(&e.message)
                    } else {
                        format!("`{}` {}", md(&w), md(&e.message))
                    }
                })
                .collect::<Vec<_>>()
                .join("<br>");
            let _ = writeln!(
                out,
                "| {} | **{}** `{}` | {} | {} |",
                c.status.as_str(),
                md(&c.title),
                c.id,
                evidence,
                if c.remediation.is_empty() {
                    String::new()
                } else {
                    format!("`{}`", md(&c.remediation))
                }
            );
        }
    }
    out
}

/// The report as a table for a terminal; `colour` adds ANSI colours to statuses.
pub fn render_table(report: &Report, colour: bool) -> String {
    let paint = |s: Status| -> String {
        let text = format!("{:<14}", s.as_str());
        if !colour {
            return text;
        }
        let code = match s {
            Status::Pass => "32",
            Status::Fail => "31;1",
            Status::Partial => "33",
            Status::Unknown => "90",
            Status::NotApplicable => "90",
            Status::Manual => "36",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    };
    let mut out = String::new();
    for (phase, controls) in report.by_phase() {
        let summary = report
            .counts(Some(phase))
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{n} {}", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(out, "{} ({summary})", phase.title());
        for c in controls {
            let _ = writeln!(out, "  {} {:<34} {}", paint(c.status), c.id, c.title);
            for e in &c.evidence {
                let w = where_(e);
                if w.is_empty() {
                    let _ = writeln!(out, "      - {}", e.message);
                } else {
                    let _ = writeln!(out, "      - {w}: {}", e.message);
                }
            }
            if matches!(c.status, Status::Fail | Status::Partial) && !c.remediation.is_empty() {
                let _ = writeln!(out, "      fix: {}", c.remediation);
            }
        }
        out.push('\n');
    }
    let total = report
        .counts(None)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(out, "{} controls: {total}", report.controls.len());
    out
}
