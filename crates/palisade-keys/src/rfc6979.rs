//! Deterministic ECDSA nonces (RFC 6979, section 3.2) for P-521 with SHA-512.
//!
//! The `p521` crate signs with a random nonce, and the generic RFC 6979 code of the
//! `ecdsa` crate needs a hash as wide as the curve's field (66 bytes), which SHA-512 is
//! not. This is the RFC's algorithm written out for that one case, so that P-521
//! signatures are as reproducible as P-256 and P-384 ones, and equal to OpenSSL's
//! deterministic signatures (checked against pyca/cryptography in the interop tests).

use hmac::{Hmac, Mac};
use p521::elliptic_curve::PrimeField;
use p521::{FieldBytes, NonZeroScalar, Scalar};
use sha2::{Digest, Sha512};

type HmacSha512 = Hmac<Sha512>;

const RLEN: usize = 66; // ceil(521 / 8)
const SHIFT: u32 = (RLEN * 8 - 521) as u32; // 7 surplus bits in 66 bytes

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 64] {
    // HMAC accepts keys of any length
    let mut mac = <HmacSha512 as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// `bits2octets(h)`: the 64-byte hash as an integer (shorter than q, so no shift), reduced
/// mod q (a no-op: 2^512 < q), as 66 big-endian bytes.
fn hash_octets(h: &[u8; 64]) -> [u8; RLEN] {
    let mut out = [0u8; RLEN];
    out[RLEN - 64..].copy_from_slice(h);
    out
}

/// The nonce for signing `message` with secret scalar `x`.
pub(crate) fn nonce_p521(x: &NonZeroScalar, message: &[u8]) -> Scalar {
    let h: [u8; 64] = Sha512::digest(message).into();
    let repr = x.to_repr();
    let mut x_oct = [0u8; RLEN];
    x_oct.copy_from_slice(repr.as_slice());
    let h_oct = hash_octets(&h);
    let mut v = [0x01u8; 64];
    let mut k = [0x00u8; 64];
    k = hmac(&k, &[&v, &[0x00], &x_oct, &h_oct]);
    v = hmac(&k, &[&v]);
    k = hmac(&k, &[&v, &[0x01], &x_oct, &h_oct]);
    v = hmac(&k, &[&v]);
    loop {
        let mut t = [0u8; 2 * 64];
        v = hmac(&k, &[&v]);
        t[..64].copy_from_slice(&v);
        v = hmac(&k, &[&v]);
        t[64..].copy_from_slice(&v);
        // bits2int: the leftmost 521 bits of the first 66 bytes
        let mut cand = [0u8; RLEN];
        let mut carry = 0u8;
        for (i, byte) in t[..RLEN].iter().enumerate() {
            cand[i] = (byte >> SHIFT) | carry;
            carry = byte << (8 - SHIFT);
        }
        let repr = FieldBytes::clone_from_slice(&cand);
        let scalar: Option<Scalar> = Scalar::from_repr(repr).into();
        if let Some(s) = scalar
            && bool::from(!s.is_zero())
        {
            return s;
        }
        k = hmac(&k, &[&v, &[0x00]]);
        v = hmac(&k, &[&v]);
    }
}
