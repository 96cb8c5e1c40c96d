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
        &mut [("composer.lock".into(), lock)],
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

/// Licences, hashes and download locations survive a write and a read in every format
/// (npm lockfile: licences, sha512 integrity, registry URLs).
#[test]
fn details_round_trip_all_formats() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/lockfiles/npm/real-codeql-action.package-lock.json");
    let lock = palisade_lockfile::parse_file(&path, None).expect("parses");
    let with_licence = lock
        .packages
        .iter()
        .filter(|p| !p.licenses.is_empty())
        .count();
    assert!(with_licence > 500);
    let sbom = palisade_sbom::assemble(
        Project {
            name: "p".into(),
            version: None,
        },
        &mut [("package-lock.json".into(), lock)],
    );
    for f in [
        SbomFormat::CycloneDxJson,
        SbomFormat::SpdxJson,
        SbomFormat::Spdx3Json,
    ] {
        let got =
            palisade_sbom::read_details(&palisade_sbom::write(&sbom, f, "1970-01-01T00:00:00Z"))
                .expect("reads");
        let glob = got
            .iter()
            .find(|d| d.component.name == "glob" && !d.licences.is_empty())
            .expect("glob");
        assert_eq!(glob.licences, ["BlueOak-1.0.0"], "{f:?}");
        assert!(
            glob.hashes
                .iter()
                .any(|h| h.to_ascii_lowercase().starts_with("sha")),
            "{f:?}: {:?}",
            glob.hashes
        );
        assert!(
            glob.download
                .as_deref()
                .is_some_and(|d| d.contains("registry.npmjs.org")),
            "{f:?}: {:?}",
            glob.download
        );
        assert!(got.iter().filter(|d| !d.licences.is_empty()).count() > 500);
        // Deprecated spellings are written in canonical SPDX form, not dropped.
        let jschardet = got
            .iter()
            .find(|d| d.component.name == "jschardet")
            .expect("jschardet");
        assert_eq!(jschardet.licences, ["LGPL-2.1-or-later"], "{f:?}");
    }
}

/// Each format's licence fields, as other tools write them.
#[test]
fn details_from_each_licence_field() {
    let cdx = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
      {"type":"library","name":"a","version":"1","purl":"pkg:cargo/a@1?repository_url=https%3A%2F%2Fmy.example%2Findex",
       "licenses":[{"expression":"MIT OR Apache-2.0"}],"hashes":[{"alg":"SHA-256","content":"ab"}]},
      {"type":"library","name":"b","version":"1","licenses":[{"license":{"id":"GPL-3.0-only"}},{"license":{"name":"Custom"}}],
       "externalReferences":[{"type":"vcs","url":"https://git.example/b"},{"type":"distribution","url":"https://dl.example/b.tgz"}]}]}"#;
    let d = palisade_sbom::read_details(cdx).expect("cdx");
    let a = d.iter().find(|x| x.component.name == "a").expect("a");
    assert_eq!(a.licences, ["MIT OR Apache-2.0"]);
    assert_eq!(a.hashes, ["SHA-256:ab"]);
    assert_eq!(a.download.as_deref(), Some("https://my.example/index"));
    let b = d.iter().find(|x| x.component.name == "b").expect("b");
    assert_eq!(b.licences, ["GPL-3.0-only", "Custom"]);
    assert_eq!(b.download.as_deref(), Some("https://dl.example/b.tgz"));

    let spdx = br#"{"spdxVersion":"SPDX-2.3","packages":[
      {"SPDXID":"SPDXRef-x","name":"x","versionInfo":"1","downloadLocation":"NOASSERTION",
       "licenseConcluded":"MIT","licenseDeclared":"GPL-2.0-only",
       "checksums":[{"algorithm":"SHA1","checksumValue":"cd"}]},
      {"SPDXID":"SPDXRef-y","name":"y","downloadLocation":"https://y.example/y.tar.gz",
       "licenseConcluded":"NOASSERTION","licenseDeclared":"Apache-2.0"}]}"#;
    let d = palisade_sbom::read_details(spdx).expect("spdx");
    assert_eq!(d[0].licences, ["MIT"], "concluded wins over declared");
    assert_eq!(d[0].hashes, ["SHA1:cd"]);
    assert_eq!(d[0].download, None);
    assert_eq!(d[1].licences, ["Apache-2.0"]);
    assert_eq!(d[1].download.as_deref(), Some("https://y.example/y.tar.gz"));

    let spdx3 = br#"{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[
      {"type":"software_Package","spdxId":"urn:p","name":"p","software_packageVersion":"2",
       "software_downloadLocation":"https://p.example/p","verifiedUsing":[{"type":"Hash","algorithm":"sha256","hashValue":"ef"}]},
      {"type":"simplelicensing_LicenseExpression","spdxId":"urn:l","simplelicensing_licenseExpression":"BSD-3-Clause"},
      {"type":"Relationship","spdxId":"urn:r","from":"urn:p","relationshipType":"hasDeclaredLicense","to":["urn:l"]},
      {"type":"Relationship","spdxId":"urn:r2","from":"urn:p","relationshipType":"hasConcludedLicense","to":["https://spdx.org/licenses/ISC"]}]}"#;
    let d = palisade_sbom::read_details(spdx3).expect("spdx3");
    assert_eq!(d[0].licences, ["ISC"], "concluded wins over declared");
    assert_eq!(d[0].hashes, ["sha256:ef"]);
    assert_eq!(d[0].download.as_deref(), Some("https://p.example/p"));

    let tv = b"SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nPackageName: t\nSPDXID: SPDXRef-t\nPackageVersion: 3\nPackageDownloadLocation: https://t.example/t\nPackageChecksum: SHA256: 12\nPackageLicenseDeclared: MIT\nPackageLicenseConcluded: NOASSERTION\n";
    let d = palisade_sbom::read_details(tv).expect("tag-value");
    assert_eq!(d[0].licences, ["MIT"]);
    assert_eq!(d[0].hashes, ["SHA256:12"]);
    assert_eq!(d[0].download.as_deref(), Some("https://t.example/t"));

    let xml = br#"<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>
      <component type="library"><name>z</name><version>1</version>
        <hashes><hash alg="SHA-256">99</hash></hashes>
        <licenses><license><id>MIT</id></license><expression>Apache-2.0 OR MIT</expression></licenses>
      </component></components></bom>"#;
    let d = palisade_sbom::read_details(xml).expect("xml");
    assert_eq!(d[0].licences, ["MIT", "Apache-2.0 OR MIT"]);
    assert_eq!(d[0].hashes, ["SHA-256:99"]);
}
