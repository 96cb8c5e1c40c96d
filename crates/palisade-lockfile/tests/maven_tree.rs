//! Maven multi-module trees: versions from a parent POM on disk (`<relativePath>` or the
//! default `../pom.xml`) and from BOMs imported with `<scope>import</scope>` found in
//! the tree; what is not on disk is skipped with the reason, never dropped.

use std::path::Path;

use palisade_lockfile::{Lockfile, Scope, parse_file};

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn version_of(l: &Lockfile, name: &str) -> Option<String> {
    l.packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} missing: {:#?}", l.packages))
        .version
        .clone()
}

const ROOT: &str = r#"<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.acme</groupId>
  <artifactId>acme-parent</artifactId>
  <version>3.1.0</version>
  <packaging>pom</packaging>
  <properties>
    <guava.version>33.2.1-jre</guava.version>
    <junit.version>5.10.2</junit.version>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>com.google.guava</groupId>
        <artifactId>guava</artifactId>
        <version>${guava.version}</version>
      </dependency>
      <dependency>
        <groupId>com.acme</groupId>
        <artifactId>acme-bom</artifactId>
        <version>${project.version}</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter</artifactId>
      <version>${junit.version}</version>
      <scope>test</scope>
    </dependency>
  </dependencies>
</project>
"#;

const BOM: &str = r#"<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.acme</groupId>
  <artifactId>acme-bom</artifactId>
  <version>3.1.0</version>
  <packaging>pom</packaging>
  <properties><jackson.version>2.17.1</jackson.version></properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>com.fasterxml.jackson.core</groupId>
        <artifactId>jackson-databind</artifactId>
        <version>${jackson.version}</version>
      </dependency>
      <dependency>
        <groupId>com.google.guava</groupId>
        <artifactId>guava</artifactId>
        <version>1.0-loses-to-the-parent</version>
      </dependency>
    </dependencies>
  </dependencyManagement>
</project>
"#;

const APP: &str = r#"<project>
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>com.acme</groupId>
    <artifactId>acme-parent</artifactId>
    <version>3.1.0</version>
  </parent>
  <artifactId>app</artifactId>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>io.netty</groupId>
        <artifactId>netty-bom</artifactId>
        <version>4.1.110.Final</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>com.google.guava</groupId>
      <artifactId>guava</artifactId>
    </dependency>
    <dependency>
      <groupId>com.fasterxml.jackson.core</groupId>
      <artifactId>jackson-databind</artifactId>
    </dependency>
    <dependency>
      <groupId>io.netty</groupId>
      <artifactId>netty-handler</artifactId>
    </dependency>
    <dependency>
      <groupId>com.acme</groupId>
      <artifactId>acme-core</artifactId>
      <version>${project.version}</version>
    </dependency>
  </dependencies>
</project>
"#;

#[test]
fn parent_properties_managed_versions_and_bom_imports_resolve() {
    let d = tempfile::tempdir().expect("tempdir");
    let root = d.path();
    write(root, "pom.xml", ROOT);
    write(root, "bom/pom.xml", BOM);
    write(root, "app/pom.xml", APP);
    let l = parse_file(&root.join("app/pom.xml"), None).expect("parses");
    // From the parent's dependencyManagement, with the parent's property.
    assert_eq!(
        version_of(&l, "com.google.guava:guava").as_deref(),
        Some("33.2.1-jre")
    );
    // From the BOM the parent imports (a module of the tree), with the BOM's property.
    assert_eq!(
        version_of(&l, "com.fasterxml.jackson.core:jackson-databind").as_deref(),
        Some("2.17.1")
    );
    // `project.version` inherited from the parent.
    assert_eq!(
        version_of(&l, "com.acme:acme-core").as_deref(),
        Some("3.1.0")
    );
    assert_eq!(
        l.project,
        Some(("com.acme:app".into(), Some("3.1.0".into())))
    );
    // The parent's own dependencies are inherited, with its scope.
    let junit = l
        .packages
        .iter()
        .find(|p| p.name == "org.junit.jupiter:junit-jupiter")
        .expect("inherited from the parent");
    assert_eq!(junit.version.as_deref(), Some("5.10.2"));
    assert_eq!(junit.scope, Scope::Dev);
    // The netty BOM is on no disk: the import is skipped with the reason, and the
    // dependency it would version stays, versionless, not dropped.
    assert_eq!(version_of(&l, "io.netty:netty-handler"), None);
    let netty = l
        .skipped
        .iter()
        .find(|s| s.entry == "BOM import io.netty:netty-bom:4.1.110.Final")
        .unwrap_or_else(|| panic!("{:#?}", l.skipped));
    assert!(
        netty.reason.contains("not found on disk"),
        "{}",
        netty.reason
    );
    assert_eq!(netty.line, Some(11));
    // The parent is a module of the project, not a dependency.
    assert!(l.packages.iter().all(|p| p.name != "com.acme:acme-parent"));
    assert!(
        l.skipped.iter().any(
            |s| s.entry == "com.acme:acme-parent" && s.reason.contains("module of the project")
        )
    );
    let c = l.coverage;
    assert_eq!(c.entries, c.parsed + c.skipped);
}

#[test]
fn relative_path_and_missing_or_mismatched_parents() {
    let d = tempfile::tempdir().expect("tempdir");
    let root = d.path();
    // The parent lives in build/parent, named by <relativePath> (a directory).
    write(root, "build/parent/pom.xml", ROOT);
    write(root, "build/parent/bom/pom.xml", BOM);
    let app = APP.replace(
        "<version>3.1.0</version>\n  </parent>",
        "<version>3.1.0</version>\n    <relativePath>../build/parent</relativePath>\n  </parent>",
    );
    write(root, "svc/pom.xml", &app);
    let l = parse_file(&root.join("svc/pom.xml"), None).expect("parses");
    assert_eq!(
        version_of(&l, "com.google.guava:guava").as_deref(),
        Some("33.2.1-jre")
    );
    assert_eq!(
        version_of(&l, "com.fasterxml.jackson.core:jackson-databind").as_deref(),
        Some("2.17.1")
    );
    // No parent on disk: skipped with the reason; the parent stays a dependency.
    let lone = tempfile::tempdir().expect("tempdir");
    write(lone.path(), "app/pom.xml", APP);
    let l = parse_file(&lone.path().join("app/pom.xml"), None).expect("parses");
    let s = l
        .skipped
        .iter()
        .find(|s| s.entry == "parent com.acme:acme-parent:3.1.0")
        .unwrap_or_else(|| panic!("{:#?}", l.skipped));
    assert!(s.reason.contains("not found at ../pom.xml"), "{}", s.reason);
    assert_eq!(s.line, Some(3));
    assert_eq!(version_of(&l, "com.google.guava:guava"), None);
    assert_eq!(
        version_of(&l, "com.acme:acme-parent").as_deref(),
        Some("3.1.0")
    );
    // ../pom.xml is another project: not taken as the parent.
    let other = tempfile::tempdir().expect("tempdir");
    write(
        other.path(),
        "pom.xml",
        &ROOT.replace("acme-parent", "something-else"),
    );
    write(other.path(), "app/pom.xml", APP);
    let l = parse_file(&other.path().join("app/pom.xml"), None).expect("parses");
    assert!(
        l.skipped
            .iter()
            .any(|s| s.reason.contains("not the declared parent"))
    );
    assert_eq!(version_of(&l, "com.google.guava:guava"), None);
}

#[test]
fn parent_cycles_and_broken_parents_end() {
    let d = tempfile::tempdir().expect("tempdir");
    let root = d.path();
    // a's parent is b, b's parent is a.
    let a = r#"<project><parent><groupId>x</groupId><artifactId>b</artifactId><version>1</version><relativePath>../b</relativePath></parent><artifactId>a</artifactId></project>"#;
    let b = r#"<project><parent><groupId>x</groupId><artifactId>a</artifactId><version>1</version><relativePath>../a</relativePath></parent><groupId>x</groupId><artifactId>b</artifactId><version>1</version></project>"#;
    write(root, "a/pom.xml", a);
    write(root, "b/pom.xml", b);
    let l = parse_file(&root.join("a/pom.xml"), None).expect("parses");
    assert!(
        l.skipped.iter().any(|s| s.entry.starts_with("parent ")),
        "{:#?}",
        l.skipped
    );
    // A parent that is not XML: skipped as unreadable.
    write(
        root,
        "c/pom.xml",
        r#"<project><parent><groupId>x</groupId><artifactId>p</artifactId><version>1</version></parent><artifactId>c</artifactId></project>"#,
    );
    write(root, "pom.xml", "<project><a></b></project>");
    let l = parse_file(&root.join("c/pom.xml"), None).expect("parses");
    assert!(
        l.skipped.iter().any(|s| s.reason.starts_with("unreadable")),
        "{:#?}",
        l.skipped
    );
}
