//! Forge controls: what the forge hosting a repository (GitHub, GitLab) enforces, for the
//! source-phase controls of the CNCF Software Supply Chain Best Practices that only a
//! forge can tell: branch protection and rulesets, independent two-party review on merged
//! changes, MFA, contribution policy and least-privilege roles, keys rather than
//! passwords and long-lived tokens.
//!
//! Answers come from an [`Api`]: the live REST API ([`HttpApi`], with a token), or a
//! directory of answers exported earlier ([`DirApi`], written by [`Recorder`] behind
//! `palisade forge export`), so the audit itself can run offline. [`assess`] turns them
//! into a verdict per control with evidence; an answer that cannot be had (no token,
//! missing permission, rate limit) makes that control `unknown` with the reason, never a
//! guess. The repository's own files and git config give the local half: a CONTRIBUTING
//! file, remotes that embed credentials.
//!
//! Not here: HTTP (`palisade-http`), git access (`palisade-source`), rendering
//! (`palisade-report`).

pub mod api;
mod github;
mod gitlab;
mod verdict;

use std::collections::BTreeMap;

use palisade_report::{Evidence, Status};

pub use api::{Api, ApiError, DirApi, Flavour, HttpApi, Page, Recorder};

/// The controls this crate decides, in catalogue order.
pub const CONTROLS: [&str; 5] = [
    "source.contribution-policy",
    "source.two-party-review",
    "source.branch-protection",
    "source.mfa",
    "source.ssh-keys",
];

/// A repository on a forge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForgeRepo {
    /// Which forge.
    pub flavour: Flavour,
    /// Host name (`github.com`).
    pub host: String,
    /// `owner/name` (GitHub) or `group/subgroup/name` (GitLab).
    pub path: String,
}

impl ForgeRepo {
    /// Reads a git remote URL (`https://github.com/o/r.git`, `git@github.com:o/r.git`,
    /// `ssh://git@gitlab.example/g/r`). The forge is GitHub for `github.com` and
    /// GitLab for `gitlab.com` or a host whose name contains `gitlab`; `flavour`
    /// overrides that guess for other hosts.
    pub fn from_url(url: &str, flavour: Option<Flavour>) -> Option<ForgeRepo> {
        let url = url.trim();
        let (host, path) = if let Some(rest) = url.split_once("://").map(|(_, r)| r) {
            let (authority, path) = rest.split_once('/')?;
            let host = authority.rsplit('@').next()?;
            let host = host.split(':').next()?;
            (host.to_string(), path.to_string())
        } else {
            // scp-like: [user@]host:path
            let (left, path) = url.split_once(':')?;
            let host = left.rsplit('@').next()?;
            (host.to_string(), path.to_string())
        };
        let host = host.to_ascii_lowercase();
        let path = path
            .trim_matches('/')
            .trim_end_matches(".git")
            .trim_matches('/')
            .to_string();
        let segments: Vec<&str> = path.split('/').collect();
        if host.is_empty()
            || segments.len() < 2
            || segments
                .iter()
                .any(|s| s.is_empty() || *s == "." || *s == ".." || !s.chars().all(ok_char))
        {
            return None;
        }
        let flavour = flavour.or(if host == "github.com" || host.ends_with(".ghe.com") {
            Some(Flavour::GitHub)
        } else if host.contains("gitlab") {
            Some(Flavour::GitLab)
        } else {
            None
        })?;
        if flavour == Flavour::GitHub && segments.len() != 2 {
            return None;
        }
        Some(ForgeRepo {
            flavour,
            host,
            path,
        })
    }

    /// The first remote (by preference `origin`, then `upstream`, then any) that names a
    /// repository on a forge.
    pub fn from_remotes(
        remotes: &[(String, String)],
        flavour: Option<Flavour>,
    ) -> Option<ForgeRepo> {
        let rank = |name: &str| match name {
            "origin" => 0,
            "upstream" => 1,
            _ => 2,
        };
        let mut sorted: Vec<&(String, String)> = remotes.iter().collect();
        sorted.sort_by_key(|(n, _)| rank(n));
        sorted
            .iter()
            .find_map(|(_, url)| ForgeRepo::from_url(url, flavour))
    }

    /// The owner (first path segment).
    pub fn owner(&self) -> &str {
        self.path.split('/').next().unwrap_or_default()
    }

    /// The API root that serves this repository by default.
    pub fn default_api(&self) -> String {
        match (self.flavour, self.host.as_str()) {
            (Flavour::GitHub, "github.com") => "https://api.github.com".into(),
            (Flavour::GitHub, host) => format!("https://{host}/api/v3"),
            (Flavour::GitLab, host) => format!("https://{host}/api/v4"),
        }
    }
}

fn ok_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// A URL with any `user:password@` or token user-info replaced by `***`.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        if let Some((userinfo, host)) = authority.rsplit_once('@')
            && (userinfo.contains(':') || looks_like_token(userinfo))
        {
            return format!("{scheme}://***@{host}/{path}");
        }
    }
    url.to_string()
}

/// Whether a remote URL carries a password or a token (`https://user:secret@host/...`,
/// `https://ghp_xxx@github.com/...`, `https://oauth2:glpat-...@gitlab.com/...`).
pub fn url_has_credentials(url: &str) -> bool {
    redact_url(url) != url
}

fn looks_like_token(userinfo: &str) -> bool {
    const PREFIXES: [&str; 8] = [
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "glpat-",
        "x-access-token",
    ];
    PREFIXES.iter().any(|p| userinfo.starts_with(p)) || userinfo.len() >= 32
}

/// The repository's own side of the forge controls.
#[derive(Debug, Clone, Default)]
pub struct Local {
    /// Contribution-policy files found (`CONTRIBUTING.md`, `.github/CONTRIBUTING.md`…),
    /// relative paths.
    pub contributing: Vec<String>,
    /// git remotes (name, URL as configured).
    pub remotes: Vec<(String, String)>,
}

/// Tunables of the assessment (`palisade.toml` `[forge]`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// How many recently merged pull/merge requests are checked for independent review.
    pub pr_limit: usize,
    /// Most people with admin rights before least privilege counts as not met.
    pub max_admins: usize,
    /// Fewest independent approvals each change needs (the paper: two).
    pub min_approvals: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            pr_limit: 30,
            max_admins: 3,
            min_approvals: 2,
        }
    }
}

/// The verdict per forge control.
#[derive(Debug, Clone, Default)]
pub struct Assessment {
    results: BTreeMap<String, (Status, Vec<Evidence>)>,
}

impl Assessment {
    /// The verdict on `control` (`unknown` for a control this crate does not decide).
    pub fn control(&self, control: &str) -> (Status, Vec<Evidence>) {
        self.results.get(control).cloned().unwrap_or_else(|| {
            (
                Status::Unknown,
                vec![Evidence::note(format!("{control} is not a forge control"))],
            )
        })
    }

    pub(crate) fn set(&mut self, control: &str, status: Status, evidence: Vec<Evidence>) {
        self.results.insert(control.to_string(), (status, evidence));
    }
}

/// What the forge says, or why it cannot be asked.
pub enum Access<'a> {
    /// Answers from this source about this repository.
    Api(&'a dyn Api, &'a ForgeRepo),
    /// No forge data: the reason (shown as evidence).
    None(String),
}

/// Decides the forge controls.
pub fn assess(access: Access<'_>, local: &Local, settings: &Settings) -> Assessment {
    let mut a = Assessment::default();
    match access {
        Access::None(reason) => {
            for c in CONTROLS {
                a.set(c, Status::Unknown, vec![Evidence::note(reason.clone())]);
            }
        }
        Access::Api(api, repo) => match repo.flavour {
            Flavour::GitHub => github::assess(api, repo, settings, &mut a),
            Flavour::GitLab => gitlab::assess(api, repo, settings, &mut a),
        },
    }
    apply_local(&mut a, local);
    a
}

/// Folds the repository's own evidence into the forge verdicts.
fn apply_local(a: &mut Assessment, local: &Local) {
    // Contribution policy: a CONTRIBUTING file is the written half.
    let (status, mut ev) = a.control("source.contribution-policy");
    let status = if local.contributing.is_empty() {
        ev.insert(
            0,
            Evidence::note("no CONTRIBUTING file (CONTRIBUTING.md, .github/ or docs/)"),
        );
        match status {
            Status::Pass | Status::Partial => Status::Partial,
            _ => Status::Fail,
        }
    } else {
        for p in &local.contributing {
            ev.insert(0, Evidence::at("contribution policy", p.clone(), None));
        }
        match status {
            Status::Unknown => Status::Partial,
            s => s,
        }
    };
    a.set("source.contribution-policy", status, ev);

    // Keys, not passwords: a remote that embeds a password or token fails outright.
    let bad: Vec<&(String, String)> = local
        .remotes
        .iter()
        .filter(|(_, u)| url_has_credentials(u))
        .collect();
    if !bad.is_empty() {
        let (_, mut ev) = a.control("source.ssh-keys");
        for (name, url) in bad {
            ev.insert(
                0,
                Evidence::note(format!(
                    "git remote '{name}' embeds a credential: {}",
                    redact_url(url)
                )),
            );
        }
        a.set("source.ssh-keys", Status::Fail, ev);
    }
}

/// A key's algorithm and size, and whether it is too weak (DSA, RSA under 2048 bits).
pub(crate) fn key_strength(openssh: &str) -> (String, bool) {
    match ssh_key::PublicKey::from_openssh(openssh.trim()) {
        Ok(k) => {
            use ssh_key::public::KeyData;
            match k.key_data() {
                KeyData::Rsa(r) => {
                    let bits = r.n.as_positive_bytes().map(|b| b.len() * 8).unwrap_or(0);
                    (format!("RSA {bits} bits"), bits < 2048)
                }
                KeyData::Dsa(_) => ("DSA".into(), true),
                other => (other.algorithm().to_string(), false),
            }
        }
        Err(_) => ("unreadable key".into(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_name_the_forge() {
        for (url, path) in [
            ("https://github.com/o/r.git", "o/r"),
            ("git@github.com:o/r.git", "o/r"),
            ("ssh://git@github.com/o/r", "o/r"),
            ("https://user:tok@github.com/o/r/", "o/r"),
        ] {
            let r = ForgeRepo::from_url(url, None).unwrap();
            assert_eq!(
                (r.flavour, r.path.as_str()),
                (Flavour::GitHub, path),
                "{url}"
            );
        }
        let r = ForgeRepo::from_url("git@gitlab.com:g/sub/p.git", None).unwrap();
        assert_eq!((r.flavour, r.path.as_str()), (Flavour::GitLab, "g/sub/p"));
        assert_eq!(r.default_api(), "https://gitlab.com/api/v4");
        assert!(ForgeRepo::from_url("https://example.org/o/r", None).is_none());
        assert!(ForgeRepo::from_url("https://github.com/o/../r", None).is_none());
        assert!(ForgeRepo::from_url("https://github.com/o", None).is_none());
        assert_eq!(
            ForgeRepo::from_url("https://git.example.org/o/r", Some(Flavour::GitLab))
                .unwrap()
                .default_api(),
            "https://git.example.org/api/v4"
        );
        let remotes = vec![
            ("fork".to_string(), "git@github.com:me/r.git".to_string()),
            ("origin".to_string(), "https://github.com/up/r".to_string()),
        ];
        assert_eq!(
            ForgeRepo::from_remotes(&remotes, None).unwrap().path,
            "up/r"
        );
    }

    #[test]
    fn credentials_in_remotes_are_found_and_redacted() {
        assert!(url_has_credentials("https://me:hunter2@github.com/o/r"));
        assert!(url_has_credentials(
            "https://ghp_abcdefabcdefabcdefabcdefabcdefabcdef12@github.com/o/r"
        ));
        assert!(!url_has_credentials("https://github.com/o/r"));
        assert!(!url_has_credentials("ssh://git@github.com/o/r"));
        assert!(!url_has_credentials("git@github.com:o/r"));
        assert_eq!(
            redact_url("https://me:hunter2@github.com/o/r"),
            "https://***@github.com/o/r"
        );
    }

    #[test]
    fn without_forge_access_controls_are_unknown_but_local_evidence_counts() {
        let local = Local {
            contributing: vec![],
            remotes: vec![("origin".into(), "https://me:pw@github.com/o/r".into())],
        };
        let a = assess(
            Access::None("needs forge access".into()),
            &local,
            &Settings::default(),
        );
        assert_eq!(a.control("source.mfa").0, Status::Unknown);
        assert_eq!(a.control("source.contribution-policy").0, Status::Fail);
        let (s, ev) = a.control("source.ssh-keys");
        assert_eq!(s, Status::Fail);
        assert!(ev[0].message.contains("https://***@github.com/o/r"));
        assert!(!format!("{ev:?}").contains("pw@"));
    }

    #[test]
    fn weak_keys_are_named() {
        let ed = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
        assert_eq!(key_strength(ed), ("ssh-ed25519".to_string(), false));
    }
}
