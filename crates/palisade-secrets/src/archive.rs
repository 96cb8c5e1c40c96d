//! Archives and compressed files inside the scanned files and blobs: `.zip` (members
//! stored, deflated, or compressed with zstd, LZMA, xz or bzip2), `.tar`, `.7z` (LZMA,
//! LZMA2, bzip2, copy; BCJ and delta filters), and gzip, zstd and xz streams (`.gz`,
//! `.tgz`, `.tar.gz`, `.zst`, `.tzst`, `.tar.zst`, `.xz`, `.txz`, `.tar.xz`), nested up to
//! a depth. Each member is handed to the caller under `outer!inner/path` (a compressed
//! stream holding a tar counts as one level: `files.tar.gz!main.go`). Archives are
//! recognised by their magic bytes (the first few bytes of the data, so checking a file
//! costs nothing), not their names.
//!
//! Untrusted input: every member is bounded by the file size limit, the bytes unpacked
//! from one top-level file by [`ArchiveLimits::max_total`], and a compressed stream may
//! not grow beyond [`ArchiveLimits::max_ratio`] times its size (zip bombs); decoding
//! stops at the bound, so nothing past it is ever unpacked or allocated. A member that
//! breaks a bound, or that does not unpack (corrupt, encrypted, unsupported method), is
//! skipped and counted in [`Skipped`], never fatal. There are no passwords: encrypted zip
//! members (ZipCrypto, AES), encrypted 7z blocks and 7z archives with an encrypted file
//! list are counted apart ([`Skipped::encrypted`]: not scanned), and an archive's other
//! members and blocks are still read. All decoders are pure Rust.

use std::io::Read;

/// Bounds of archive scanning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Levels of archives opened (0: archives are not opened).
    pub max_depth: u32,
    /// Most bytes unpacked from one top-level file, all levels together.
    pub max_total: u64,
    /// Most bytes one member may unpack to per byte it takes in the archive.
    pub max_ratio: u64,
    /// Largest member unpacked (the file size limit).
    pub max_member: u64,
}

impl ArchiveLimits {
    /// The default bounds with this depth and member size limit.
    pub fn new(max_depth: u32, max_member: u64) -> Self {
        ArchiveLimits {
            max_depth,
            max_member,
            ..Default::default()
        }
    }
}

/// Default nesting depth (`--max-archive-depth`).
pub const DEFAULT_MAX_DEPTH: u32 = 3;

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_depth: DEFAULT_MAX_DEPTH,
            max_total: 256 * 1024 * 1024,
            max_ratio: 200,
            max_member: crate::DEFAULT_MAX_FILE_SIZE,
        }
    }
}

/// The kinds of container recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// PKZIP.
    Zip,
    /// POSIX / GNU tar.
    Tar,
    /// 7-Zip.
    SevenZ,
    /// gzip (one or more members).
    Gzip,
    /// Zstandard (one or more frames, skippable frames skipped).
    Zstd,
    /// xz (one or more streams).
    Xz,
}

/// The container kind of `data`, from its first bytes (at most 512 are looked at).
pub fn kind(data: &[u8]) -> Option<Kind> {
    match data {
        [b'P', b'K', 3, 4, ..] | [b'P', b'K', 5, 6, ..] => Some(Kind::Zip),
        [0x1f, 0x8b, ..] => Some(Kind::Gzip),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Some(Kind::Zstd),
        // A skippable frame first (pzstd writes one).
        [m, 0x2a, 0x4d, 0x18, _, _, _, _, ..] if m & 0xf0 == 0x50 => Some(Kind::Zstd),
        [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => Some(Kind::Xz),
        [b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c, ..] => Some(Kind::SevenZ),
        _ if data.len() >= 512 && &data[257..262] == b"ustar" => Some(Kind::Tar),
        _ => None,
    }
}

/// What unpacking skipped.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Members over a size, total or ratio bound.
    pub too_large: u64,
    /// Members or archives that did not unpack (corrupt, unsupported method).
    pub unreadable: u64,
    /// Encrypted members, 7z blocks or archives (no password is tried: what they hold
    /// was not scanned).
    pub encrypted: u64,
    /// Archives not opened because they were nested too deep.
    pub too_deep: u64,
}

impl Skipped {
    /// Whether nothing was skipped.
    pub fn is_empty(&self) -> bool {
        *self == Skipped::default()
    }

    /// Adds another count in.
    pub fn add(&mut self, o: &Skipped) {
        self.too_large += o.too_large;
        self.unreadable += o.unreadable;
        self.encrypted += o.encrypted;
        self.too_deep += o.too_deep;
    }
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "archive members skipped: {} over a size, total or expansion bound, {} that did \
             not unpack (corrupt or unsupported), {} encrypted (not scanned), {} archives \
             nested too deep",
            self.too_large, self.unreadable, self.encrypted, self.too_deep
        )
    }
}

/// Walks the members of `data` (named `name`) when it is an archive, calling `visit`
/// with each member's full `outer!inner` name and bytes; members that are archives
/// themselves are opened in turn while the depth allows. Returns `false` when `data` is
/// not an archive (or `max_depth` is 0), having called nothing.
pub fn walk(
    name: &str,
    data: &[u8],
    limits: &ArchiveLimits,
    skipped: &mut Skipped,
    visit: &mut dyn FnMut(&str, &[u8]),
) -> bool {
    if limits.max_depth == 0 || kind(data).is_none() {
        return false;
    }
    let mut budget = limits.max_total;
    open(name, data, 1, limits, &mut budget, skipped, visit);
    true
}

/// Reads at most `cap` bytes of `r`; `None` when there were more (or it failed).
fn read_capped(r: impl Read, cap: u64, skipped: &mut Skipped) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    match r.take(cap.saturating_add(1)).read_to_end(&mut out) {
        Ok(n) if n as u64 > cap => {
            skipped.too_large += 1;
            None
        }
        Ok(_) => Some(out),
        Err(_) => {
            skipped.unreadable += 1;
            None
        }
    }
}

/// The most a member of `packed` bytes may unpack to.
fn cap(limits: &ArchiveLimits, budget: u64, packed: u64) -> u64 {
    limits
        .max_member
        .min(budget)
        .min(packed.max(4096).saturating_mul(limits.max_ratio))
}

/// One member found: recurse when it is an archive and depth allows, else visit it.
#[allow(clippy::too_many_arguments)]
fn member(
    full: &str,
    bytes: &[u8],
    depth: u32,
    limits: &ArchiveLimits,
    budget: &mut u64,
    skipped: &mut Skipped,
    visit: &mut dyn FnMut(&str, &[u8]),
) {
    if kind(bytes).is_some() {
        if depth < limits.max_depth {
            open(full, bytes, depth + 1, limits, budget, skipped, visit);
            return;
        }
        skipped.too_deep += 1;
    }
    visit(full, bytes);
}

fn open(
    name: &str,
    data: &[u8],
    depth: u32,
    limits: &ArchiveLimits,
    budget: &mut u64,
    skipped: &mut Skipped,
    visit: &mut dyn FnMut(&str, &[u8]),
) {
    match kind(data) {
        Some(Kind::Zip) => zip(name, data, depth, limits, budget, skipped, visit),
        Some(Kind::Tar) => {
            let mut a = tar::Archive::new(data);
            let Ok(entries) = a.entries() else {
                skipped.unreadable += 1;
                return;
            };
            for e in entries {
                let Ok(e) = e else {
                    // A broken header ends the walk (the offsets after it are unknown).
                    skipped.unreadable += 1;
                    return;
                };
                if !e.header().entry_type().is_file() {
                    continue;
                }
                let inner = match e.path() {
                    Ok(p) => p.to_string_lossy().replace('\\', "/"),
                    Err(_) => {
                        skipped.unreadable += 1;
                        continue;
                    }
                };
                let full = format!("{name}!{}", inner.trim_start_matches("./"));
                let size = e.size();
                if size > limits.max_member || size > *budget {
                    skipped.too_large += 1;
                    continue;
                }
                let Some(bytes) = read_capped(e, size, skipped) else {
                    continue;
                };
                *budget = budget.saturating_sub(bytes.len() as u64);
                member(&full, &bytes, depth, limits, budget, skipped, visit);
            }
        }
        Some(Kind::SevenZ) => seven_z(name, data, depth, limits, budget, skipped, visit),
        Some(k @ (Kind::Gzip | Kind::Zstd | Kind::Xz)) => {
            let c = cap(limits, *budget, data.len() as u64);
            let bytes = match k {
                Kind::Gzip => read_capped(flate2::read::MultiGzDecoder::new(data), c, skipped),
                Kind::Xz => read_capped(lzma_rust2::XzReader::new(data, true), c, skipped),
                _ => read_capped(ZstdFrames::new(data, c), c, skipped),
            };
            let Some(bytes) = bytes else { return };
            *budget = budget.saturating_sub(bytes.len() as u64);
            // A compressed tar is one level: its members are named after the outer file.
            if kind(&bytes) == Some(Kind::Tar) {
                open(name, &bytes, depth, limits, budget, skipped, visit);
                return;
            }
            let suffixes: &[&str] = match k {
                Kind::Gzip => &[".gz", ".tgz"],
                Kind::Xz => &[".xz", ".txz"],
                _ => &[".zst", ".tzst", ".zstd"],
            };
            let base = name.rsplit(['/', '!']).next().unwrap_or(name);
            let inner = suffixes
                .iter()
                .find_map(|x| base.strip_suffix(x))
                .filter(|s| !s.is_empty())
                .unwrap_or(base);
            member(
                &format!("{name}!{inner}"),
                &bytes,
                depth,
                limits,
                budget,
                skipped,
                visit,
            );
        }
        None => visit(name, data),
    }
}

/// The members of a zip archive. Stored and deflate members are read by the zip crate;
/// zstd (93), LZMA (14), xz (95) and bzip2 (12) members are unpacked here from their raw
/// bytes, with the same bounds: a member whose declared size is past the size, total or
/// ratio bound is refused before anything is decoded, and decoding stops one byte past the
/// declared size. An encrypted member (ZipCrypto or AES: there is no password) or one of
/// another method is counted as unreadable; its neighbours are still read.
fn zip(
    name: &str,
    data: &[u8],
    depth: u32,
    limits: &ArchiveLimits,
    budget: &mut u64,
    skipped: &mut Skipped,
    visit: &mut dyn FnMut(&str, &[u8]),
) {
    use zip::CompressionMethod as M;
    let Ok(mut z) = zip::ZipArchive::new(std::io::Cursor::new(data)) else {
        skipped.unreadable += 1;
        return;
    };
    for i in 0..z.len() {
        // The central directory's word on the member; `by_index_raw` decodes nothing.
        let (full, method, size, packed, crc, start) = {
            let Ok(entry) = z.by_index_raw(i) else {
                skipped.unreadable += 1;
                continue;
            };
            if !entry.is_file() {
                continue;
            }
            if entry.encrypted() {
                skipped.encrypted += 1;
                continue;
            }
            (
                format!("{name}!{}", entry.name()),
                entry.compression(),
                entry.size(),
                entry.compressed_size(),
                entry.crc32(),
                // Known once `by_index_raw` has found the member's data.
                entry.data_start(),
            )
        };
        if size > limits.max_member {
            skipped.too_large += 1;
            continue;
        }
        let c = cap(limits, *budget, packed);
        let bytes = if method == M::STORE || method == M::DEFLATE {
            let Ok(entry) = z.by_index(i) else {
                skipped.unreadable += 1;
                continue;
            };
            read_capped(entry, c, skipped)
        } else {
            if size > c {
                skipped.too_large += 1;
                continue;
            }
            let raw = usize::try_from(start)
                .ok()
                .zip(usize::try_from(packed).ok())
                .and_then(|(s, n)| data.get(s..s.checked_add(n)?));
            match raw {
                Some(raw) => zip_method(method, raw, size, crc, c, skipped),
                None => {
                    skipped.unreadable += 1;
                    None
                }
            }
        };
        let Some(bytes) = bytes else { continue };
        *budget = budget.saturating_sub(bytes.len() as u64);
        member(&full, &bytes, depth, limits, budget, skipped, visit);
    }
}

/// Unpacks one zip member of `method` from its `raw` bytes to exactly `size` bytes (at
/// most `cap`) with CRC-32 `crc`; `None` (counted) when the method is not known, the data
/// is corrupt or it does not unpack to the declared size and checksum.
fn zip_method(
    method: zip::CompressionMethod,
    raw: &[u8],
    size: u64,
    crc: u32,
    cap: u64,
    skipped: &mut Skipped,
) -> Option<Vec<u8>> {
    use zip::CompressionMethod as M;
    let reader: Box<dyn Read + '_> = if method == M::ZSTD {
        Box::new(ZstdFrames::new(raw, cap))
    } else if method == M::XZ {
        Box::new(lzma_rust2::XzReader::new(raw, true))
    } else if method == M::BZIP2 {
        Box::new(bzip2::read::MultiBzDecoder::new(raw))
    } else if method == M::LZMA {
        // APPNOTE 5.8.8: a 2-byte LZMA SDK version, a 2-byte properties size (5), the
        // properties (lc/lp/pb byte, 4-byte dictionary size) and the raw LZMA stream, which
        // may or may not end in an end marker; the zip entry gives the unpacked size, which
        // also bounds the dictionary the decoder keeps.
        match raw {
            [_, _, 5, 0, props, d0, d1, d2, d3, stream @ ..] => {
                let dict = u32::from_le_bytes([*d0, *d1, *d2, *d3]);
                match lzma_rust2::LzmaReader::new_with_props(stream, size, *props, dict, None) {
                    Ok(r) => Box::new(r),
                    Err(_) => {
                        skipped.unreadable += 1;
                        return None;
                    }
                }
            }
            _ => {
                skipped.unreadable += 1;
                return None;
            }
        }
    } else {
        // Another method (PPMd, deflate64, implode…): not unpacked.
        skipped.unreadable += 1;
        return None;
    };
    let mut out = Vec::new();
    // `size` is within `cap` (checked by the caller); one byte more tells a lie apart.
    match reader
        .take(size.min(cap).saturating_add(1))
        .read_to_end(&mut out)
    {
        Ok(n) if n as u64 == size && crc32fast::hash(&out) == crc => Some(out),
        _ => {
            skipped.unreadable += 1;
            None
        }
    }
}

/// Most memory one 7z decoder (dictionary, model, header buffers) may ask for, KiB.
const SEVEN_Z_MEMORY_KIB: usize = 256 * 1024;

/// The members of a 7z archive. Each compression block is unpacked only when all it holds
/// fits the total and ratio bounds (a solid block is one stream: its members cannot be
/// skipped without unpacking them); a block that fails (corrupt, encrypted, unsupported
/// method) is counted and the next one is tried.
fn seven_z(
    name: &str,
    data: &[u8],
    depth: u32,
    limits: &ArchiveLimits,
    budget: &mut u64,
    skipped: &mut Skipped,
    visit: &mut dyn FnMut(&str, &[u8]),
) {
    use sevenz_rust2::{Archive, BlockDecoder, Password};
    let mut src = std::io::Cursor::new(data);
    let password = Password::empty();
    let archive = match Archive::read_with_memory_limit(&mut src, &password, SEVEN_Z_MEMORY_KIB) {
        Ok(a) => a,
        // The file list itself is encrypted. (Built without sevenz-rust2's `aes256`
        // feature, as the binary is, the AES coder is an unsupported method.)
        Err(sevenz_rust2::Error::PasswordRequired | sevenz_rust2::Error::MaybeBadPassword(_)) => {
            skipped.encrypted += 1;
            return;
        }
        Err(sevenz_rust2::Error::UnsupportedCompressionMethod(m)) if m.starts_with("AES") => {
            skipped.encrypted += 1;
            return;
        }
        Err(_) => {
            skipped.unreadable += 1;
            return;
        }
    };
    let mut files = vec![0u64; archive.blocks.len()];
    for b in archive.stream_map.file_block_index.iter().flatten() {
        if let Some(n) = files.get_mut(*b) {
            *n += 1;
        }
    }
    let packed = (data.len() as u64).max(4096);
    for (i, block) in archive.blocks.iter().enumerate() {
        if block
            .coders
            .iter()
            .any(|c| c.encoder_method_id() == sevenz_rust2::EncoderMethod::ID_AES256_SHA256)
        {
            skipped.encrypted += files[i].max(1);
            continue;
        }
        let bound = (*budget).min(packed.saturating_mul(limits.max_ratio));
        if block.get_unpack_size() > bound {
            skipped.too_large += files[i];
            continue;
        }
        let dec = BlockDecoder::new_with_memory_limit(
            1,
            SEVEN_Z_MEMORY_KIB,
            i,
            &archive,
            &password,
            &mut src,
        );
        let res = dec.for_each_entries(&mut |entry, r| {
            if entry.is_directory() || !entry.has_stream {
                return Ok(true);
            }
            let full = format!("{name}!{}", entry.name().replace('\\', "/"));
            if entry.size() > limits.max_member {
                // Unpacked (bounded by the block check above) and dropped.
                skipped.too_large += 1;
                return Ok(true);
            }
            let Some(bytes) = read_capped(r, entry.size(), skipped) else {
                return Ok(false);
            };
            *budget = budget.saturating_sub(bytes.len() as u64);
            member(&full, &bytes, depth, limits, budget, skipped, visit);
            Ok(true)
        });
        if res.is_err() {
            skipped.unreadable += 1;
        }
    }
}

/// Zstandard frames one after the other as one stream; skippable frames are passed over.
/// The window a frame may ask for is bounded by what the caller will read.
struct ZstdFrames<'a> {
    rest: &'a [u8],
    frame: Option<ruzstd::decoding::StreamingDecoder<&'a [u8], ruzstd::decoding::FrameDecoder>>,
    max_window: u64,
}

impl<'a> ZstdFrames<'a> {
    fn new(data: &'a [u8], cap: u64) -> Self {
        ZstdFrames {
            rest: data,
            frame: None,
            // A window past the output bound is never needed; 8 MiB is zstd's usual most.
            max_window: cap.clamp(8 << 20, 128 << 20),
        }
    }
}

impl Read for ZstdFrames<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if let Some(f) = &mut self.frame {
                let n = f.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                if let Some(f) = self.frame.take() {
                    self.rest = f.into_inner();
                }
                continue;
            }
            match self.rest {
                [] => return Ok(0),
                [m, 0x2a, 0x4d, 0x18, a, b, c, d, tail @ ..] if m & 0xf0 == 0x50 => {
                    let len = u32::from_le_bytes([*a, *b, *c, *d]) as usize;
                    self.rest = tail.get(len..).ok_or_else(|| {
                        std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "skippable frame")
                    })?;
                }
                _ => {
                    let mut d = ruzstd::decoding::FrameDecoder::new();
                    d.set_max_window_size(self.max_window);
                    let f = ruzstd::decoding::StreamingDecoder::new_with_decoder(self.rest, d)
                        .map_err(std::io::Error::other)?;
                    self.frame = Some(f);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(
        name: &str,
        data: &[u8],
        limits: &ArchiveLimits,
    ) -> (Vec<(String, Vec<u8>)>, Skipped) {
        let mut out = Vec::new();
        let mut sk = Skipped::default();
        walk(name, data, limits, &mut sk, &mut |n, b| {
            out.push((n.to_string(), b.to_vec()))
        });
        (out, sk)
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).expect("gzip");
        e.finish().expect("gzip")
    }

    #[test]
    fn gzip_bomb_and_depth_are_bounded() {
        let bomb = gz(&vec![b'a'; 8 * 1024 * 1024]);
        let (m, sk) = members("x.gz", &bomb, &ArchiveLimits::default());
        assert!(m.is_empty(), "{} bytes compressed unpacked", bomb.len());
        assert_eq!(sk.too_large, 1);
        // gzip in gzip in gzip: depth 2 opens two levels and hands over the third raw.
        let three = gz(&gz(&gz(b"token = 'x'")));
        let limits = ArchiveLimits {
            max_depth: 2,
            ..Default::default()
        };
        let (m, sk) = members("a.gz.gz.gz", &three, &limits);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].0, "a.gz.gz.gz!a.gz.gz!a.gz");
        assert_eq!(sk.too_deep, 1);
        let (m, _) = members(
            "a.gz.gz.gz",
            &three,
            &ArchiveLimits {
                max_depth: 0,
                ..Default::default()
            },
        );
        assert!(m.is_empty());
    }

    fn zst(data: &[u8]) -> Vec<u8> {
        ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
    }

    fn xz(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut w =
            lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::default()).expect("xz");
        w.write_all(data).expect("xz");
        w.finish().expect("xz")
    }

    fn seven_z(files: &[(&str, &[u8])], solid: bool) -> Vec<u8> {
        use sevenz_rust2::{ArchiveEntry, ArchiveWriter};
        let mut w = ArchiveWriter::new(std::io::Cursor::new(Vec::new())).expect("7z");
        if solid {
            let entries = files
                .iter()
                .map(|(n, _)| ArchiveEntry::new_file(n))
                .collect();
            let readers = files.iter().map(|(_, d)| (*d).into()).collect();
            w.push_archive_entries(entries, readers).expect("7z");
        } else {
            for (n, d) in files {
                w.push_archive_entry(ArchiveEntry::new_file(n), Some(*d))
                    .expect("7z");
            }
        }
        w.finish().expect("7z").into_inner()
    }

    const AKIA: &[u8] = b"aws_key = 'AKIAIOSFODNN7EXAMPLF'\n";

    #[test]
    fn zstd_and_xz_streams_unpack_by_magic_and_bombs_are_bounded() {
        for (pack, ext) in [(zst as fn(&[u8]) -> Vec<u8>, "zst"), (xz, "xz")] {
            // Found by magic under any name; the suffix is dropped from the member name.
            let (m, sk) = members(&format!("a.txt.{ext}"), &pack(AKIA), &Default::default());
            assert_eq!(
                m,
                vec![(format!("a.txt.{ext}!a.txt"), AKIA.to_vec())],
                "{ext}"
            );
            assert_eq!(sk, Skipped::default());
            let (m, _) = members("blob", &pack(AKIA), &Default::default());
            assert_eq!(m[0].0, "blob!blob");
            // A compressed tar is one level.
            let mut t = tar::Builder::new(Vec::new());
            let mut h = tar::Header::new_ustar();
            h.set_size(AKIA.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            t.append_data(&mut h, "dir/k.env", AKIA).expect("tar");
            let tarball = t.into_inner().expect("tar");
            let (m, _) = members(&format!("x.t{ext}"), &pack(&tarball), &Default::default());
            assert_eq!(m, vec![(format!("x.t{ext}!dir/k.env"), AKIA.to_vec())]);
            // 8 MiB of one byte: over the ratio bound, never unpacked whole.
            let bomb = pack(&vec![b'a'; 8 << 20]);
            let (m, sk) = members(&format!("b.{ext}"), &bomb, &Default::default());
            assert!(m.is_empty(), "{ext}: {} bytes unpacked", bomb.len());
            assert_eq!(sk.too_large, 1, "{ext}");
            // Truncated: skipped as unreadable.
            let cut = &pack(AKIA)[..12];
            let (m, sk) = members(&format!("c.{ext}"), cut, &Default::default());
            assert!(m.is_empty(), "{ext}");
            assert_eq!(sk.unreadable, 1, "{ext}");
        }
    }

    #[test]
    fn zstd_frames_follow_each_other_and_skippable_frames_are_passed_over() {
        let mut data = zst(b"one = 1\n");
        data.extend_from_slice(&[0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]);
        data.extend(zst(AKIA));
        let (m, _) = members("two.zst", &data, &Default::default());
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].1, [b"one = 1\n".as_slice(), AKIA].concat());
        // A skippable frame first is still zstd.
        let mut lead = vec![0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0];
        lead.extend(zst(AKIA));
        assert_eq!(kind(&lead), Some(Kind::Zstd));
        let (m, _) = members("lead.zst", &lead, &Default::default());
        assert_eq!(m[0].1, AKIA);
        // A frame asking for a 2 GiB window is refused before anything is allocated; the
        // same frame with a 4 MiB window unpacks (one RLE block of one byte).
        let frame = |window_exp: u8| [0x28, 0xb5, 0x2f, 0xfd, 0, window_exp << 3, 0x0b, 0, 0, b'a'];
        let (m, sk) = members("w.zst", &frame(21), &Default::default());
        assert!(m.is_empty());
        assert_eq!(sk.unreadable, 1);
        let (m, _) = members("w.zst", &frame(12), &Default::default());
        assert_eq!(m[0].1, b"a");
        // A skippable frame longer than the data is an error, not a panic.
        let (m, sk) = members(
            "bad.zst",
            &[0x50, 0x2a, 0x4d, 0x18, 255, 255, 0, 0, 1],
            &Default::default(),
        );
        assert!(m.is_empty());
        assert_eq!(sk.unreadable, 1);
    }

    #[test]
    fn seven_z_members_solid_or_not_and_bombs_are_bounded() {
        for solid in [false, true] {
            let a = seven_z(&[("d/a.env", AKIA), ("d/b.txt", b"hello\n")], solid);
            assert_eq!(kind(&a), Some(Kind::SevenZ));
            let (m, sk) = members("x.7z", &a, &Default::default());
            let names: Vec<&str> = m.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(names, ["x.7z!d/a.env", "x.7z!d/b.txt"], "solid {solid}");
            assert_eq!(m[0].1, AKIA);
            assert_eq!(sk, Skipped::default());
            // A 7z inside a zst inside a 7z: three levels.
            let nested = seven_z(&[("in.zst", &zst(&a))], solid);
            let (m, _) = members("o.7z", &nested, &Default::default());
            assert_eq!(m[0].0, "o.7z!in.zst!in!d/a.env");
        }
        // A block that would unpack past the ratio bound is not unpacked at all.
        let big = vec![0u8; 8 << 20];
        let bomb = seven_z(&[("zeros", &big), ("z2", &big)], true);
        let (m, sk) = members("b.7z", &bomb, &Default::default());
        assert!(m.is_empty());
        assert_eq!(sk.too_large, 2);
        // Members over the size limit are skipped; their neighbours are not.
        let limits = ArchiveLimits {
            max_member: 100,
            ..Default::default()
        };
        let two = seven_z(&[("big", &[b'x'; 1000]), ("k.env", AKIA)], true);
        let (m, sk) = members("t.7z", &two, &limits);
        assert_eq!(m, vec![("t.7z!k.env".to_string(), AKIA.to_vec())]);
        assert_eq!(sk.too_large, 1);
        // Corrupt: truncated, or a damaged packed stream.
        let a = seven_z(&[("a.env", AKIA)], false);
        let (m, sk) = members("c.7z", &a[..a.len() / 2], &Default::default());
        assert!(m.is_empty());
        assert_eq!(sk.unreadable, 1);
        let mut bad = a.clone();
        for b in &mut bad[32..40] {
            *b ^= 0xff;
        }
        let (_, sk) = members("d.7z", &bad, &Default::default());
        assert_eq!(sk.unreadable, 1);
        // A damaged block does not hide the next one (non-solid: one block per file).
        let two = seven_z(&[("a.env", AKIA), ("b.env", AKIA)], false);
        let mut bad = two.clone();
        for b in &mut bad[32..40] {
            *b ^= 0xff;
        }
        let (m, sk) = members("e.7z", &bad, &Default::default());
        assert_eq!(m, vec![("e.7z!b.env".to_string(), AKIA.to_vec())]);
        assert_eq!(sk.unreadable, 1);
    }

    #[test]
    fn garbage_is_no_archive_or_unreadable() {
        assert!(kind(b"hello").is_none());
        let (m, sk) = members("x.zip", b"PK\x03\x04garbage", &ArchiveLimits::default());
        assert!(m.is_empty());
        assert_eq!(sk.unreadable, 1);
    }
}
