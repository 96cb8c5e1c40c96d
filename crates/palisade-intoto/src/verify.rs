//! Final product verification, in the order of the in-toto v1.0 specification and of
//! Python in-toto's `in_toto_verify`: layout signatures → expiry → parameter
//! substitution → links per step → link signatures and thresholds → sublayouts →
//! command alignment (warnings) → threshold agreement → step rules → inspections →
//! inspection rules.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rayon::prelude::*;

use crate::IntotoError;
use crate::metadata::{Metadata, Payload};
use crate::model::{ArtifactKind, Layout, LayoutKey, Link};
use crate::record::{RecordOptions, record_artifacts, run_command};
use crate::rules::{RuleFailure, apply_rules};

/// The deepest sublayout nesting followed.
pub const MAX_SUBLAYOUT_DEPTH: usize = 8;

/// Why a supply chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Not enough of the given layout keys signed the layout.
    LayoutSignature {
        /// Distinct layout keys whose signature verified.
        valid: usize,
        /// Required.
        threshold: usize,
        /// Per key, what was wrong.
        detail: Vec<String>,
    },
    /// The layout expired.
    LayoutExpired {
        /// The layout's `expires`.
        expires: String,
    },
    /// Fewer link files than the threshold for a step.
    LinkNotFound {
        /// Step.
        step: String,
        /// Required.
        threshold: usize,
        /// Found.
        found: usize,
    },
    /// Fewer links validly signed by distinct authorised functionaries than the threshold.
    Threshold {
        /// Step.
        step: String,
        /// Required.
        threshold: usize,
        /// Valid.
        valid: usize,
        /// Why links did not count.
        detail: Vec<String>,
    },
    /// The links of a step with a threshold above 1 disagree on artefacts.
    DifferentArtifacts {
        /// Step.
        step: String,
        /// The two link files.
        links: (String, String),
    },
    /// An artefact rule failed.
    Rule {
        /// Step or inspection name.
        item: String,
        /// Whether it is an inspection.
        inspection: bool,
        /// Materials or products.
        kind: ArtifactKind,
        /// Which rule, which artefacts.
        failure: RuleFailure,
    },
    /// An inspection failed to run, timed out or returned non-zero.
    Inspection {
        /// Inspection.
        name: String,
        /// What happened.
        detail: String,
    },
    /// A sublayout (standing in for a step's link) failed verification.
    Sublayout {
        /// Step.
        step: String,
        /// Functionary key id.
        keyid: String,
        /// The inner failure.
        inner: Box<Failure>,
    },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::LayoutSignature {
                valid,
                threshold,
                detail,
            } => write!(
                f,
                "layout signatures: {valid} of the required {threshold} layout key(s) signed ({})",
                detail.join("; ")
            ),
            Failure::LayoutExpired { expires } => write!(f, "layout expired on {expires}"),
            Failure::LinkNotFound {
                step,
                threshold,
                found,
            } => write!(
                f,
                "step '{step}': requires {threshold} link file(s) of authorised functionaries, found {found}"
            ),
            Failure::Threshold {
                step,
                threshold,
                valid,
                detail,
            } => {
                write!(
                    f,
                    "step '{step}': requires {threshold} link(s) validly signed by distinct authorised functionaries, found {valid}"
                )?;
                if !detail.is_empty() {
                    write!(f, " ({})", detail.join("; "))?;
                }
                Ok(())
            }
            Failure::DifferentArtifacts { step, links } => write!(
                f,
                "step '{step}': links {} and {} record different artefacts",
                links.0, links.1
            ),
            Failure::Rule {
                item,
                inspection,
                kind,
                failure,
            } => write!(
                f,
                "{} '{item}': expected_{} rule '{}' failed: {}",
                if *inspection { "inspection" } else { "step" },
                kind.as_str(),
                failure.rule,
                failure.message
            ),
            Failure::Inspection { name, detail } => write!(f, "inspection '{name}': {detail}"),
            Failure::Sublayout { step, keyid, inner } => {
                write!(f, "step '{step}': sublayout of {}: {inner}", short(keyid))
            }
        }
    }
}

impl std::error::Error for Failure {}

/// What verification needs besides the layout.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The layout owner's keys.
    pub layout_keys: Vec<LayoutKey>,
    /// How many distinct layout keys must have signed; `None`: all of them (Python's rule).
    pub layout_threshold: Option<usize>,
    /// Where the link files are.
    pub link_dir: PathBuf,
    /// `{KEY}` substitutions for rules, expected commands and inspection commands; `None`
    /// leaves braces alone.
    pub params: Option<BTreeMap<String, String>>,
    /// Time allowed to each inspection.
    pub inspection_timeout: Duration,
    /// "Now", seconds since the epoch.
    pub now: i64,
    /// Where inspections run and record (default: the working directory).
    pub work_dir: Option<PathBuf>,
}

/// A successful verification.
#[derive(Debug, Clone)]
pub struct Report {
    /// Things worth saying that do not fail verification (command misalignment, links
    /// skipped).
    pub warnings: Vec<String>,
    /// The summary link: the first step's materials, the last step's products.
    pub summary: Link,
}

/// A link read, with the result of checking its signature.
type Checked = (Item, Result<(), String>);

/// What a link file held, once its signature is checked: a link (the signed bytes are
/// dropped at once; links are large) or a sublayout (kept whole, to verify it).
enum Item {
    Link(Link),
    Layout(Box<Metadata>),
}

fn short(keyid: &str) -> String {
    keyid.chars().take(8).collect()
}

/// The link file name of a step and functionary: `NAME.KEYID8.link`.
pub fn link_file_name(step: &str, keyid: &str) -> String {
    format!("{step}.{}.link", short(keyid))
}

/// Python's `str.format(**params)` for `{NAME}` fields and `{{` / `}}` escapes.
pub fn substitute(s: &str, params: &BTreeMap<String, String>) -> Result<String, IntotoError> {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '{' if it.peek() == Some(&'{') => {
                it.next();
                out.push('{');
            }
            '}' if it.peek() == Some(&'}') => {
                it.next();
                out.push('}');
            }
            '}' => return Err(IntotoError::Parameter(format!("single '}}' in '{s}'"))),
            '{' => {
                let mut name = String::new();
                loop {
                    match it.next() {
                        Some('}') => break,
                        Some(ch) => name.push(ch),
                        None => {
                            return Err(IntotoError::Parameter(format!("unclosed '{{' in '{s}'")));
                        }
                    }
                }
                match params.get(&name) {
                    Some(v) => out.push_str(v),
                    None => {
                        return Err(IntotoError::Parameter(format!(
                            "'{s}' uses parameter '{name}', which no --param gives"
                        )));
                    }
                }
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

fn substitute_layout(
    layout: &mut Layout,
    params: &BTreeMap<String, String>,
) -> Result<(), IntotoError> {
    let sub_all = |v: &mut Vec<String>| -> Result<(), IntotoError> {
        for s in v.iter_mut() {
            *s = substitute(s, params)?;
        }
        Ok(())
    };
    for step in &mut layout.steps {
        sub_all(&mut step.expected_command)?;
        for r in step
            .expected_materials
            .iter_mut()
            .chain(step.expected_products.iter_mut())
        {
            sub_all(r)?;
        }
    }
    for insp in &mut layout.inspect {
        sub_all(&mut insp.run)?;
        for r in insp
            .expected_materials
            .iter_mut()
            .chain(insp.expected_products.iter_mut())
        {
            sub_all(r)?;
        }
    }
    Ok(())
}

/// Verifies a supply chain: `layout` (read with [`Metadata::read_file`]) against the
/// layout keys, links in the link directory, and the inspections' view of the work
/// directory. `Err(IntotoError::Verification)` is a failed verification; other errors are
/// unreadable input.
pub fn verify(layout: &Metadata, opts: &VerifyOptions) -> Result<Report, IntotoError> {
    let mut warnings = Vec::new();
    let summary = verify_inner(layout, opts, "", 0, &mut warnings)?;
    Ok(Report { warnings, summary })
}

fn verify_inner(
    md: &Metadata,
    opts: &VerifyOptions,
    summary_name: &str,
    depth: usize,
    warnings: &mut Vec<String>,
) -> Result<Link, IntotoError> {
    let fail = |f: Failure| Err(IntotoError::Verification(f));
    // 1. layout signatures
    if opts.layout_keys.is_empty() {
        return Err(IntotoError::Parameter(
            "at least one layout key is needed".into(),
        ));
    }
    let mut keys: Vec<&LayoutKey> = Vec::new();
    for k in &opts.layout_keys {
        if !keys.iter().any(|h| h.keyid() == k.keyid()) {
            keys.push(k);
        }
    }
    let threshold = opts.layout_threshold.unwrap_or(keys.len()).max(1);
    let mut valid = 0;
    let mut detail = Vec::new();
    for k in &keys {
        match md.verify_with(k) {
            Ok(()) => valid += 1,
            Err(e) => detail.push(e),
        }
    }
    if valid < threshold {
        return fail(Failure::LayoutSignature {
            valid,
            threshold,
            detail,
        });
    }
    let Payload::Layout(layout) = &md.payload else {
        return Err(IntotoError::Parameter(
            "the layout file holds a link, not a layout".into(),
        ));
    };
    let mut layout: Layout = (**layout).clone();
    // 2. expiry
    let expires = crate::time::parse_utc(&layout.expires).map_err(IntotoError::Parameter)?;
    if expires < opts.now {
        return fail(Failure::LayoutExpired {
            expires: layout.expires.clone(),
        });
    }
    // 3. parameters
    if let Some(p) = &opts.params {
        substitute_layout(&mut layout, p)?;
    }
    // 4. links per step: find the files (authorised key ids and, for OpenPGP, subkeys)
    let mut candidates: Vec<(usize, String, String, PathBuf)> = Vec::new();
    for (si, step) in layout.steps.iter().enumerate() {
        let before = candidates.len();
        for keyid in &step.pubkeys {
            let file_ids = match layout.keys.get(keyid) {
                Some(Ok(k)) => k.link_keyids(),
                _ => vec![keyid.clone()],
            };
            for fid in file_ids {
                if candidates[before..].iter().any(|(_, _, f, _)| *f == fid) {
                    continue;
                }
                let path = opts.link_dir.join(link_file_name(&step.name, &fid));
                if path.is_file() {
                    candidates.push((si, keyid.clone(), fid, path));
                }
            }
        }
        let found = candidates.len() - before;
        if found < step.threshold {
            return fail(Failure::LinkNotFound {
                step: step.name.clone(),
                threshold: step.threshold,
                found,
            });
        }
    }
    // read and check the signatures of all links in parallel (they are independent)
    let checked: Vec<Result<Checked, IntotoError>> = candidates
        .par_iter()
        .map(|(_, keyid, _, path)| {
            let md = Metadata::read_file(path)?;
            let sig = match layout.keys.get(keyid) {
                Some(Ok(k)) => md.verify_with(k),
                Some(Err(e)) => Err(format!(
                    "the layout's key {} is unusable: {e}",
                    short(keyid)
                )),
                None => Err(format!("key {} is not in the layout's keys", short(keyid))),
            };
            let item = match md.into_link() {
                Ok(l) => Item::Link(l),
                Err(md) => Item::Layout(md),
            };
            Ok((item, sig))
        })
        .collect();
    let mut per_step: Vec<Vec<(String, String, Checked)>> =
        layout.steps.iter().map(|_| Vec::new()).collect();
    for ((si, keyid, fid, _), r) in candidates.into_iter().zip(checked) {
        per_step[si].push((keyid, fid, r?));
    }
    // 5. link signatures and thresholds
    let mut verified: BTreeMap<String, Vec<(String, Item)>> = BTreeMap::new();
    for (step, links) in layout.steps.iter().zip(per_step) {
        let mut ok = Vec::new();
        let mut detail = Vec::new();
        let mut counted: Vec<String> = Vec::new();
        for (keyid, fid, (link, sig)) in links {
            let file = link_file_name(&step.name, &fid);
            if let Err(e) = sig {
                detail.push(format!("{file}: {e}"));
                continue;
            }
            if let Item::Link(l) = &link
                && l.name != step.name
            {
                detail.push(format!("{file}: the link is for step '{}'", l.name));
                continue;
            }
            if counted.contains(&keyid) {
                detail.push(format!(
                    "{file}: another link of the same key {} counts already",
                    short(&keyid)
                ));
                continue;
            }
            counted.push(keyid.clone());
            ok.push((keyid, link));
        }
        if ok.len() < step.threshold {
            return fail(Failure::Threshold {
                step: step.name.clone(),
                threshold: step.threshold,
                valid: ok.len(),
                detail,
            });
        }
        warnings.extend(
            detail
                .into_iter()
                .map(|d| format!("step '{}': skipped {d}", step.name)),
        );
        verified.insert(step.name.clone(), ok);
    }
    // 6. sublayouts
    let mut chain: BTreeMap<String, Vec<(String, Link)>> = BTreeMap::new();
    for step in &layout.steps {
        let mut links = Vec::new();
        for (keyid, item) in verified.remove(&step.name).unwrap_or_default() {
            match item {
                Item::Link(l) => links.push((keyid, l)),
                Item::Layout(md) => {
                    if depth >= MAX_SUBLAYOUT_DEPTH {
                        return Err(IntotoError::Parameter(format!(
                            "sublayouts nested deeper than {MAX_SUBLAYOUT_DEPTH}"
                        )));
                    }
                    let Some(Ok(key)) = layout.keys.get(&keyid) else {
                        continue;
                    };
                    let sub = VerifyOptions {
                        layout_keys: vec![key.clone()],
                        layout_threshold: Some(1),
                        link_dir: opts
                            .link_dir
                            .join(format!("{}.{}", step.name, short(&keyid))),
                        params: None,
                        inspection_timeout: opts.inspection_timeout,
                        now: opts.now,
                        work_dir: opts.work_dir.clone(),
                    };
                    match verify_inner(&md, &sub, &step.name, depth + 1, warnings) {
                        Ok(summary) => links.push((keyid, summary)),
                        Err(IntotoError::Verification(inner)) => {
                            return fail(Failure::Sublayout {
                                step: step.name.clone(),
                                keyid,
                                inner: Box::new(inner),
                            });
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        chain.insert(step.name.clone(), links);
    }
    // 7. command alignment (warnings only)
    for step in &layout.steps {
        for (keyid, l) in chain.get(&step.name).into_iter().flatten() {
            if l.command != step.expected_command {
                warnings.push(format!(
                    "step '{}': {} ran '{}' but the layout expects '{}'",
                    step.name,
                    link_file_name(&step.name, keyid),
                    l.command.join(" "),
                    step.expected_command.join(" ")
                ));
            }
        }
    }
    // 8. threshold agreement, then one link per step
    let mut reduced: BTreeMap<String, Link> = BTreeMap::new();
    for step in &layout.steps {
        let links = chain.remove(&step.name).unwrap_or_default();
        if step.threshold > 1
            && let Some((rk, rl)) = links.first()
        {
            for (k, l) in &links[1..] {
                if l.materials != rl.materials || l.products != rl.products {
                    return fail(Failure::DifferentArtifacts {
                        step: step.name.clone(),
                        links: (
                            link_file_name(&step.name, rk),
                            link_file_name(&step.name, k),
                        ),
                    });
                }
            }
        }
        if let Some((_, l)) = links.into_iter().next() {
            reduced.insert(step.name.clone(), l);
        }
    }
    // 9. step rules
    for step in &layout.steps {
        check_item(
            &step.name,
            false,
            [&step.expected_materials, &step.expected_products],
            &reduced,
        )?;
    }
    // 10. inspections
    let work: PathBuf = opts.work_dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let mut combined = reduced;
    for insp in &layout.inspect {
        let link = run_inspection(&insp.name, &insp.run, &work, opts.inspection_timeout)?;
        combined.insert(insp.name.clone(), link);
    }
    // 11. inspection rules
    for insp in &layout.inspect {
        check_item(
            &insp.name,
            true,
            [&insp.expected_materials, &insp.expected_products],
            &combined,
        )?;
    }
    // summary
    let mut summary = Link::new(summary_name);
    if let (Some(first), Some(last)) = (layout.steps.first(), layout.steps.last()) {
        if let Some(l) = combined.get(&first.name) {
            summary.materials = l.materials.clone();
        }
        if let Some(l) = combined.get(&last.name) {
            summary.products = l.products.clone();
            summary.byproducts = l.byproducts.clone();
            summary.command = l.command.clone();
        }
    }
    Ok(summary)
}

/// Applies an item's material and product rules to its link in `links` (if it has one).
fn check_item(
    name: &str,
    inspection: bool,
    rules: [&Vec<Vec<String>>; 2],
    links: &BTreeMap<String, Link>,
) -> Result<(), IntotoError> {
    let Some(link) = links.get(name) else {
        return Ok(());
    };
    for (kind, rules) in [ArtifactKind::Materials, ArtifactKind::Products]
        .into_iter()
        .zip(rules)
    {
        if let Err(failure) = apply_rules(kind, rules, link, links) {
            return Err(IntotoError::Verification(Failure::Rule {
                item: name.to_string(),
                inspection,
                kind,
                failure,
            }));
        }
    }
    Ok(())
}

/// Runs an inspection in `work`: the directory's files before are the materials, after
/// the products (Python's default excludes apply).
pub fn run_inspection(
    name: &str,
    run: &[String],
    work: &Path,
    timeout: Duration,
) -> Result<Link, IntotoError> {
    let rec = RecordOptions {
        base_path: Some(work.to_path_buf()),
        ..RecordOptions::default()
    };
    let mut link = Link::new(name);
    link.command = run.to_vec();
    link.materials = record_artifacts(&[".".to_string()], &rec)?;
    let res = match run_command(run, Some(work), Some(timeout)) {
        Ok(r) => r,
        Err(IntotoError::Timeout { seconds, .. }) => {
            return Err(IntotoError::Verification(Failure::Inspection {
                name: name.to_string(),
                detail: format!("'{}' timed out after {seconds} s", run.join(" ")),
            }));
        }
        Err(e) => {
            return Err(IntotoError::Verification(Failure::Inspection {
                name: name.to_string(),
                detail: e.to_string(),
            }));
        }
    };
    if res.return_value != 0 {
        return Err(IntotoError::Verification(Failure::Inspection {
            name: name.to_string(),
            detail: format!(
                "'{}' returned {}: {}",
                run.join(" "),
                res.return_value,
                res.stderr.trim()
            ),
        }));
    }
    link.byproducts = res.byproducts();
    link.products = record_artifacts(&[".".to_string()], &rec)?;
    Ok(link)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitution_like_str_format() {
        let p = BTreeMap::from([("EDITOR".to_string(), "vim".to_string())]);
        assert_eq!(substitute("{EDITOR} x {{y}}", &p).unwrap(), "vim x {y}");
        assert!(substitute("{NOPE}", &p).is_err());
        assert!(substitute("a}b", &p).is_err());
        assert!(substitute("{EDITOR", &p).is_err());
    }
}
