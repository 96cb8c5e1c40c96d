//! Commit and tag objects: the signature, the exact bytes it signs, and the identity
//! fields the policy needs. Our own extractor, written to match git's
//! `parse_buffer_signed_by_header` (commits) and `parse_signed_buffer` (tags) byte for
//! byte: every `gpgsig*` header is dropped from a commit's payload, not only the first.

/// Which signature format an armored block is (chosen by its first line, as git does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SigFormat {
    /// `-----BEGIN SSH SIGNATURE-----`
    Ssh,
    /// `-----BEGIN PGP SIGNATURE-----` / `PGP MESSAGE`
    OpenPgp,
    /// `-----BEGIN SIGNED MESSAGE-----` (gpgsm, gitsign)
    X509,
}

const MARKERS: [(&[u8], SigFormat); 4] = [
    (b"-----BEGIN SSH SIGNATURE-----", SigFormat::Ssh),
    (b"-----BEGIN PGP SIGNATURE-----", SigFormat::OpenPgp),
    (b"-----BEGIN PGP MESSAGE-----", SigFormat::OpenPgp),
    (b"-----BEGIN SIGNED MESSAGE-----", SigFormat::X509),
];

/// The format of an armored signature, if git would recognise it.
pub fn sig_format(sig: &[u8]) -> Option<SigFormat> {
    MARKERS
        .iter()
        .find(|(m, _)| sig.starts_with(m))
        .map(|(_, f)| *f)
}

/// A signature and the bytes it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The object without its signature: what was signed.
    pub payload: Vec<u8>,
    /// The armored signature, if any.
    pub signature: Option<Vec<u8>>,
}

fn lines(buf: &[u8]) -> impl Iterator<Item = &[u8]> {
    buf.split_inclusive(|&b| b == b'\n')
}

/// Splits a commit into payload and signature exactly as git does for SHA-1 repositories:
/// the values of every `gpgsig ` header are concatenated into the signature; every
/// header starting with `gpgsig` (with its continuation lines) is left out of the payload.
pub fn split_commit(data: &[u8]) -> Signed {
    let (mut payload, mut sig) = (Vec::with_capacity(data.len()), Vec::new());
    let (mut in_sig, mut saw, mut other) = (false, false, false);
    let mut pos = 0;
    while pos < data.len() {
        let rest = &data[pos..];
        let line_len = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |i| i + 1);
        let line = &rest[..line_len];
        let mut next = pos + line_len;
        let value = if in_sig && line.first() == Some(&b' ') {
            Some(&line[1..])
        } else if let Some(v) = line.strip_prefix(b"gpgsig ") {
            other = false;
            Some(v)
        } else {
            if line.starts_with(b"gpgsig") {
                other = true;
            } else if other && line.first() != Some(&b' ') {
                other = false;
            }
            None
        };
        if let Some(v) = value {
            sig.extend_from_slice(v);
            saw = true;
            in_sig = true;
        } else {
            if line.first() == Some(&b'\n') {
                next = data.len();
            }
            if !other {
                payload.extend_from_slice(&data[pos..next]);
            }
            in_sig = false;
        }
        pos = next;
    }
    Signed {
        payload,
        signature: saw.then_some(sig),
    }
}

/// Splits a tag (or any buffer with a trailing signature) at the last line that starts a
/// signature git recognises, as git's `parse_signed_buffer`.
pub fn split_tag(data: &[u8]) -> Signed {
    let mut at = data.len();
    let mut pos = 0;
    for line in lines(data) {
        if sig_format(line).is_some() {
            at = pos;
        }
        pos += line.len();
    }
    Signed {
        payload: data[..at].to_vec(),
        signature: (at < data.len()).then(|| data[at..].to_vec()),
    }
}

/// `Name <email> 1700000000 +0100`, as in author / committer / tagger headers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// The email, without the angle brackets.
    pub email: String,
    /// Seconds since the epoch.
    pub time: i64,
}

impl Ident {
    /// Reads an identity value; `None` if it is malformed.
    pub fn parse(v: &[u8]) -> Option<Ident> {
        let v = std::str::from_utf8(v).ok()?.trim_end();
        let lt = v.rfind('<')?;
        let gt = v[lt..].find('>')? + lt;
        let mut rest = v[gt + 1..].split_whitespace();
        let time = rest.next()?.parse().ok()?;
        Some(Ident {
            name: v[..lt].trim().to_string(),
            email: v[lt + 1..gt].to_string(),
            time,
        })
    }
}

/// The fields of a commit or tag header that the checks use.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Header {
    /// `tree` id (hex), commits only.
    pub tree: Option<String>,
    /// `parent` ids (hex), commits only.
    pub parents: Vec<String>,
    /// `committer` (commits) or `tagger` (tags).
    pub identity: Option<Ident>,
    /// `object` (tags).
    pub object: Option<String>,
    /// `tag` name (tags).
    pub tag_name: Option<String>,
    /// Embedded tag objects from `mergetag` headers (continuations unfolded).
    pub mergetags: Vec<Vec<u8>>,
}

/// Reads the header of a commit or tag.
pub fn parse_header(data: &[u8]) -> Header {
    let mut h = Header::default();
    let mut current: Option<Vec<u8>> = None;
    for line in lines(data) {
        if line == b"\n" {
            break;
        }
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        if let Some(cont) = line.strip_prefix(b" ") {
            if let Some(m) = current.as_mut() {
                m.push(b'\n');
                m.extend_from_slice(cont);
            }
            continue;
        }
        if let Some(mut m) = current.take() {
            m.push(b'\n');
            h.mergetags.push(m);
        }
        let (key, value) = match line.iter().position(|&b| b == b' ') {
            Some(i) => (&line[..i], &line[i + 1..]),
            None => (line, &b""[..]),
        };
        let text = || String::from_utf8_lossy(value).into_owned();
        match key {
            b"tree" => h.tree = Some(text()),
            b"parent" => h.parents.push(text()),
            b"committer" | b"tagger" => h.identity = Ident::parse(value),
            b"object" => h.object = Some(text()),
            b"tag" => h.tag_name = Some(text()),
            b"mergetag" => current = Some(value.to_vec()),
            _ => {}
        }
    }
    if let Some(mut m) = current.take() {
        m.push(b'\n');
        h.mergetags.push(m);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_gpgsig_header_is_dropped() {
        let c = b"tree t\ngpgsig-sha256 X\n Y\ngpgsig A\n B\nauthor a\n\nmsg\ngpgsig in body\n";
        let s = split_commit(c);
        assert_eq!(s.payload, b"tree t\nauthor a\n\nmsg\ngpgsig in body\n");
        assert_eq!(s.signature.unwrap(), b"A\nB\n");
        assert_eq!(split_commit(b"tree t\n\nm").signature, None);
    }

    #[test]
    fn tag_signature_is_the_last_marker() {
        let t = b"object o\n\nmsg\n-----BEGIN PGP SIGNATURE-----\nx\n-----BEGIN SSH SIGNATURE-----\ny\n";
        let s = split_tag(t);
        assert!(s.signature.unwrap().starts_with(b"-----BEGIN SSH"));
        assert!(s.payload.ends_with(b"x\n"));
    }

    #[test]
    fn idents() {
        let i = Ident::parse(b"A B <a@x> 1700000000 +0100").unwrap();
        assert_eq!((i.email.as_str(), i.time), ("a@x", 1_700_000_000));
        assert!(Ident::parse(b"nobody").is_none());
    }
}
