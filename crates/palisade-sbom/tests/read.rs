//! Reading SBOMs back, diff and composition check.

use palisade_sbom::{DeclaredComponent, Project, SbomFormat, check, diff, read_components};

fn c(purl: &str, name: &str, version: &str) -> DeclaredComponent {
    DeclaredComponent {
        purl: Some(purl.into()),
        name: name.into(),
        version: Some(version.into()),
    }
}

#[test]
fn round_trip_all_formats() {
    let path = std::path::Path::new(
        &std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("../../../shared/lockfiles/php/trivy-composer_happy.lock");
    let lock = palisade_lockfile::parse_file(&path, None).expect("parses");
    let n = lock.packages.len();
    let sbom = palisade_sbom::assemble(
        Project {
            name: "p".into(),
            version: None,
        },
        &[("composer.lock".into(), lock)],
    );
    let want = palisade_sbom::declared(&sbom);
    for f in [
        SbomFormat::CycloneDxJson,
        SbomFormat::SpdxJson,
        SbomFormat::Spdx3Json,
    ] {
        let got = read_components(&palisade_sbom::write(&sbom, f, "1970-01-01T00:00:00Z"))
            .expect("reads");
        assert_eq!(got.len(), n, "{f:?}");
        assert!(diff(&want, &got).is_empty(), "{f:?}");
    }
    assert!(read_components(b"{\"x\":1}").is_err());
    assert!(
        read_components(b"{\n\"x\"")
            .expect_err("bad json")
            .to_string()
            .starts_with("line 2")
    );
}

#[test]
fn diff_and_identifier_mismatch() {
    let declared = vec![
        c("pkg:pypi/foo-bar@1.0", "Foo_Bar", "1.0"),
        c("pkg:npm/left-pad@1.0.0", "left-pad", "1.0.0"),
        c("pkg:cargo/gone@2.0.0", "gone", "2.0.0"),
    ];
    let actual = vec![
        c("pkg:github/acme/foo_bar@1.0", "acme/foo_bar", "1.0"),
        c("pkg:npm/left-pad@1.3.0", "left-pad", "1.3.0"),
        c("pkg:cargo/new@0.1.0", "new", "0.1.0"),
    ];
    let (d, m) = check(&declared, &actual);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].declared.purl.as_deref(), Some("pkg:pypi/foo-bar@1.0"));
    assert_eq!(d.changed.len(), 1);
    assert_eq!(d.added.len(), 1);
    assert_eq!(d.removed.len(), 1);
}

#[test]
fn tag_value_and_cyclonedx_xml() {
    let tv = "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: x\nRelationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-Root\n\nPackageName: x\nSPDXID: SPDXRef-Root\nPackageDownloadLocation: NOASSERTION\n\nPackageName: left-pad\nSPDXID: SPDXRef-p1\nPackageVersion: 1.3.0\nPackageComment: <text>multi\nPackageName: not-a-package\n</text>\nPackageLicenseDeclared: MIT\nPackageChecksum: SHA1: 0123456789abcdef0123456789abcdef01234567\nExternalRef: PACKAGE-MANAGER purl pkg:npm/left-pad@1.3.0\n";
    let got = read_components(tv.as_bytes()).expect("tag-value");
    assert_eq!(got, vec![c("pkg:npm/left-pad@1.3.0", "left-pad", "1.3.0")]);
    let s = palisade_sbom::summarize(tv.as_bytes()).expect("summary");
    assert_eq!((s.components, s.missing_license, s.with_hashes), (1, 0, 1));
    assert!(s.problems.is_empty(), "{:?}", s.problems);

    let xml = r#"<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
  <metadata><component type="application"><name>root</name></component></metadata>
  <components>
    <component type="library"><group>org.x</group><name>a</name><version>1.0</version>
      <purl>pkg:maven/org.x/a@1.0</purl><hashes><hash alg="SHA-1">0123456789abcdef0123456789abcdef01234567</hash></hashes>
      <components><component type="library"><name>b</name><version>2</version></component></components>
    </component>
  </components>
</bom>"#;
    let got = read_components(xml.as_bytes()).expect("xml");
    assert_eq!(got.len(), 2);
    let s = palisade_sbom::summarize(xml.as_bytes()).expect("summary");
    assert_eq!(s.format, "CycloneDX 1.5");
    assert_eq!(
        (s.missing_purl, s.with_hashes, s.missing_license),
        (1, 1, 2)
    );
    assert!(read_components(b"<bom><components><component>").is_err());
}
