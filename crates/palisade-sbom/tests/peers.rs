//! Generated SBOMs are valid for the official tools: cyclonedx-python-lib's JSON
//! validator (CycloneDX 1.6, strict), `pyspdxtools -i` (SPDX 2.3) and the SPDX 3.0.1
//! bindings of spdx-python-model (load, link, re-serialise).
//!
//! The tools live in the venv at `PALISADE_PEERS_VENV` (default
//! `$HOME/.cache/palisade/venv`), made by `scripts/peers-sbom.sh`. A missing tool is a
//! failure, not a skip.

use std::path::{Path, PathBuf};
use std::process::Command;

use palisade_sbom::{Project, SbomFormat};

fn shared() -> PathBuf {
    Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("../../../shared/lockfiles")
}

fn venv() -> PathBuf {
    let v = std::env::var_os("PALISADE_PEERS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/palisade/venv")
        });
    for tool in ["bin/python", "bin/pyspdxtools"] {
        assert!(
            v.join(tool).exists(),
            "{} missing: run scripts/peers-sbom.sh (PALISADE_PEERS_VENV={})",
            v.join(tool).display(),
            v.display()
        );
    }
    v
}

/// Every file of the manifest smaller than `max_bytes` that parses.
fn sbom_of_fixtures(max_bytes: u64, format: SbomFormat) -> (Vec<u8>, usize) {
    let manifest = std::fs::read_to_string(shared().join("manifest.tsv")).expect("manifest.tsv");
    let mut files = Vec::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let size: u64 = cols[2].parse().expect("size");
        if size > max_bytes {
            continue;
        }
        if let Ok(l) = palisade_lockfile::parse_file(&shared().join(cols[0]), None) {
            files.push((cols[0].to_string(), l));
        }
    }
    let n = files.len();
    let project = Project {
        name: "fixtures".into(),
        version: Some("1.0.0".into()),
    };
    let sbom = palisade_sbom::assemble(project, &mut files);
    (
        palisade_sbom::write(&sbom, format, "2026-11-25T00:00:00Z"),
        n,
    )
}

const CDX_VALIDATE: &str = "
import sys
from cyclonedx.validation.json import JsonStrictValidator
from cyclonedx.schema import SchemaVersion
err = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())
if err is not None:
    print(repr(err)[:4000])
    sys.exit(1)
";

#[test]
fn cyclonedx_valid_for_cyclonedx_python_lib() {
    let venv = venv();
    // The validator takes minutes on the 13k components of all fixtures: the files
    // up to 32 KB (still every format; ~120 files).
    let (bytes, n) = sbom_of_fixtures(32_000, SbomFormat::CycloneDxJson);
    assert!(n > 90, "only {n} fixtures parsed");
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("bom.cdx.json");
    std::fs::write(&f, &bytes).expect("write");
    let out = Command::new(venv.join("bin/python"))
        .args(["-c", CDX_VALIDATE])
        .arg(&f)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "cyclonedx-python-lib rejects the SBOM:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn spdx_valid_for_pyspdxtools() {
    let venv = venv();
    // pyspdxtools is slow on big documents (minutes for 13k packages): small fixtures,
    // which still cover every format.
    let (bytes, n) = sbom_of_fixtures(8_000, SbomFormat::SpdxJson);
    assert!(n > 60, "only {n} fixtures parsed");
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("bom.spdx.json");
    std::fs::write(&f, &bytes).expect("write");
    let out = Command::new(venv.join("bin/pyspdxtools"))
        .arg("-i")
        .arg(&f)
        .output()
        .expect("run pyspdxtools");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && !text.contains("invalid"),
        "pyspdxtools rejects the SBOM:\n{text}"
    );
}

const SPDX3_VALIDATE: &str = "
import io, json, sys
import spdx_python_model
model, objset = spdx_python_model.load_data(json.load(open(sys.argv[1])))
missing = objset.link()
if missing:
    print('unresolved references:', sorted(missing)[:10])
    sys.exit(1)
model.JSONLDSerializer().write(objset, io.BytesIO())
";

#[test]
fn spdx3_valid_for_spdx_python_model() {
    let venv = venv();
    let (bytes, n) = sbom_of_fixtures(32_000, SbomFormat::Spdx3Json);
    assert!(n > 90, "only {n} fixtures parsed");
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("bom.spdx3.json");
    std::fs::write(&f, &bytes).expect("write");
    let out = Command::new(venv.join("bin/python"))
        .args(["-c", SPDX3_VALIDATE])
        .arg(&f)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "spdx-python-model rejects the SBOM (run scripts/peers-sbom.sh if the module is missing):\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
