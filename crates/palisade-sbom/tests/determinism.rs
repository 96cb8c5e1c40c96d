//! Same tree, different directories and times: byte-identical SBOMs.

use std::path::{Path, PathBuf};

use palisade_sbom::{Project, SbomFormat};

fn shared() -> PathBuf {
    Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("../../../shared/lockfiles")
}

/// A small project tree: conventional names in sub-directories, plus a gitignored file.
fn make_tree(root: &Path) {
    let files = [
        ("npm/trivy-package-lock_v3.json", "web/package-lock.json"),
        (
            "pnpm/scalibr-peer-dependencies-advanced.v9.pnpm-lock.yaml",
            "ui/pnpm-lock.yaml",
        ),
        ("rust/trivy-cargo_v3.lock", "Cargo.lock"),
        ("python/trivy-uv_normal.lock", "py/uv.lock"),
        ("go/scalibr-indirect-1.23.go.mod", "go.mod"),
        ("ruby/scalibr-has-git-gem.Gemfile.lock", "rb/Gemfile.lock"),
        ("php/trivy-composer_happy.lock", "php/composer.lock"),
        ("yarn/trivy-yarn_happy.lock", "ignored/yarn.lock"),
    ];
    for (from, to) in files {
        let dest = root.join(to);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        std::fs::copy(shared().join(from), &dest).expect("copy");
    }
    std::fs::write(root.join(".gitignore"), "ignored/\n").expect("gitignore");
}

fn generate(root: &Path, format: SbomFormat) -> Vec<u8> {
    let paths = palisade_sbom::discover(root).expect("discover");
    assert_eq!(
        paths.len(),
        7,
        "gitignored yarn.lock must not be found: {paths:?}"
    );
    let mut files = Vec::new();
    let inputs: Vec<_> = paths.iter().map(|p| (p.clone(), None)).collect();
    for (p, r) in paths.iter().zip(palisade_sbom::load(&inputs)) {
        let rel = p
            .strip_prefix(root)
            .expect("under root")
            .to_string_lossy()
            .to_string();
        files.push((rel, r.expect("parses")));
    }
    let sbom = palisade_sbom::assemble(
        Project {
            name: "demo".into(),
            version: None,
        },
        &files,
    );
    palisade_sbom::write(
        &sbom,
        format,
        &palisade_sbom::creation_time().expect("time"),
    )
}

#[test]
fn byte_identical_in_different_directories() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    make_tree(&a.path().join("proj"));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    make_tree(&b.path().join("proj"));
    for format in [
        SbomFormat::CycloneDxJson,
        SbomFormat::SpdxJson,
        SbomFormat::Spdx3Json,
    ] {
        let x = generate(&a.path().join("proj"), format);
        let y = generate(&b.path().join("proj"), format);
        assert!(x == y, "{format:?}: outputs differ");
        let text = String::from_utf8(x).expect("utf-8");
        assert!(
            !text.contains(&a.path().display().to_string()),
            "absolute path leaked"
        );
    }
}

#[test]
fn serial_number_follows_content() {
    let a = tempfile::tempdir().expect("tempdir");
    make_tree(a.path());
    let one = generate(a.path(), SbomFormat::CycloneDxJson);
    std::fs::remove_file(a.path().join("go.mod")).expect("rm");
    std::fs::copy(
        shared().join("go/scalibr-toolchain-with-suffix.go.mod"),
        a.path().join("go.mod"),
    )
    .expect("copy");
    let two = generate(a.path(), SbomFormat::CycloneDxJson);
    let serial = |b: &[u8]| -> String {
        let v: serde_json::Value = serde_json::from_slice(b).expect("json");
        v["serialNumber"].as_str().expect("serial").to_string()
    };
    assert_ne!(serial(&one), serial(&two));
}
