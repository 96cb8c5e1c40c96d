//! Archives and compressed files inside the scanned files and blobs: `.zip`, `.tar`,
//! gzip (`.gz`, `.tgz`, `.tar.gz`), nested up to a depth. Each member is handed to the
//! caller under `outer!inner/path` (a compressed stream holding a tar counts as one
//! level: `files.tar.gz!main.go`). Archives are recognised by their magic bytes, not
//! their names.
//!
//! Untrusted input: every member is bounded by the file size limit, the bytes unpacked
//! from one top-level file by [`ArchiveLimits::max_total`], and a compressed stream may
//! not grow beyond [`ArchiveLimits::max_ratio`] times its size (zip bombs). A member
//! that breaks a bound, or that does not unpack, is skipped and counted, never fatal.

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
    /// gzip (one or more members).
    Gzip,
}

/// The container kind of `data`, from its first bytes.
pub fn kind(data: &[u8]) -> Option<Kind> {
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        Some(Kind::Zip)
    } else if data.starts_with(&[0x1f, 0x8b]) {
        Some(Kind::Gzip)
    } else if data.len() >= 512 && &data[257..262] == b"ustar" {
        Some(Kind::Tar)
    } else {
        None
    }
}

/// What unpacking skipped.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Members over a size, total or ratio bound.
    pub too_large: u64,
    /// Members or archives that did not unpack (corrupt, encrypted, unsupported method).
    pub unreadable: u64,
    /// Archives not opened because they were nested too deep.
    pub too_deep: u64,
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
        Some(Kind::Zip) => {
            let Ok(mut z) = zip::ZipArchive::new(std::io::Cursor::new(data)) else {
                skipped.unreadable += 1;
                return;
            };
            for i in 0..z.len() {
                let Ok(entry) = z.by_index(i) else {
                    skipped.unreadable += 1;
                    continue;
                };
                if !entry.is_file() {
                    continue;
                }
                let full = format!("{name}!{}", entry.name());
                if entry.size() > limits.max_member {
                    skipped.too_large += 1;
                    continue;
                }
                let c = cap(limits, *budget, entry.compressed_size());
                let Some(bytes) = read_capped(entry, c, skipped) else {
                    continue;
                };
                *budget = budget.saturating_sub(bytes.len() as u64);
                member(&full, &bytes, depth, limits, budget, skipped, visit);
            }
        }
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
        Some(Kind::Gzip) => {
            let c = cap(limits, *budget, data.len() as u64);
            let Some(bytes) = read_capped(flate2::read::MultiGzDecoder::new(data), c, skipped)
            else {
                return;
            };
            *budget = budget.saturating_sub(bytes.len() as u64);
            // A compressed tar is one level: its members are named after the outer file.
            if kind(&bytes) == Some(Kind::Tar) {
                open(name, &bytes, depth, limits, budget, skipped, visit);
                return;
            }
            let base = name.rsplit(['/', '!']).next().unwrap_or(name);
            let inner = base
                .strip_suffix(".gz")
                .or_else(|| base.strip_suffix(".tgz"))
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

    #[test]
    fn garbage_is_no_archive_or_unreadable() {
        assert!(kind(b"hello").is_none());
        let (m, sk) = members("x.zip", b"PK\x03\x04garbage", &ArchiveLimits::default());
        assert!(m.is_empty());
        assert_eq!(sk.unreadable, 1);
    }
}
