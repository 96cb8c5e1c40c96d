//! What each reader records: hashes, sources, scopes, directness, edges, and errors
//! that name the file and line.

use std::path::Path;

use palisade_lockfile::{Format, Lockfile, LockfileError, Scope, parse_bytes};

fn parse(name: &str, text: &str, format: Format) -> Lockfile {
    parse_bytes(Path::new(name), text.as_bytes(), format).expect("parses")
}

fn err(name: &str, text: &str, format: Format) -> String {
    match parse_bytes(Path::new(name), text.as_bytes(), format) {
        Err(e) => e.to_string(),
        Ok(l) => panic!("expected an error, got {} packages", l.packages.len()),
    }
}

fn find<'a>(l: &'a Lockfile, purl: &str) -> &'a palisade_lockfile::Package {
    l.packages
        .iter()
        .find(|p| p.purl == purl)
        .unwrap_or_else(|| {
            panic!(
                "{purl} not in {:?}",
                l.packages.iter().map(|p| &p.purl).collect::<Vec<_>>()
            )
        })
}

#[test]
fn npm_v3_scopes_edges_integrity_direct() {
    let text = r#"{"name":"app","version":"1.0.0","lockfileVersion":3,"packages":{
      "":{"name":"app","dependencies":{"a":"^1"},"devDependencies":{"@s/d":"^2"}},
      "node_modules/a":{"version":"1.0.0","resolved":"https://r/a-1.0.0.tgz","integrity":"sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==","dependencies":{"b":"^2"},"license":"MIT"},
      "node_modules/a/node_modules/b":{"version":"2.0.0"},
      "node_modules/b":{"version":"1.0.0","optional":true},
      "node_modules/@s/d":{"version":"2.0.0","dev":true}
    }}"#;
    let l = parse("package-lock.json", text, Format::NpmLock);
    assert_eq!(l.project, Some(("app".into(), Some("1.0.0".into()))));
    let a = find(&l, "pkg:npm/a@1.0.0");
    assert_eq!(a.direct, Some(true));
    assert_eq!(a.licenses, vec!["MIT".to_string()]);
    assert_eq!(a.hashes[0].alg, "sha512");
    assert_eq!(a.hashes[0].value.len(), 128);
    // Node resolution: a's `b` is the nested 2.0.0, not the hoisted 1.0.0.
    assert_eq!(a.dependencies, vec!["pkg:npm/b@2.0.0".to_string()]);
    assert_eq!(find(&l, "pkg:npm/b@1.0.0").scope, Scope::Optional);
    assert_eq!(find(&l, "pkg:npm/%40s/d@2.0.0").scope, Scope::Dev);
}

#[test]
fn yarn_classic_edges_and_sha1() {
    let text = "# yarn lockfile v1\n\n\"a@^1.0.0\", a@^1.1.0:\n  version \"1.2.0\"\n  resolved \"https://r/a-1.2.0.tgz#0123456789abcdef0123456789abcdef01234567\"\n  dependencies:\n    b \"~2\"\n\nb@~2:\n  version \"2.0.1\"\n";
    let l = parse("yarn.lock", text, Format::YarnLock);
    let a = find(&l, "pkg:npm/a@1.2.0");
    assert_eq!(a.dependencies, vec!["pkg:npm/b@2.0.1".to_string()]);
    assert_eq!(a.hashes[0].alg, "sha1");
    assert_eq!(a.line, Some(3));
}

#[test]
fn yarn_error_names_line() {
    let e = err(
        "yarn.lock",
        "# yarn lockfile v1\n\na@^1:\n  version \"1\"\nnot a header\n",
        Format::YarnLock,
    );
    assert!(e.starts_with("yarn.lock:5: "), "{e}");
}

#[test]
fn pnpm_v9_scope_from_importers_and_multi_document() {
    let text = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier: ^1\n        version: 1.0.0(p@1.0.0)\n    devDependencies:\n      t:\n        specifier: ^3\n        version: 3.0.0\npackages:\n  a@1.0.0:\n    resolution: {integrity: sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=}\n  b@2.0.0:\n    resolution: {integrity: sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=}\n  t@3.0.0:\n    resolution: {integrity: sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=}\n  p@1.0.0:\n    resolution: {integrity: sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=}\nsnapshots:\n  a@1.0.0(p@1.0.0):\n    dependencies:\n      b: 2.0.0\n  b@2.0.0: {}\n  t@3.0.0: {}\n  p@1.0.0: {}\n---\nlockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      m:\n        specifier: 1.2.0\n        version: 1.2.0\npackages:\n  m@1.2.0:\n    resolution: {integrity: sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=}\nsnapshots:\n  m@1.2.0: {}\n";
    let l = parse("pnpm-lock.yaml", text, Format::PnpmLock);
    assert_eq!(l.packages.len(), 5);
    assert_eq!(find(&l, "pkg:npm/b@2.0.0").scope, Scope::Required);
    assert_eq!(find(&l, "pkg:npm/t@3.0.0").scope, Scope::Dev);
    assert_eq!(
        find(&l, "pkg:npm/a@1.0.0").dependencies,
        vec!["pkg:npm/b@2.0.0".to_string()]
    );
    assert_eq!(find(&l, "pkg:npm/m@1.2.0").direct, Some(true));
}

#[test]
fn requirements_hashes_markers_editable_vcs() {
    let text = "--index-url https://pypi.org/simple\nrequests[socks]==2.31.0 ; python_version >= \"3.8\" \\\n    --hash=sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f\nflask>=2\n-e .\n-e git+https://github.com/o/r.git@v1.0#egg=rpkg\npkg @ https://example.com/pkg-1.0.tar.gz\n-c constraints.txt\n";
    let l = parse("requirements.txt", text, Format::Requirements);
    let r = find(&l, "pkg:pypi/requests@2.31.0");
    assert_eq!(r.hashes.len(), 1);
    assert_eq!(r.line, Some(2));
    assert_eq!(find(&l, "pkg:pypi/flask").version, None);
    assert_eq!(
        find(&l, "pkg:pypi/rpkg@v1.0").source.as_deref(),
        Some("git+https://github.com/o/r.git@v1.0#egg=rpkg")
    );
    assert!(l.packages.iter().any(|p| p.name == "pkg"));
    assert_eq!(l.skipped.len(), 2, "{:?}", l.skipped);
    assert_eq!(l.coverage.entries, 6);
}

#[test]
fn cargo_v1_metadata_checksums_and_edges() {
    let text = "[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\"b\"]\n\n[[package]]\nname = \"b\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[metadata]\n\"checksum b 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)\" = \"8f9e0aa8c8d2bb2e0e7f5c2d6b3f5d3c0b4f8a9e1d2c3b4a5f6e7d8c9b0a1f2e\"\n";
    let l = parse("Cargo.lock", text, Format::CargoLock);
    assert_eq!(
        find(&l, "pkg:cargo/a@0.1.0").dependencies,
        vec!["pkg:cargo/b@1.0.0".to_string()]
    );
    assert_eq!(find(&l, "pkg:cargo/b@1.0.0").hashes[0].alg, "sha256");
}

#[test]
fn toml_error_names_line() {
    let e = err(
        "Cargo.lock",
        "[[package]]\nname = \"a\"\nversion = \n",
        Format::CargoLock,
    );
    assert!(e.starts_with("Cargo.lock:3: invalid TOML"), "{e}");
}

#[test]
fn go_mod_replace_indirect_toolchain() {
    let text = "module example.com/m\n\ngo 1.22\ntoolchain go1.22.3\n\nrequire (\n\tgithub.com/a/b v1.0.0\n\tgolang.org/x/sys v0.1.0 // indirect\n\texample.com/local v0.0.0\n)\n\nreplace github.com/a/b => github.com/fork/b v1.1.0\nreplace example.com/local => ./local\n";
    let l = parse("go.mod", text, Format::GoMod);
    assert_eq!(
        find(&l, "pkg:golang/github.com/fork/b@v1.1.0").direct,
        Some(true)
    );
    assert_eq!(
        find(&l, "pkg:golang/golang.org/x/sys@v0.1.0").direct,
        Some(false)
    );
    assert_eq!(
        find(&l, "pkg:golang/example.com/local").source.as_deref(),
        Some("./local")
    );
    assert!(
        l.packages
            .iter()
            .any(|p| p.purl == "pkg:golang/stdlib@1.22.3")
    );
}

#[test]
fn gemfile_git_platform_direct_checksums() {
    let text = "GIT\n  remote: https://github.com/o/g.git\n  revision: abc\n  specs:\n    g (1.0)\n      rack (~> 2.0)\n\nGEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.15.0-x86_64-linux)\n    rack (2.2.3)\n\nDEPENDENCIES\n  g!\n  nokogiri\n\nCHECKSUMS\n  rack (2.2.3) sha256=58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f\n";
    let l = parse("Gemfile.lock", text, Format::GemfileLock);
    let g = find(&l, "pkg:gem/g@1.0");
    assert_eq!(g.source.as_deref(), Some("https://github.com/o/g.git@abc"));
    assert_eq!(g.dependencies, vec!["pkg:gem/rack@2.2.3".to_string()]);
    assert_eq!(
        find(&l, "pkg:gem/nokogiri@1.15.0?platform=x86_64-linux").direct,
        Some(true)
    );
    assert_eq!(find(&l, "pkg:gem/rack@2.2.3").hashes.len(), 1);
}

#[test]
fn pom_properties_and_dependency_management() {
    let text = "<project><groupId>g</groupId><artifactId>app</artifactId><version>1</version>\n<properties><x.version>2.0</x.version></properties>\n<dependencies>\n<dependency><groupId>o</groupId><artifactId>x</artifactId><version>${x.version}</version></dependency>\n<dependency><groupId>o</groupId><artifactId>y</artifactId><scope>test</scope></dependency>\n</dependencies>\n<dependencyManagement><dependencies><dependency><groupId>o</groupId><artifactId>y</artifactId><version>3.0</version></dependency></dependencies></dependencyManagement></project>";
    let l = parse("pom.xml", text, Format::MavenPom);
    assert_eq!(l.project, Some(("g:app".into(), Some("1".into()))));
    assert!(l.packages.iter().any(|p| p.purl == "pkg:maven/o/x@2.0"));
    assert_eq!(find(&l, "pkg:maven/o/y@3.0").scope, Scope::Dev);
    let e = err(
        "pom.xml",
        "<project>\n<dependencies>\n</project>",
        Format::MavenPom,
    );
    assert!(e.starts_with("pom.xml:3: invalid XML"), "{e}");
}

#[test]
fn mix_lock_terms() {
    let text = "%{\n  \"a\": {:hex, :a, \"1.0.0\", \"inner\", [:mix], [{:b, \"~> 2.0\", [hex: :b, repo: \"hexpm\", optional: false]}], \"hexpm\", \"58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f\"},\n  \"b\": {:hex, :b, \"2.1.0\", \"inner\", [:mix], [], \"hexpm\", \"x\"},\n}\n";
    let l = parse("mix.lock", text, Format::MixLock);
    assert_eq!(
        find(&l, "pkg:hex/a@1.0.0").dependencies,
        vec!["pkg:hex/b@2.1.0".to_string()]
    );
    let e = err("mix.lock", "%{\n  \"a\": {:hex, :a\n", Format::MixLock);
    assert!(e.starts_with("mix.lock:3: "), "{e}");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("%{{\"a\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(parse_bytes(Path::new("mix.lock"), deep.as_bytes(), Format::MixLock).is_err());
    let deep_json = format!(
        "{{\"lockfileVersion\":1,\"dependencies\":{}{}}}",
        "{\"a\":{\"version\":\"1\",\"dependencies\":".repeat(200),
        "{}}}".repeat(200)
    );
    assert!(
        parse_bytes(
            Path::new("package-lock.json"),
            deep_json.as_bytes(),
            Format::NpmLock
        )
        .is_err()
    );
}

#[test]
fn detection_of_fixture_names_and_content() {
    let d = |n: &str, c: &str| palisade_lockfile::detect(Path::new(n), c.as_bytes());
    assert_eq!(
        d("scalibr-alias.v1.package-lock.json", "{}"),
        Some(Format::NpmLock)
    );
    assert_eq!(
        d("trivy-yarn_happy.lock", "# yarn lockfile v1\n"),
        Some(Format::YarnLock)
    );
    assert_eq!(
        d(
            "trivy-uv_normal.lock",
            "version = 1\nrequires-python = \">=3\"\n[[package]]\n"
        ),
        Some(Format::UvLock)
    );
    assert_eq!(d("x.lock", "%{\"a\": {:hex}}"), Some(Format::MixLock));
    assert_eq!(
        d("x", "{\"lockfileVersion\": 0, \"workspaces\": {}}"),
        Some(Format::BunLock)
    );
    assert!(matches!(
        palisade_lockfile::parse_file(Path::new("/nonexistent/x"), None),
        Err(LockfileError::Io(_))
    ));
}
