//! Licences of crates.io packages from a local Cargo home: `Cargo.lock` does not record
//! them, the crates' own `Cargo.toml` does. Read from `registry/src/*/<name>-<version>/`
//! or, failing that, from the downloaded `registry/cache/*/<name>-<version>.crate`.
//! Local files only: nothing is fetched.

use std::io::Read as _;
use std::path::{Path, PathBuf};

/// Largest `Cargo.toml` read.
const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
/// Largest `.crate` archive read through (decompressed).
const MAX_CRATE_BYTES: u64 = 512 * 1024 * 1024;

/// What a crate's manifest says about its licence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrateLicence {
    /// `package.license`: an SPDX expression (possibly with `/` for OR, as Cargo allows).
    Expression(String),
    /// Neither found nor judgeable; the reason.
    Unknown(String),
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

fn from_manifest(text: &str) -> CrateLicence {
    let v: toml::Value = match toml::from_str(text) {
        Ok(v) => v,
        Err(e) => return CrateLicence::Unknown(format!("Cargo.toml is not TOML: {e}")),
    };
    let pkg = v.get("package");
    match pkg.and_then(|p| p.get("license")).and_then(|l| l.as_str()) {
        // Cargo has long accepted `/` for OR.
        Some(l) => CrateLicence::Expression(l.replace('/', " OR ")),
        None if pkg.and_then(|p| p.get("license-file")).is_some() => CrateLicence::Unknown(
            "the crate names only a licence file (license-file), not an SPDX expression".into(),
        ),
        None => CrateLicence::Unknown("the crate declares no licence".into()),
    }
}

/// The licence of `name` `version` as found in `cargo_home` (e.g. `~/.cargo`).
pub fn crate_licence(cargo_home: &Path, name: &str, version: &str) -> CrateLicence {
    let stem = format!("{name}-{version}");
    if stem.contains(['/', '\\']) || stem.contains("..") {
        return CrateLicence::Unknown("not a crate name".into());
    }
    for reg in subdirs(&cargo_home.join("registry/src")) {
        let manifest = reg.join(&stem).join("Cargo.toml");
        if manifest.is_file() {
            return match palisade_io::read_limited(&manifest, MAX_MANIFEST_BYTES) {
                Ok(b) => from_manifest(&String::from_utf8_lossy(&b)),
                Err(e) => CrateLicence::Unknown(e.to_string()),
            };
        }
    }
    for reg in subdirs(&cargo_home.join("registry/cache")) {
        let archive = reg.join(format!("{stem}.crate"));
        if let Ok(f) = std::fs::File::open(&archive) {
            let gz = flate2::read::GzDecoder::new(std::io::BufReader::new(f));
            let mut ar = tar::Archive::new(gz.take(MAX_CRATE_BYTES));
            let want = format!("{stem}/Cargo.toml");
            let Ok(entries) = ar.entries() else {
                return CrateLicence::Unknown(format!("{}: not a .crate", archive.display()));
            };
            for e in entries.flatten() {
                if e.path().is_ok_and(|p| p.to_string_lossy() == want) {
                    let mut text = String::new();
                    return match e.take(MAX_MANIFEST_BYTES).read_to_string(&mut text) {
                        Ok(_) => from_manifest(&text),
                        Err(err) => CrateLicence::Unknown(format!("{}: {err}", archive.display())),
                    };
                }
            }
            return CrateLicence::Unknown(format!("{}: no Cargo.toml", archive.display()));
        }
    }
    CrateLicence::Unknown(format!(
        "not in the Cargo home {} (registry/src or registry/cache)",
        cargo_home.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests() {
        assert_eq!(
            from_manifest("[package]\nname='a'\nlicense='Apache-2.0/MIT'\n"),
            CrateLicence::Expression("Apache-2.0 OR MIT".into())
        );
        assert!(matches!(
            from_manifest("[package]\nname='a'\nlicense-file='LICENSE'\n"),
            CrateLicence::Unknown(r) if r.contains("license-file")
        ));
        assert!(matches!(
            from_manifest("[package"),
            CrateLicence::Unknown(_)
        ));
        let d = tempfile::tempdir().expect("tmp");
        let src = d.path().join("registry/src/idx/foo-1.0.0");
        std::fs::create_dir_all(&src).expect("mkdir");
        std::fs::write(src.join("Cargo.toml"), "[package]\nlicense = \"MIT\"\n").expect("w");
        assert_eq!(
            crate_licence(d.path(), "foo", "1.0.0"),
            CrateLicence::Expression("MIT".into())
        );
        assert!(matches!(
            crate_licence(d.path(), "foo", "2.0.0"),
            CrateLicence::Unknown(_)
        ));
        assert!(matches!(
            crate_licence(d.path(), "../x", "1"),
            CrateLicence::Unknown(_)
        ));
        // Only the downloaded archive: read from the .crate.
        let cache = d.path().join("registry/cache/idx");
        std::fs::create_dir_all(&cache).expect("mkdir");
        let f = std::fs::File::create(cache.join("bar-0.2.0.crate")).expect("create");
        let gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
        let mut tb = tar::Builder::new(gz);
        let body = b"[package]\nname = \"bar\"\nlicence-typo = 1\nlicense = \"BSD-3-Clause\"\n";
        let mut h = tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tb.append_data(&mut h, "bar-0.2.0/Cargo.toml", &body[..])
            .expect("append");
        tb.into_inner().expect("tar").finish().expect("gz");
        assert_eq!(
            crate_licence(d.path(), "bar", "0.2.0"),
            CrateLicence::Expression("BSD-3-Clause".into())
        );
        std::fs::write(cache.join("baz-1.0.0.crate"), b"not gzip").expect("w");
        assert!(matches!(
            crate_licence(d.path(), "baz", "1.0.0"),
            CrateLicence::Unknown(_)
        ));
    }
}
