//! A small, lenient PEM reader and a writer that matches OpenSSL's layout.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::KeyError;

/// One `-----BEGIN LABEL-----` … `-----END LABEL-----` block.
#[derive(Debug, Clone)]
pub struct PemBlock {
    /// The label, e.g. `PUBLIC KEY`.
    pub label: String,
    /// Header lines (`Proc-Type: …`) of legacy encrypted PEM, if any.
    pub headers: Vec<String>,
    /// The decoded DER bytes.
    pub der: Vec<u8>,
}

/// Finds and decodes the first PEM block in `text`.
///
/// Text before and after the block is ignored (as OpenSSL does). The base64 may be
/// wrapped at any width; `\r\n` line ends are accepted.
pub fn pem_decode(text: &[u8]) -> Result<PemBlock, KeyError> {
    let text = std::str::from_utf8(text)
        .map_err(|_| KeyError::Unrecognised("PEM text is not UTF-8".into()))?;
    let begin = text
        .find("-----BEGIN ")
        .ok_or_else(|| KeyError::Unrecognised("no PEM BEGIN line".into()))?;
    let rest = &text[begin + 11..];
    let label_end = rest
        .find("-----")
        .ok_or_else(|| KeyError::Malformed("PEM BEGIN line is not closed".into()))?;
    let label = rest[..label_end].to_string();
    if label.contains('\n') {
        return Err(KeyError::Malformed("PEM BEGIN line is not closed".into()));
    }
    let body_and_rest = &rest[label_end + 5..];
    let end_marker = format!("-----END {label}-----");
    let end = body_and_rest.find(&end_marker).ok_or_else(|| {
        KeyError::Malformed(format!(
            "PEM block '{label}' has no END line (truncated file?)"
        ))
    })?;
    let body = &body_and_rest[..end];
    let mut headers = Vec::new();
    let mut b64 = String::with_capacity(body.len());
    for line in body.lines() {
        let line = line.trim();
        if line.contains(':') {
            headers.push(line.to_string());
        } else {
            b64.push_str(line);
        }
    }
    let der = STANDARD
        .decode(b64.as_bytes())
        .map_err(|e| KeyError::Malformed(format!("PEM block '{label}': bad base64: {e}")))?;
    if der.is_empty() {
        return Err(KeyError::Malformed(format!("PEM block '{label}' is empty")));
    }
    Ok(PemBlock {
        label,
        headers,
        der,
    })
}

/// Encodes DER as PEM with 64-column lines and a final newline, as OpenSSL (and so
/// Python's `cryptography`) writes it. securesystemslib key ids hash this exact text.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // base64 output is ASCII
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_truncation() {
        let der: Vec<u8> = (0..200u8).collect();
        let pem = pem_encode("PUBLIC KEY", &der);
        assert!(pem.lines().all(|l| l.len() <= 64));
        let block = pem_decode(pem.as_bytes()).unwrap();
        assert_eq!(block.der, der);
        assert_eq!(block.label, "PUBLIC KEY");
        let truncated = &pem[..pem.len() / 2];
        let err = pem_decode(truncated.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("no END line"), "{err}");
    }
}
