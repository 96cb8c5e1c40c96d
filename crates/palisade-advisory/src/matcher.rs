//! Matching packages against the index.

use std::collections::{BTreeMap, BTreeSet};

use palisade_version::{Scheme, Version};
use serde::{Deserialize, Serialize};

use crate::AdvisoryError;
use crate::index::Index;
use crate::osv::{Entry, Event, Range, base_ecosystem, name_key};
use crate::severity::{Level, Severity, assess};

/// A package to check.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PackageRef {
    /// OSV ecosystem (`npm`, `PyPI`, `crates.io`, ...).
    pub ecosystem: String,
    /// Name as the ecosystem spells it (`group:artifact` for Maven, module path for Go).
    pub name: String,
    /// Resolved version.
    pub version: Option<String>,
    /// Package URL.
    pub purl: String,
    /// Where it was found (`file:line`), sorted.
    pub locations: Vec<String>,
}

impl PackageRef {
    /// A package from its package URL (for SBOM components); `None` when the purl
    /// cannot be read.
    pub fn from_purl(purl: &str) -> Option<PackageRef> {
        let rest = purl.strip_prefix("pkg:")?;
        let rest = rest.split(['?', '#']).next()?;
        let (ty, path) = rest.split_once('/')?;
        let (path, version) = match path.rfind('@') {
            Some(i) => (&path[..i], Some(pct_decode(&path[i + 1..]))),
            None => (path, None),
        };
        let segs: Vec<String> = path.split('/').map(pct_decode).collect();
        let joined = segs.join("/");
        let last = segs.last()?.clone();
        let ty = ty.to_ascii_lowercase();
        let (eco, name) = match ty.as_str() {
            "npm" => ("npm", joined),
            "pypi" => ("PyPI", last),
            "cargo" => ("crates.io", last),
            "golang" => ("Go", joined),
            "gem" => ("RubyGems", last),
            "composer" => ("Packagist", joined),
            "maven" => ("Maven", segs.join(":")),
            "nuget" => ("NuGet", last),
            "hex" => ("Hex", last),
            "pub" => ("Pub", last),
            "swift" => ("SwiftURL", joined),
            "cran" => ("CRAN", last),
            "deb" => ("Debian", last),
            "rpm" => ("Red Hat", last),
            other => (other, joined),
        };
        Some(PackageRef {
            ecosystem: eco.to_string(),
            name,
            version,
            purl: purl.to_string(),
            locations: Vec::new(),
        })
    }
}

fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One vulnerability (aliases merged) in one package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The package.
    pub package: PackageRef,
    /// The id reported (RUSTSEC/PYSEC/GO/MAL before GHSA before CVE).
    pub id: String,
    /// Every other id of the same vulnerability (sorted).
    pub aliases: Vec<String>,
    /// One-line summary.
    pub summary: String,
    /// Severity.
    pub severity: Severity,
    /// A malicious package.
    pub malicious: bool,
    /// RustSec informational kind (`unmaintained`, `unsound`, `notice`).
    pub informational: Option<String>,
    /// The nearest version that fixes it, if any.
    pub fixed: Option<String>,
    /// The advisory's URL.
    pub url: Option<String>,
}

impl Finding {
    /// The id and all aliases.
    pub fn all_ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// A package that could not be checked, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unchecked {
    /// The package.
    pub package: PackageRef,
    /// Why.
    pub reason: String,
}

/// The result of matching.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MatchReport {
    /// Packages checked completely.
    pub checked: usize,
    /// Findings, sorted by package then id.
    pub findings: Vec<Finding>,
    /// Packages (or package/advisory pairs) that could not be checked.
    pub unchecked: Vec<Unchecked>,
}

/// Whether `v` is in one OSV range; `Err` names an event that does not parse.
fn in_range(scheme: Scheme, v: &Version, r: &Range) -> Result<(bool, Option<Version>), String> {
    let scheme = if r.semver { Scheme::SemVer } else { scheme };
    let vv;
    let v = if v.scheme() == scheme {
        v
    } else {
        vv = palisade_version::parse(scheme, v.as_str()).map_err(|e| e.to_string())?;
        &vv
    };
    let mut evs: Vec<(Option<Version>, &Event)> = Vec::new();
    for e in &r.events {
        let text = match e {
            Event::Introduced(t) | Event::Fixed(t) | Event::LastAffected(t) => t,
        };
        if matches!(e, Event::Introduced(t) if t == "0") {
            evs.push((None, e));
            continue;
        }
        let parsed = palisade_version::parse(scheme, text).map_err(|e| e.to_string())?;
        evs.push((Some(parsed), e));
    }
    evs.sort_by(|a, b| a.0.cmp(&b.0));
    let mut affected = false;
    for (ver, e) in &evs {
        match (e, ver) {
            (Event::Introduced(_), None) => affected = true,
            (Event::Introduced(_), Some(x)) if v >= x => affected = true,
            (Event::Fixed(_), Some(x)) if v >= x => affected = false,
            (Event::LastAffected(_), Some(x)) if v > x => affected = false,
            _ => {}
        }
    }
    let fixed = if affected {
        evs.iter()
            .filter(|(_, e)| matches!(e, Event::Fixed(_)))
            .filter_map(|(x, _)| x.clone())
            .filter(|x| x > v)
            .min()
    } else {
        None
    };
    Ok((affected, fixed))
}

/// The lowest version a RustSec requirement admits (for "nearest fixed").
fn req_floor(req: &semver::VersionReq) -> Option<semver::Version> {
    use semver::Op;
    let mut best: Option<semver::Version> = None;
    for c in &req.comparators {
        let v = match c.op {
            Op::Exact | Op::GreaterEq | Op::Tilde | Op::Caret | Op::Wildcard | Op::Greater => {
                let mut v =
                    semver::Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0));
                v.pre = c.pre.clone();
                if c.op == Op::Greater {
                    v.patch += 1;
                }
                v
            }
            _ => continue,
        };
        if best.as_ref().is_none_or(|b| &v > b) {
            best = Some(v);
        }
    }
    best
}

/// Whether an entry affects `version`: `Ok(Some(fixed))` when it does.
fn affects(scheme: Scheme, v: &Version, e: &Entry) -> Result<Option<Option<String>>, String> {
    if let Some(c) = &e.cargo {
        let sv = semver::Version::parse(v.as_str().trim_start_matches('v'))
            .map_err(|err| format!("{:?} is not SemVer: {err}", v.as_str()))?;
        let parse =
            |r: &String| semver::VersionReq::parse(r).map_err(|err| format!("{r:?}: {err}"));
        let patched = c.patched.iter().map(parse).collect::<Result<Vec<_>, _>>()?;
        let unaffected = c
            .unaffected
            .iter()
            .map(parse)
            .collect::<Result<Vec<_>, _>>()?;
        if patched.iter().chain(&unaffected).any(|r| r.matches(&sv)) {
            return Ok(None);
        }
        let fixed = patched
            .iter()
            .filter_map(req_floor)
            .filter(|f| f > &sv)
            .min()
            .map(|f| f.to_string());
        return Ok(Some(fixed));
    }
    for listed in &e.versions {
        let same =
            listed == v.as_str() || palisade_version::parse(scheme, listed).is_ok_and(|l| &l == v);
        if same {
            return Ok(Some(None));
        }
    }
    if e.ranges.is_empty() && e.versions.is_empty() {
        // A record naming the package without versions: only malicious-package records
        // mean "every version".
        return Ok(e.malicious.then_some(None));
    }
    let mut hit = false;
    let mut fixed: Option<Version> = None;
    for r in &e.ranges {
        let (a, f) = in_range(scheme, v, r)?;
        if a {
            hit = true;
            if let Some(f) = f
                && fixed.as_ref().is_none_or(|x| &f > x)
            {
                fixed = Some(f);
            }
        }
    }
    Ok(hit.then(|| fixed.map(|f| f.as_str().to_string())))
}

fn id_rank(id: &str) -> u8 {
    const ORDER: [&str; 8] = [
        "MAL-", "RUSTSEC-", "PYSEC-", "GO-", "GHSA-", "CVE-", "OSV-", "",
    ];
    ORDER
        .iter()
        .position(|p| id.starts_with(p))
        .unwrap_or(ORDER.len()) as u8
}

/// Matches packages against the index. Packages are checked in the order given;
/// findings come out sorted by package URL, then id.
pub fn check_packages(
    index: &Index,
    packages: &[PackageRef],
) -> Result<MatchReport, AdvisoryError> {
    let mut by_eco: BTreeMap<&str, Vec<&PackageRef>> = BTreeMap::new();
    for p in packages {
        by_eco
            .entry(base_ecosystem(&p.ecosystem))
            .or_default()
            .push(p);
    }
    let mut report = MatchReport::default();
    for (eco, pkgs) in by_eco {
        let Some(scheme) = Scheme::for_ecosystem(eco) else {
            for p in pkgs {
                report.unchecked.push(Unchecked {
                    package: p.clone(),
                    reason: format!("no version ordering known for ecosystem {eco:?}"),
                });
            }
            continue;
        };
        let Some(eco_index) = index.ecosystem(eco)? else {
            for p in pkgs {
                report.unchecked.push(Unchecked {
                    package: p.clone(),
                    reason: format!("the advisory index has no data for ecosystem {eco:?}"),
                });
            }
            continue;
        };
        for p in pkgs {
            let Some(ver_text) = &p.version else {
                report.unchecked.push(Unchecked {
                    package: p.clone(),
                    reason: "no resolved version".into(),
                });
                continue;
            };
            let v = match palisade_version::parse(scheme, ver_text) {
                Ok(v) => v,
                Err(e) => {
                    report.unchecked.push(Unchecked {
                        package: p.clone(),
                        reason: e.to_string(),
                    });
                    continue;
                }
            };
            let entries = eco_index.entries(&name_key(eco, &p.name))?;
            let mut hits: BTreeMap<String, (Entry, Option<String>)> = BTreeMap::new();
            let mut complete = true;
            for e in entries {
                match affects(scheme, &v, &e) {
                    Ok(Some(fixed)) => {
                        let slot = hits.entry(e.id.clone()).or_insert((e, None));
                        if fixed > slot.1 {
                            slot.1 = fixed;
                        }
                    }
                    Ok(None) => {}
                    Err(why) => {
                        complete = false;
                        report.unchecked.push(Unchecked {
                            package: p.clone(),
                            reason: format!("{}: cannot evaluate: {why}", e.id),
                        });
                    }
                }
            }
            if complete {
                report.checked += 1;
            }
            report.findings.extend(merge(p, hits));
        }
    }
    report
        .findings
        .sort_by(|a, b| (&a.package.purl, &a.id).cmp(&(&b.package.purl, &b.id)));
    report.unchecked.sort();
    Ok(report)
}

/// Merges the entries that hit one package into findings: ids linked by aliases are
/// one vulnerability.
fn merge(p: &PackageRef, hits: BTreeMap<String, (Entry, Option<String>)>) -> Vec<Finding> {
    let ids: Vec<&String> = hits.keys().collect();
    let mut group: Vec<usize> = (0..ids.len()).collect();
    fn find(g: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while g[r] != r {
            r = g[r];
        }
        g[i] = r;
        r
    }
    let mut name_of: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, id) in ids.iter().enumerate() {
        let (e, _) = &hits[*id];
        for name in std::iter::once(&e.id).chain(&e.aliases) {
            match name_of.get(name.as_str()) {
                Some(&j) => {
                    let (a, b) = (find(&mut group, i), find(&mut group, j));
                    group[a] = b;
                }
                None => {
                    name_of.insert(name, i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..ids.len() {
        let r = find(&mut group, i);
        groups.entry(r).or_default().push(i);
    }
    let mut out = Vec::new();
    for members in groups.values() {
        let mut primary = ids[members[0]];
        for &m in members {
            if (id_rank(ids[m]), ids[m]) < (id_rank(primary), primary) {
                primary = ids[m];
            }
        }
        let mut all: BTreeSet<String> = BTreeSet::new();
        let mut sev: Option<Severity> = None;
        let mut malicious = false;
        let mut informational = Some(String::new());
        let mut fixed: Option<String> = None;
        for &m in members {
            let (e, f) = &hits[ids[m]];
            all.insert(e.id.clone());
            all.extend(e.aliases.iter().cloned());
            let s = assess(&e.severity, e.severity_label.as_deref());
            if sev
                .as_ref()
                .is_none_or(|b| (s.level, s.score) > (b.level, b.score))
            {
                sev = Some(s);
            }
            malicious |= e.malicious;
            informational = match (&informational, &e.informational) {
                (Some(_), Some(k)) => Some(k.clone()),
                _ => None,
            };
            if f.is_some() && fixed.is_none() {
                fixed = f.clone();
            }
        }
        let (pe, _) = &hits[primary];
        all.remove(primary);
        let mut severity = sev.unwrap_or(Severity {
            level: Level::Unknown,
            score: None,
            vector: None,
        });
        if malicious {
            severity.level = Level::Critical;
        }
        out.push(Finding {
            package: p.clone(),
            id: primary.clone(),
            aliases: all.into_iter().collect(),
            summary: pe.summary.clone(),
            severity,
            malicious,
            informational: informational.filter(|k| !k.is_empty()),
            fixed,
            url: pe.url.clone(),
        });
    }
    out
}
