//! Archives inside scanned files (gitleaks' test archives in `../shared/secrets`: zip,
//! tar, 7z, tar.gz, tar.zst, tar.xz, and main.go gzip-, zstd- and xz-compressed): the
//! findings inside each archive equal those of the unpacked reference, named
//! `outer!inner/path`.

use std::collections::BTreeSet;
use std::path::Path;

use palisade_secrets::{Config, archive, tree};

type Seen = BTreeSet<(String, String, String, u64, u64)>;

fn scan(root: &Path, depth: u32) -> Seen {
    scan_with_stats(root, depth).0
}

/// Every (rule, secret, path, line, column) found under `root`, and the scan's figures.
fn scan_with_stats(root: &Path, depth: u32) -> (Seen, tree::TreeStats) {
    let scanner = Config::default().scanner().expect("scanner");
    let opts = tree::TreeOptions {
        max_archive_depth: depth,
        ..Default::default()
    };
    let (f, stats) = tree::scan_tree(&scanner, root, &opts, &|_, _| {}).expect("scan");
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
    (out, stats)
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

// --- zip members of other methods, encrypted members and blocks ---

/// One member of a zip written by [`zip_bytes`]: its stored bytes are `data` as given
/// (already compressed or encrypted), its sizes and CRC-32 as declared.
struct Member {
    name: String,
    method: u16,
    flags: u16,
    crc: u32,
    size: u32,
    extra: Vec<u8>,
    data: Vec<u8>,
}

impl Member {
    fn new(name: &str, method: u16, plain: &[u8], data: Vec<u8>) -> Member {
        Member {
            name: name.to_string(),
            method,
            flags: 0,
            crc: crc32fast::hash(plain),
            size: plain.len() as u32,
            extra: Vec::new(),
            data,
        }
    }
}

/// A zip archive (APPNOTE 4.3: local headers and data, central directory, end record),
/// written by hand: the zip crate's writer knows stored and deflate members only.
fn zip_bytes(members: &[Member]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for m in members {
        let offset = out.len() as u32;
        let common = |v: &mut Vec<u8>| {
            v.extend(63u16.to_le_bytes()); // version needed: 6.3
            v.extend(m.flags.to_le_bytes());
            v.extend(m.method.to_le_bytes());
            v.extend([0, 0, 0x21, 0]); // 1980-01-01 00:00
            v.extend(m.crc.to_le_bytes());
            v.extend((m.data.len() as u32).to_le_bytes());
            v.extend(m.size.to_le_bytes());
            v.extend((m.name.len() as u16).to_le_bytes());
            v.extend((m.extra.len() as u16).to_le_bytes());
        };
        out.extend(0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend(m.name.as_bytes());
        out.extend(&m.extra);
        out.extend(&m.data);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(63u16.to_le_bytes()); // made by
        common(&mut central);
        central.extend([0; 8]); // comment length, disk, internal and external attributes
        central.extend([0; 2]);
        central.extend(offset.to_le_bytes());
        central.extend(m.name.as_bytes());
        central.extend(&m.extra);
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0; 4]);
    out.extend((members.len() as u16).to_le_bytes());
    out.extend((members.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend([0; 2]);
    out
}

fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

fn xz(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut w =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::default()).expect("xz");
    w.write_all(data).expect("xz");
    w.finish().expect("xz")
}

/// A zip LZMA member's bytes (APPNOTE 5.8.8): SDK version, properties size, properties,
/// the raw stream, with or without an end marker (general purpose flag bit 1).
fn lzma(data: &[u8], end_marker: bool) -> Vec<u8> {
    use std::io::Write;
    let o = lzma_rust2::LzmaOptions::with_preset(6);
    let mut out = vec![9, 20, 5, 0, o.get_props()];
    out.extend(o.dict_size.to_le_bytes());
    let mut w = lzma_rust2::LzmaWriter::new_no_header(out, &o, end_marker).expect("lzma");
    w.write_all(data).expect("lzma");
    w.finish().expect("lzma")
}

fn bzip2(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut w = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    w.write_all(data).expect("bzip2");
    w.finish().expect("bzip2")
}

fn main_go() -> Vec<u8> {
    std::fs::read(palisade_testkit::shared(
        "secrets/gitleaks-testdata/archives/files/main.go",
    ))
    .expect("main.go")
}

/// The reference findings of main.go, named `{prefix}{dir}/main.go` for each dir.
fn main_under(prefix: &str, dirs: &[&str]) -> Seen {
    let want = reference();
    let mut out = Seen::new();
    for d in dirs {
        for (r, s, p, l, c) in &want {
            if p == "main.go" {
                out.insert((r.clone(), s.clone(), format!("{prefix}{d}/main.go"), *l, *c));
            }
        }
    }
    out
}

fn scan_file(name: &str, bytes: &[u8]) -> (Seen, tree::TreeStats) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write");
    scan_with_stats(&path, 3)
}

#[test]
fn zip_members_compressed_with_zstd_lzma_xz_and_bzip2_are_scanned() {
    let main = main_go();
    let mut lzma_eos = Member::new("lzma-eos/main.go", 14, &main, lzma(&main, true));
    lzma_eos.flags = 2;
    let members = [
        Member::new("zstd/main.go", 93, &main, zstd(&main)),
        Member::new("lzma/main.go", 14, &main, lzma(&main, false)),
        lzma_eos,
        Member::new("xz/main.go", 95, &main, xz(&main)),
        Member::new("bzip2/main.go", 12, &main, bzip2(&main)),
        Member::new("stored/main.go", 0, &main, main.clone()),
    ];
    let (got, stats) = scan_file("x.zip", &zip_bytes(&members));
    let want = main_under(
        "x.zip!",
        &["zstd", "lzma", "lzma-eos", "xz", "bzip2", "stored"],
    );
    assert!(!want.is_empty());
    assert_eq!(got, want);
    assert!(stats.archive.is_empty(), "{}", stats.archive);
    // A zstd-member zip inside a tar.zst: three levels, named through each.
    let zip = zip_bytes(&[Member::new("zstd/main.go", 93, &main, zstd(&main))]);
    let mut t = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_size(zip.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    t.append_data(&mut h, "in/x.zip", zip.as_slice())
        .expect("tar");
    let (got, _) = scan_file("o.tar.zst", &zstd(&t.into_inner().expect("tar")));
    assert_eq!(got, main_under("o.tar.zst!in/x.zip!", &["zstd"]));
}

/// The members of `data` and what was skipped, by the archive walker alone.
fn walk(data: &[u8], limits: &archive::ArchiveLimits) -> (Vec<String>, archive::Skipped) {
    let mut names = Vec::new();
    let mut skipped = archive::Skipped::default();
    archive::walk("x.zip", data, limits, &mut skipped, &mut |n, b| {
        assert!(
            b.len() as u64 <= limits.max_member,
            "{n}: {} bytes",
            b.len()
        );
        names.push(n.to_string());
    });
    (names, skipped)
}

#[test]
fn zip_members_past_the_bounds_or_corrupt_are_refused_and_counted() {
    let main = main_go();
    let limits = archive::ArchiveLimits::default();
    let ok = || Member::new("ok/main.go", 93, &main, zstd(&main));
    // A member declaring 4 GiB (past the size limit), one declaring 9 MiB from a few bytes
    // (past the ratio bound): refused from the central directory, nothing decoded.
    for (i, size) in [0xffff_fff0u32, 9 << 20].into_iter().enumerate() {
        for method in [93, 14, 95, 12] {
            let mut big = Member::new("big", method, b"", vec![0x55; 64]);
            big.size = size;
            let (names, sk) = walk(&zip_bytes(&[big, ok()]), &limits);
            assert_eq!(names, ["x.zip!ok/main.go"], "{i} {method}");
            assert_eq!(sk.too_large, 1, "{i} {method}");
            assert_eq!(sk.unreadable, 0, "{i} {method}");
        }
    }
    // A zstd bomb declared honestly: 8 MiB from a few hundred bytes, over the ratio bound.
    let zeros = vec![0u8; 8 << 20];
    let bomb = Member::new("bomb", 93, &zeros, zstd(&zeros));
    let (names, sk) = walk(&zip_bytes(&[bomb, ok()]), &limits);
    assert_eq!(names, ["x.zip!ok/main.go"]);
    assert_eq!(sk.too_large, 1);
    // The same bombs declaring 100 bytes: decoding stops at 101, the member is corrupt.
    for (method, data) in [
        (93, zstd(&zeros)),
        (95, xz(&zeros)),
        (12, bzip2(&zeros)),
        (14, lzma(&zeros, true)),
    ] {
        let mut liar = Member::new("liar", method, &zeros[..100], data);
        liar.crc = crc32fast::hash(&zeros[..100]);
        let (names, sk) = walk(&zip_bytes(&[liar, ok()]), &limits);
        assert_eq!(names, ["x.zip!ok/main.go"], "{method}");
        assert_eq!(sk.unreadable, 1, "{method}");
    }
    // A zstd frame asking for a 2 GiB window is refused before anything is allocated; the
    // same frame asking for 4 KiB unpacks (one RLE block of one byte).
    let frame = |window_exp: u8| vec![0x28, 0xb5, 0x2f, 0xfd, 0, window_exp << 3, 0x0b, 0, 0, b'a'];
    let wide = Member::new("wide", 93, b"a", frame(21));
    let (names, sk) = walk(&zip_bytes(&[wide, ok()]), &limits);
    assert_eq!(names, ["x.zip!ok/main.go"]);
    assert_eq!(sk.unreadable, 1);
    let narrow = Member::new("narrow", 93, b"a", frame(0));
    let (names, sk) = walk(&zip_bytes(&[narrow]), &limits);
    assert_eq!(names, ["x.zip!narrow"]);
    assert!(sk.is_empty());
    // Corrupt members: a wrong CRC, truncated data, a bad LZMA header, an unknown method.
    let mut bad_crc = Member::new("crc", 93, &main, zstd(&main));
    bad_crc.crc ^= 1;
    let mut cut = Member::new("cut", 95, &main, xz(&main));
    cut.data.truncate(cut.data.len() / 2);
    let mut bad_props = Member::new("props", 14, &main, lzma(&main, false));
    bad_props.data[2] = 4;
    let ppmd = Member::new("ppmd", 98, &main, vec![1, 2, 3]);
    for m in [bad_crc, cut, bad_props, ppmd] {
        let what = m.name.clone();
        let (names, sk) = walk(&zip_bytes(&[m, ok()]), &limits);
        assert_eq!(names.len(), 1, "{what}");
        assert_eq!(sk.unreadable, 1, "{what}");
    }
}

/// Traditional PKWARE encryption (APPNOTE 6.1), as `zip -P` writes it.
fn zip_crypto(password: &[u8], plain: &[u8], crc: u32) -> Vec<u8> {
    fn crc_byte(k: u32, b: u8) -> u32 {
        let mut c = (k ^ b as u32) & 0xff;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        c ^ (k >> 8)
    }
    let mut k = [0x1234_5678u32, 0x2345_6789, 0x3456_7890];
    let update = |k: &mut [u32; 3], b: u8| {
        k[0] = crc_byte(k[0], b);
        k[1] = k[1]
            .wrapping_add(k[0] & 0xff)
            .wrapping_mul(134_775_813)
            .wrapping_add(1);
        k[2] = crc_byte(k[2], (k[1] >> 24) as u8);
    };
    for b in password {
        update(&mut k, *b);
    }
    let mut header = [0x5au8; 12];
    header[11] = (crc >> 24) as u8;
    let mut out = Vec::new();
    for p in header.iter().chain(plain) {
        let t = (k[2] | 2) as u16;
        out.push(p ^ (t.wrapping_mul(t ^ 1) >> 8) as u8);
        update(&mut k, *p);
    }
    out
}

#[test]
fn encrypted_zip_members_are_skipped_and_counted_beside_readable_ones() {
    let main = main_go();
    // ZipCrypto over a stored member.
    let mut zc = Member::new(
        "zipcrypto/main.go",
        0,
        &main,
        zip_crypto(b"pw", &main, crc32fast::hash(&main)),
    );
    zc.flags = 1;
    // WinZip AES (AE-2, AES-256 over a zstd member): method 99 and the 0x9901 extra
    // field; salt, password check, data and authentication code are never decrypted, so
    // any bytes of the right shape do.
    let mut aes = Member::new("aes/main.go", 99, &main, vec![0xa5; 16 + 2 + 200 + 10]);
    aes.flags = 1;
    aes.crc = 0; // AE-2 stores no CRC
    aes.extra = [
        0x9901u16.to_le_bytes(),
        7u16.to_le_bytes(),
        2u16.to_le_bytes(),
    ]
    .concat();
    aes.extra.extend([b'A', b'E', 3, 93, 0]);
    let members = [
        zc,
        Member::new("zstd/main.go", 93, &main, zstd(&main)),
        aes,
        Member::new("stored/main.go", 0, &main, main.clone()),
    ];
    let (got, stats) = scan_file("x.zip", &zip_bytes(&members));
    assert_eq!(got, main_under("x.zip!", &["zstd", "stored"]));
    assert_eq!(stats.archive.encrypted, 2, "{}", stats.archive);
    assert_eq!(
        stats.archive.too_large + stats.archive.too_deep + stats.archive.unreadable,
        0
    );
    assert!(
        stats
            .archive
            .to_string()
            .contains("2 encrypted (not scanned)"),
        "{}",
        stats.archive
    );
}

/// A 7z archive of one block per file; files after `encrypt_from` are AES-256 encrypted
/// (and the header too when `encrypt_header`).
fn seven_z(files: &[(&str, &[u8])], encrypt_from: usize, encrypt_header: bool) -> Vec<u8> {
    use sevenz_rust2::encoder_options::AesEncoderOptions;
    use sevenz_rust2::{ArchiveEntry, ArchiveWriter, EncoderMethod, Password};
    let mut w = ArchiveWriter::new(std::io::Cursor::new(Vec::new())).expect("7z");
    for (i, (n, d)) in files.iter().enumerate() {
        if i == encrypt_from {
            w.set_content_methods(vec![
                AesEncoderOptions::new(Password::new("pw")).into(),
                EncoderMethod::LZMA2.into(),
            ]);
        }
        w.push_archive_entry(ArchiveEntry::new_file(n), Some(*d))
            .expect("7z");
    }
    w.set_encrypt_header(encrypt_header);
    w.finish().expect("7z").into_inner()
}

#[test]
fn encrypted_7z_blocks_and_headers_are_skipped_and_counted() {
    let main = main_go();
    // An encrypted block between two plain ones hides neither.
    let files: [(&str, &[u8]); 3] = [
        ("a/main.go", &main),
        ("b/main.go", &main),
        ("c/main.go", &main),
    ];
    let mut w = sevenz_rust2::ArchiveWriter::new(std::io::Cursor::new(Vec::new())).expect("7z");
    for (n, d) in files {
        if n == "b/main.go" {
            w.set_content_methods(vec![
                sevenz_rust2::encoder_options::AesEncoderOptions::new("pw".into()).into(),
                sevenz_rust2::EncoderMethod::LZMA2.into(),
            ]);
        } else {
            w.set_content_methods(vec![sevenz_rust2::EncoderMethod::LZMA2.into()]);
        }
        w.push_archive_entry(sevenz_rust2::ArchiveEntry::new_file(n), Some(d))
            .expect("7z");
    }
    w.set_encrypt_header(false);
    let mixed = w.finish().expect("7z").into_inner();
    let (got, stats) = scan_file("x.7z", &mixed);
    assert_eq!(got, main_under("x.7z!", &["a", "c"]));
    assert_eq!(stats.archive.encrypted, 1, "{}", stats.archive);
    assert_eq!(stats.archive.unreadable, 0, "{}", stats.archive);
    // Everything encrypted, the file list too: the archive is counted once.
    let sealed = seven_z(&files, 0, true);
    let (got, stats) = scan_file("y.7z", &sealed);
    assert!(got.is_empty(), "{got:?}");
    assert_eq!(stats.archive.encrypted, 1, "{}", stats.archive);
    assert_eq!(stats.archive.unreadable, 0, "{}", stats.archive);
    // Encrypted data under a plain file list: each block counted.
    let (got, stats) = scan_file("z.7z", &seven_z(&files, 1, false));
    assert_eq!(got, main_under("z.7z!", &["a"]));
    assert_eq!(stats.archive.encrypted, 2, "{}", stats.archive);
    assert_eq!(stats.archive.unreadable, 0, "{}", stats.archive);
}

#[test]
fn seven_z_bzip2_blocks_are_scanned() {
    let main = main_go();
    let mut w = sevenz_rust2::ArchiveWriter::new(std::io::Cursor::new(Vec::new())).expect("7z");
    w.set_content_methods(vec![sevenz_rust2::EncoderMethod::BZIP2.into()]);
    for n in ["a/main.go", "b/main.go"] {
        w.push_archive_entry(
            sevenz_rust2::ArchiveEntry::new_file(n),
            Some(main.as_slice()),
        )
        .expect("7z");
    }
    let (got, stats) = scan_file("x.7z", &w.finish().expect("7z").into_inner());
    assert_eq!(got, main_under("x.7z!", &["a", "b"]));
    assert!(stats.archive.is_empty(), "{}", stats.archive);
}

/// A file with a NUL in its first 8 KiB is binary and only that block is read; one whose
/// first 8 KiB are text is read and scanned whole, NULs further on or not.
#[test]
fn binary_files_are_known_from_their_first_block() {
    let token = format!("{}_{}", "ghp", "R7kq2mZ0pLx4Vn8sT1wY6cB3dF9hJ5aE2uQo");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bin = vec![b'a'; 100_000];
    bin[10] = 0;
    bin.extend_from_slice(format!("\ntoken = {token}\n").as_bytes());
    std::fs::write(dir.path().join("blob.bin"), &bin).expect("write");
    let mut text = vec![b'a'; 100_000];
    text[9_000] = 0;
    text.extend_from_slice(format!("\ntoken = {token}\n").as_bytes());
    std::fs::write(dir.path().join("late-nul.txt"), &text).expect("write");
    let (got, stats) = scan_with_stats(dir.path(), 3);
    let paths: Vec<&str> = got.iter().map(|(_, _, p, _, _)| p.as_str()).collect();
    assert_eq!(paths, ["late-nul.txt"], "{got:?}");
    assert_eq!((stats.binary, stats.files), (1, 1));
}
