//! Rules as data: the built-in rule file (`rules/default.toml`, compiled in) and user
//! rules from `palisade.toml` `[secrets]`.

use serde::Deserialize;

use crate::SecretsError;

/// The built-in rules, as TOML.
pub const DEFAULT_RULES: &str = include_str!("../rules/default.toml");

/// One rule as written in a rule file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// Stable id (`aws-access-key-id`), used in fingerprints, baselines and `disable`.
    pub id: String,
    /// What the rule finds.
    pub description: String,
    /// Literal words, matched case-insensitively, one of which must occur near a match.
    /// The regex runs only around these hits.
    pub keywords: Vec<String>,
    /// The regex (Rust `regex` syntax, bytes, ASCII classes). The secret is the capture
    /// group named `secret`, else group 1, else the whole match.
    pub regex: String,
    /// Least Shannon entropy (bits per byte) of the secret.
    #[serde(default)]
    pub entropy: Option<f64>,
    /// A generic assignment rule: placeholder, stop-word and identifier filters apply.
    #[serde(default)]
    pub generic: bool,
    /// A rule whose context already says "this is a credential" (a connection string, a
    /// command-line password flag): any literal value counts, only references, the bare
    /// word `password` and filler runs are dropped. Ignored when `generic` is set.
    #[serde(default)]
    pub lenient: bool,
    /// The match may span lines (private key blocks): the regex sees 16 KiB after the hit.
    #[serde(default)]
    pub multiline: bool,
    /// The regex also sees the whole lines that start at most this many bytes (at most
    /// 1 KiB) before the keyword's line: for a secret whose context comes first (a user
    /// name on the line above a password).
    #[serde(default)]
    pub lookback: Option<usize>,
    /// A check of the secret's decoded form, for shapes a regex cannot tell apart.
    #[serde(default)]
    pub validate: Option<Validate>,
    /// The rule applies only to files whose path matches this regex.
    #[serde(default)]
    pub path: Option<String>,
    /// Shown in SARIF as `security-severity` (0–10); default 7.
    #[serde(default)]
    pub severity: Option<f32>,
    /// Texts the rule must find a secret in.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Texts the rule must find nothing in.
    #[serde(default)]
    pub negative: Vec<String>,
}

/// Checks a rule can ask for on its secret (`validate = "jwt-header"`).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Validate {
    /// The first dot-separated segment decodes (base64url) to a JSON object with `alg`
    /// or `typ`: a JWT / JWS / JWE header.
    JwtHeader,
    /// The value decodes (base64) to `user:password`: HTTP basic credentials.
    BasicCredentials,
    /// A value starting `eyJrIjoi` (base64 of `{"k":"`) decodes to a JSON object that
    /// also has the `"n"` (name) member of a Grafana API key; a Power BI report link's
    /// `{"k":…,"t":…}` does not. Other values pass.
    GrafanaApiKey,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleDef>,
}

/// Parses a rule file (`[[rule]]` tables). `origin` names it in errors.
pub fn parse_rules(text: &str, origin: &str) -> Result<Vec<RuleDef>, SecretsError> {
    let f: RuleFile = toml::from_str(text).map_err(|e| SecretsError::Config {
        path: origin.to_string(),
        reason: e.to_string(),
    })?;
    Ok(f.rule)
}

/// The built-in rules.
pub fn default_rules() -> Result<Vec<RuleDef>, SecretsError> {
    parse_rules(DEFAULT_RULES, "built-in rules")
}

/// Paths a push must never add, as gitignore-style globs matched against the file name or
/// the whole path: private keys, `.env` files, cloud credential files.
pub const DEFAULT_DENY_PATHS: &[&str] = &[
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "*.ppk",
    "*.p12",
    "*.pfx",
    "*.keystore",
    "*.jks",
    ".env",
    ".env.*",
    "!.env.example",
    "!.env.sample",
    "!.env.template",
    ".aws/credentials",
    ".azure/accessTokens.json",
    ".config/gcloud/credentials.db",
    ".config/gcloud/application_default_credentials.json",
    ".docker/config.json",
    ".git-credentials",
    ".netrc",
    ".pgpass",
    "terraform.tfstate",
    "*.tfstate",
    "credentials.json",
    "service-account*.json",
    "*.kdbx",
];

/// Files refused only when they hold a private key (`PRIVATE KEY-----`): certificates
/// and public keys in these are fine.
pub const DEFAULT_DENY_IF_PRIVATE_KEY: &[&str] = &["*.pem", "*.key", "*.crt", "*.cer"];
