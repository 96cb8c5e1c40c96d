//! bun.lockb, bun's legacy binary lockfile (`bun-lockfile-format-v0`, written by bun up
//! to 1.1; bun 1.2 writes the text `bun.lock` instead).
//!
//! Layout, as bun writes it (little endian; facts about the format, our own reader):
//!
//! * header `#!/usr/bin/env bun\nbun-lockfile-format-v0\n`, a `u32` format version, a
//!   32-byte meta hash, a `u64` total size;
//! * the package list, column by column: `u64` count, `u64` alignment, `u64` number of
//!   columns (8, or 7 before scripts were stored), `u64` begin and end offsets of the
//!   columns; then for every package, in this order, `name` (a string, 8 bytes),
//!   `name_hash` (`u64`), `resolution` (tag byte, padding, value), `dependencies` and
//!   `resolutions` (offset and length, two `u32`, into the buffers below), `meta`
//!   (88 bytes: integrity at 20), `bin` (20 bytes), `scripts` (49 bytes);
//! * six buffers, each `u64` begin and end offsets then a text line naming the element
//!   type and size, then the bytes: trees, hoisted dependencies, resolutions (`u32`
//!   package ids), dependencies (26 bytes: name, name hash, behaviour bits, version tag,
//!   version literal), external strings, and the string bytes.
//!
//! A string is 8 bytes: inline (up to 8 bytes, NUL padded) when the top bit of the last
//! byte is clear, else a `u32` offset and a `u32` length (top bit set) into the string
//! bytes.
//!
//! Every offset and length is checked against the file before use: a malformed file is
//! an error naming the byte offset, never a panic.

use std::collections::BTreeMap;

use crate::util::{Cx, Res, hex_lower, infer_from_roots, pkg};
use crate::{Ecosystem, Hash, Scope};

const HEADER: &[u8] = b"#!/usr/bin/env bun\nbun-lockfile-format-v0\n";

/// Sizes of the package columns that are not the resolution.
const NAME: usize = 8;
const NAME_HASH: usize = 8;
const SLICE: usize = 8;
const META: usize = 88;
const BIN: usize = 20;
const SCRIPTS: usize = 49;
const DEPENDENCY: usize = 26;

/// Resolution tags.
const RES_ROOT: u8 = 1;
const RES_NPM: u8 = 2;
const RES_FOLDER: u8 = 4;
const RES_LOCAL_TARBALL: u8 = 8;
const RES_GITHUB: u8 = 16;
const RES_GIT: u8 = 32;
const RES_SYMLINK: u8 = 64;
const RES_WORKSPACE: u8 = 72;
const RES_REMOTE_TARBALL: u8 = 80;

/// Dependency behaviour bits.
const B_OPTIONAL: u8 = 1 << 2;
const B_DEV: u8 = 1 << 3;
const B_PEER: u8 = 1 << 4;

struct Reader<'b> {
    b: &'b [u8],
}

impl<'b> Reader<'b> {
    fn slice(&self, cx: &Cx, at: usize, len: usize) -> Res<&'b [u8]> {
        at.checked_add(len)
            .and_then(|end| self.b.get(at..end))
            .ok_or_else(|| {
                cx.err(
                    1,
                    format!(
                        "bun.lockb: {len} bytes at offset {at} run past the end of the file ({} bytes)",
                        self.b.len()
                    ),
                )
            })
    }

    fn u32(&self, cx: &Cx, at: usize) -> Res<u32> {
        let s = self.slice(cx, at, 4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }

    fn u64(&self, cx: &Cx, at: usize) -> Res<u64> {
        let s = self.slice(cx, at, 8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Ok(u64::from_le_bytes(a))
    }

    fn usize(&self, cx: &Cx, at: usize) -> Res<usize> {
        let v = self.u64(cx, at)?;
        usize::try_from(v)
            .ok()
            .filter(|v| *v <= self.b.len())
            .ok_or_else(|| {
                cx.err(
                    1,
                    format!("bun.lockb: offset or count {v} at byte {at} exceeds the file"),
                )
            })
    }
}

/// A buffer of the lockfile: its bytes and element size.
struct Buffer<'b> {
    bytes: &'b [u8],
    elem: usize,
}

/// Reads the string at `s` (8 bytes).
fn string(s: &[u8], strings: &[u8]) -> Option<String> {
    if s.len() != 8 {
        return None;
    }
    if s[7] & 0x80 == 0 {
        let end = s.iter().position(|&c| c == 0).unwrap_or(8);
        return std::str::from_utf8(&s[..end]).ok().map(str::to_string);
    }
    let off = u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize;
    let len = (u32::from_le_bytes([s[4], s[5], s[6], s[7]]) & 0x7fff_ffff) as usize;
    let bytes = strings.get(off..off.checked_add(len)?)?;
    std::str::from_utf8(bytes).ok().map(str::to_string)
}

fn le32(s: &[u8], at: usize) -> Option<u32> {
    let b = s.get(at..at + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// `major.minor.patch[-pre][+build]` of a version at `v` (u32 or u64 fields).
fn version(v: &[u8], wide: bool, strings: &[u8]) -> Option<String> {
    let (nums, tag_at) = if wide {
        let n = |i: usize| -> Option<u64> {
            let b = v.get(i * 8..i * 8 + 8)?;
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            Some(u64::from_le_bytes(a))
        };
        ([n(0)?, n(1)?, n(2)?], 32)
    } else {
        (
            [
                u64::from(le32(v, 0)?),
                u64::from(le32(v, 4)?),
                u64::from(le32(v, 8)?),
            ],
            16,
        )
    };
    let mut out = format!("{}.{}.{}", nums[0], nums[1], nums[2]);
    let pre = string(v.get(tag_at..tag_at + 8)?, strings).unwrap_or_default();
    let build = string(v.get(tag_at + 16..tag_at + 24)?, strings).unwrap_or_default();
    if !pre.is_empty() {
        out.push('-');
        out.push_str(pre.trim_start_matches('-'));
    }
    if !build.is_empty() {
        out.push('+');
        out.push_str(build.trim_start_matches('+'));
    }
    Some(out)
}

/// Integrity of a package (tag then up to 64 digest bytes).
fn integrity(meta: &[u8]) -> Option<Hash> {
    let tag = *meta.get(20)?;
    let (alg, len) = match tag {
        1 => ("sha1", 20),
        2 => ("sha256", 32),
        3 => ("sha384", 48),
        4 => ("sha512", 64),
        _ => return None,
    };
    Some(Hash {
        alg: alg.to_string(),
        value: hex_lower(meta.get(21..21 + len)?),
    })
}

pub(crate) fn parse(cx: &mut Cx, bytes: &[u8]) -> Res<()> {
    let r = Reader { b: bytes };
    if !bytes.starts_with(HEADER) {
        return Err(cx.err(
            1,
            "not a bun.lockb (no `#!/usr/bin/env bun` / `bun-lockfile-format-v0` header)",
        ));
    }
    let mut at = HEADER.len();
    let format = r.u32(cx, at)?;
    at += 4 + 32;
    let total = r.usize(cx, at)?;
    at += 8;
    let count = r.usize(cx, at)?;
    let columns = r.u64(cx, at + 16)?;
    let begin = r.usize(cx, at + 24)?;
    let end = r.usize(cx, at + 32)?;
    if begin > end || end > total {
        return Err(cx.err(
            1,
            format!("bun.lockb: package columns {begin}..{end} outside the data (0..{total})"),
        ));
    }
    let fixed = NAME + NAME_HASH + 2 * SLICE + META + BIN + if columns == 8 { SCRIPTS } else { 0 };
    if !(7..=8).contains(&columns) || count == 0 || (end - begin) % count != 0 {
        return Err(cx.err(
            1,
            format!(
                "bun.lockb: {count} packages in {columns} columns do not fill {} bytes",
                end - begin
            ),
        ));
    }
    let per = (end - begin) / count;
    // The resolution is 64 bytes when versions have u32 fields, 72 when they have u64.
    let res_size = per.saturating_sub(fixed);
    let wide = match res_size {
        64 => false,
        72 | 80 => true,
        _ => {
            return Err(cx.err(
                1,
                format!(
                    "bun.lockb format {format}: {per} bytes per package is no layout this reader knows"
                ),
            ));
        }
    };
    let col = |i: usize| -> usize {
        let sizes = [NAME, NAME_HASH, res_size, SLICE, SLICE, META, BIN];
        begin + sizes[..i].iter().sum::<usize>() * count
    };
    // The six buffers after the packages.
    let mut pos = end;
    let mut buffers: Vec<Buffer> = Vec::new();
    for i in 0..6 {
        let s = r.usize(cx, pos)?;
        let e = r.usize(cx, pos + 8)?;
        if s > e || e <= pos {
            return Err(cx.err(
                1,
                format!("bun.lockb: buffer {i} at byte {pos} has range {s}..{e}"),
            ));
        }
        // `\n<type> N sizeof, M alignof\n` tells the element size.
        let head = r.slice(cx, pos + 16, s.saturating_sub(pos + 16).min(200))?;
        let elem = String::from_utf8_lossy(head)
            .split('>')
            .nth(1)
            .and_then(|t| t.split_whitespace().next()?.parse::<usize>().ok())
            .unwrap_or(1)
            .max(1);
        buffers.push(Buffer {
            bytes: r.slice(cx, s, e - s)?,
            elem,
        });
        pos = e;
    }
    let resolutions = &buffers[2];
    let deps = &buffers[3];
    let strings = buffers[5].bytes;
    if deps.elem != DEPENDENCY || resolutions.elem != 4 {
        return Err(cx.err(
            1,
            format!(
                "bun.lockb: dependency records of {} bytes and resolutions of {} bytes are no layout this reader knows",
                deps.elem, resolutions.elem
            ),
        ));
    }
    let name_of = |i: usize| -> Option<String> {
        let at = col(0) + i * NAME;
        string(bytes.get(at..at + NAME)?, strings)
    };
    let res_of = |i: usize| -> Option<&[u8]> {
        let at = col(2) + i * res_size;
        bytes.get(at..at + res_size)
    };
    let slice_of = |c: usize, i: usize| -> Option<(usize, usize)> {
        let at = col(c) + i * SLICE;
        let s = bytes.get(at..at + SLICE)?;
        Some((le32(s, 0)? as usize, le32(s, 4)? as usize))
    };
    // Packages: index -> package (None for the root, workspaces and local folders).
    let mut purls: Vec<Option<String>> = vec![None; count];
    let mut built: Vec<Option<crate::Package>> = vec![None; count];
    for i in 0..count {
        let name = name_of(i).unwrap_or_default();
        let Some(res) = res_of(i) else {
            cx.skip(None, format!("package #{i}"), "resolution outside the file");
            continue;
        };
        let value = &res[8..];
        let tag = res[0];
        let entry = if name.is_empty() {
            format!("package #{i}")
        } else {
            name.clone()
        };
        let (version, source): (Option<String>, Option<String>) = match tag {
            RES_ROOT => {
                cx.project = Some((name.clone(), None));
                cx.skip(None, entry, "the project root");
                continue;
            }
            RES_NPM => {
                let url = string(&value[..8], strings).filter(|u| !u.is_empty());
                (version(&value[8..], wide, strings), url)
            }
            RES_FOLDER | RES_SYMLINK | RES_WORKSPACE => {
                let what = match tag {
                    RES_FOLDER => "a local folder",
                    RES_SYMLINK => "a symlinked package",
                    _ => "a workspace of the project",
                };
                let path = string(&value[..8], strings).unwrap_or_default();
                cx.skip(None, entry, format!("{what} ({path})"));
                continue;
            }
            RES_LOCAL_TARBALL | RES_REMOTE_TARBALL => {
                let url = string(&value[..8], strings).unwrap_or_default();
                (None, Some(url))
            }
            RES_GITHUB | RES_GIT => {
                let f = |k: usize| string(&value[k * 8..k * 8 + 8], strings).unwrap_or_default();
                let (owner, repo, committish, resolved) = (f(0), f(1), f(2), f(3));
                let commit = if resolved.is_empty() {
                    committish
                } else {
                    resolved
                };
                let url = if tag == RES_GITHUB {
                    format!("git+https://github.com/{owner}/{repo}")
                } else {
                    repo
                };
                (
                    Some(commit.clone()).filter(|c| !c.is_empty()),
                    Some(format!("{url}#{commit}")),
                )
            }
            other => {
                cx.skip(
                    None,
                    entry,
                    format!("unresolved or unknown resolution tag {other}"),
                );
                continue;
            }
        };
        if name.is_empty() {
            cx.skip(None, entry, "no package name");
            continue;
        }
        let mut p = pkg(Ecosystem::Npm, &name, version.as_deref());
        p.source = source;
        let meta_at = col(5) + i * META;
        if let Some(h) = bytes.get(meta_at..meta_at + META).and_then(integrity) {
            p.hashes.push(h);
        }
        purls[i] = Some(p.purl.clone());
        built[i] = Some(p);
    }
    // Edges: each package's dependencies resolve, index for index, to package ids.
    let dep_at = |d: usize| deps.bytes.get(d * DEPENDENCY..(d + 1) * DEPENDENCY);
    let target = |d: usize| -> Option<usize> {
        let id = le32(resolutions.bytes, d * 4)? as usize;
        (id < count).then_some(id)
    };
    let mut roots: Vec<(String, Scope)> = Vec::new();
    let mut edges: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for i in 0..count {
        let Some((off, len)) = slice_of(3, i) else {
            continue;
        };
        let is_root = res_of(i).is_some_and(|r| r[0] == RES_ROOT || r[0] == RES_WORKSPACE);
        for d in off..off
            .saturating_add(len)
            .min(off + (deps.bytes.len() / DEPENDENCY))
        {
            let Some(rec) = dep_at(d) else { break };
            let Some(to) = target(d).and_then(|t| purls[t].clone()) else {
                continue;
            };
            let behaviour = rec[16];
            if is_root {
                let scope = if behaviour & B_DEV != 0 {
                    Scope::Dev
                } else if behaviour & (B_OPTIONAL | B_PEER) != 0 {
                    Scope::Optional
                } else {
                    Scope::Required
                };
                roots.push((to, scope));
            } else {
                edges.entry(i).or_default().push(to);
            }
        }
    }
    let mut packages: Vec<crate::Package> = Vec::new();
    for (i, p) in built.into_iter().enumerate() {
        if let Some(mut p) = p {
            p.dependencies = edges.remove(&i).unwrap_or_default();
            packages.push(p);
        }
    }
    if !roots.is_empty() {
        infer_from_roots(&mut packages, &roots);
    }
    for p in packages {
        cx.add(p);
    }
    Ok(())
}
