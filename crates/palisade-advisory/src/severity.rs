//! Severity from CVSS v3.x and v4.0 vectors (scores computed with the `cvss` crate),
//! else from a database's textual label.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::osv::SeverityItem;

/// Qualitative severity, ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Not known: no vector and no label.
    Unknown,
    /// CVSS 0.0.
    None,
    /// 0.1-3.9.
    Low,
    /// 4.0-6.9.
    Medium,
    /// 7.0-8.9.
    High,
    /// 9.0-10.0.
    Critical,
}

impl Level {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Unknown => "unknown",
            Level::None => "none",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }

    /// The band of a CVSS score.
    pub fn from_score(s: f64) -> Level {
        if s >= 9.0 {
            Level::Critical
        } else if s >= 7.0 {
            Level::High
        } else if s >= 4.0 {
            Level::Medium
        } else if s > 0.0 {
            Level::Low
        } else {
            Level::None
        }
    }
}

impl FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Level, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "none" => Level::None,
            "low" => Level::Low,
            "medium" | "moderate" => Level::Medium,
            "high" | "important" => Level::High,
            "critical" => Level::Critical,
            other => {
                return Err(format!(
                    "unknown severity {other:?} (low, medium, high, critical)"
                ));
            }
        })
    }
}

/// A computed severity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    /// The level.
    pub level: Level,
    /// The CVSS base score, when a vector was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The vector the score comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
}

/// Scores one CVSS v3.x or v4.0 vector; `None` for other or malformed vectors.
pub fn cvss_score(vector: &str) -> Option<f64> {
    if !vector.starts_with("CVSS:3.") && !vector.starts_with("CVSS:4.") {
        return None;
    }
    let c = cvss::Cvss::from_str(vector).ok()?;
    let s = c.score();
    s.is_finite().then_some((s * 10.0).round() / 10.0)
}

/// The highest severity among the vectors; the label if no vector scores.
pub fn assess(items: &[SeverityItem], label: Option<&str>) -> Severity {
    let mut best: Option<(f64, &str)> = None;
    for it in items {
        if let Some(s) = cvss_score(&it.score)
            && best.is_none_or(|(b, _)| s > b)
        {
            best = Some((s, &it.score));
        }
    }
    match best {
        Some((s, v)) => Severity {
            level: Level::from_score(s),
            score: Some(s),
            vector: Some(v.to_string()),
        },
        None => Severity {
            level: label.and_then(|l| l.parse().ok()).unwrap_or(Level::Unknown),
            score: None,
            vector: None,
        },
    }
}
