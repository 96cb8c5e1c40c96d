//! Archives inside scanned files (gitleaks' test archives in `../shared/secrets`: zip,
//! tar, 7z, tar.gz, tar.zst, tar.xz, and main.go gzip-, zstd- and xz-compressed): the
//! findings inside each archive equal those of the unpacked reference, named
//! `outer!inner/path`.

use std::collections::BTreeSet;
use std::path::Path;

use palisade_secrets::{Config, tree};

type Seen = BTreeSet<(String, String, String, u64, u64)>;

fn scan(root: &Path, depth: u32) -> Seen {
    let scanner = Config::default().scanner().expect("scanner");
    let opts = tree::TreeOptions {
        max_archive_depth: depth,
        ..Default::default()
    };
    let (f, _) = tree::scan_tree(&scanner, root, &opts, &|_, _| {}).expect("scan");
    let mut out = Seen::new();
    for f in f.into_sorted() {
        for l in &f.locations {
            out.insert((
                f.rule.clone(),
                f.secret.clone(),
                l.path.clone(),
                l.line,
                l.column,
            ));
        }
    }
    out
}

/// Findings whose path starts with `prefix`, with the prefix cut off.
fn under(s: &Seen, prefix: &str) -> Seen {
    s.iter()
        .filter_map(|(r, sec, p, l, c)| {
            p.strip_prefix(prefix)
                .map(|rest| (r.clone(), sec.clone(), rest.to_string(), *l, *c))
        })
        .collect()
}

fn reference() -> Seen {
    let dir = palisade_testkit::shared("secrets/gitleaks-testdata/archives/files");
    // The plain files (the compressed copies beside them are checked apart).
    scan(&dir, 0)
        .into_iter()
        .filter(|f| !f.2.ends_with(".gz") && !f.2.ends_with(".xz") && !f.2.ends_with(".zst"))
        .collect()
}

#[test]
fn zip_tar_7z_and_compressed_tar_members_equal_the_unpacked_files() {
    let want = reference();
    assert!(want.len() >= 2, "the reference holds secrets: {want:?}");
    let dir = palisade_testkit::shared("secrets/gitleaks-testdata/archives");
    for a in [
        "files.zip",
        "files.tar",
        "files.tar.zst",
        "files.tar.xz",
        "files.7z",
    ] {
        let got = scan(&dir.join(a), 3);
        assert_eq!(under(&got, &format!("{a}!files/")), want, "{a}");
        assert_eq!(got.len(), want.len(), "{a}: nothing else found");
        // Depth 0: the archive is binary and skipped.
        assert!(scan(&dir.join(a), 0).is_empty(), "{a} at depth 0");
    }
}

#[test]
fn nested_tar_gz_and_compressed_members_equal_the_unpacked_files() {
    let want = reference();
    let dir = palisade_testkit::shared("secrets/gitleaks-testdata/archives");
    let got = scan(&dir.join("nested.tar.gz"), 3);
    let compressed = ["main.go.gz", "main.go.xz", "main.go.zst"];
    for inner in [
        "nested.tar.gz!archives/files.zip!files/",
        "nested.tar.gz!archives/files.tar!files/",
        "nested.tar.gz!archives/files.tar.zst!files/",
        "nested.tar.gz!archives/files.tar.xz!files/",
        "nested.tar.gz!archives/files.7z!files/",
        "nested.tar.gz!archives/files/",
    ] {
        let mut w = want.clone();
        if inner.ends_with("archives/files/") {
            // The unpacked copy inside also has main.go compressed three ways, each
            // opened one level deeper.
            for c in compressed {
                w.extend(
                    want.iter()
                        .filter(|f| f.2 == "main.go")
                        .map(|(r, s, _, l, c2)| {
                            (r.clone(), s.clone(), format!("{c}!main.go"), *l, *c2)
                        }),
                );
            }
        }
        assert_eq!(under(&got, inner), w, "{inner}");
    }
    // Nothing else: every finding is under one of the six.
    assert_eq!(
        got.len(),
        want.len() * 6 + 3 * main_count(&want),
        "{got:#?}"
    );
    // Depth 1 opens the tar.gz but not the archives inside it.
    let shallow = scan(&dir.join("nested.tar.gz"), 1);
    assert!(under(&shallow, "nested.tar.gz!archives/files.zip!").is_empty());
    assert!(under(&shallow, "nested.tar.gz!archives/files.7z!").is_empty());
    assert!(!under(&shallow, "nested.tar.gz!archives/files/").is_empty());
    // The compressed copies beside the reference files: their one member is main.go.
    let main: Seen = want.iter().filter(|f| f.2 == "main.go").cloned().collect();
    assert!(!main.is_empty());
    for c in compressed {
        let got = scan(&dir.join("files").join(c), 3);
        assert_eq!(under(&got, &format!("{c}!")), main, "{c}");
        assert_eq!(got.len(), main.len(), "{c}");
    }
}

fn main_count(s: &Seen) -> usize {
    s.iter().filter(|f| f.2 == "main.go").count()
}
