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
        &mut files,
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

/// The CycloneDX document is streamed in parallel batches (2,048 components each); a lock
/// with more components than that must still come out exactly as serde_json lays out the
/// whole document, and its serial must be the hash of the document with the placeholder
/// serial in its place. Written to a Vec and to a file, the bytes are the same.
#[test]
fn streamed_cyclonedx_is_one_pretty_document_with_its_content_serial() {
    let lock =
        palisade_lockfile::parse_file(&shared().join("pnpm/pnpm-many-deps.pnpm-lock.yaml"), None)
            .expect("parses");
    let mut files = vec![("pnpm-lock.yaml".to_string(), lock)];
    let sbom = palisade_sbom::assemble(
        Project {
            name: "big".into(),
            version: Some("1.0.0".into()),
        },
        &mut files,
    );
    assert!(
        sbom.components.len() > 3 * 1024,
        "{}",
        sbom.components.len()
    );
    let bytes = palisade_sbom::write(&sbom, SbomFormat::CycloneDxJson, "2026-11-25T00:00:00Z");

    let mut v: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    let serial = v["serialNumber"].as_str().expect("serial").to_string();
    const PLACEHOLDER: &str = "urn:uuid:00000000-0000-5000-8000-000000000000";
    v["serialNumber"] = serde_json::json!(PLACEHOLDER);
    let mut whole = serde_json::to_vec_pretty(&v).expect("render");
    whole.push(b'\n');
    let text = String::from_utf8(bytes.clone()).expect("UTF-8");
    assert_eq!(
        text.replacen(&serial, PLACEHOLDER, 1),
        String::from_utf8(whole.clone()).expect("UTF-8"),
        "the streamed layout differs from serde_json's for the whole document"
    );
    // The serial: SHA-256 of the placeholder document, shaped as a version-5 UUID.
    use sha2::Digest as _;
    let digest: String = sha2::Sha256::digest(&whole)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut want = digest[..32].to_string();
    let b6 = (u8::from_str_radix(&want[12..14], 16).expect("hex") & 0x0f) | 0x50;
    let b8 = (u8::from_str_radix(&want[16..18], 16).expect("hex") & 0x3f) | 0x80;
    want.replace_range(12..14, &format!("{b6:02x}"));
    want.replace_range(16..18, &format!("{b8:02x}"));
    let want = format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &want[0..8],
        &want[8..12],
        &want[12..16],
        &want[16..20],
        &want[20..32]
    );
    assert_eq!(serial, want);

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bom.json");
    let mut file = std::fs::File::create(&path).expect("create");
    palisade_sbom::write_to(
        &sbom,
        SbomFormat::CycloneDxJson,
        "2026-11-25T00:00:00Z",
        &mut file,
    )
    .expect("write");
    drop(file);
    assert_eq!(std::fs::read(&path).expect("read"), bytes);
}
