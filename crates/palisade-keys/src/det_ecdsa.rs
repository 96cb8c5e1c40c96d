//! Deterministic ECDSA (RFC 6979) on P-256, P-384 and P-521, fast.
//!
//! Signatures are byte-identical to OpenSSL's deterministic ECDSA (`deterministic_signing`
//! in pyca/cryptography; checked in the interop tests), so the same statement signed twice
//! gives the same envelope.
//!
//! The pieces, and who provides them:
//! * the nonce `k`: RFC 6979 section 3.2 (HMAC-DRBG with the message hash's function),
//!   written out here because the `ecdsa` crate's generic version needs a hash as wide as
//!   the field, which SHA-512 is not for P-521;
//! * `R = k·G`: aws-lc (its constant-time fixed-base multiplication, several times faster
//!   than the generic one in RustCrypto's `primeorder`), by deriving the public key of the
//!   scalar `k`;
//! * `r = R.x mod n`, `s = k⁻¹(z + r·d) mod n`: RustCrypto's constant-time scalar
//!   arithmetic (`p256`/`p384`/`p521`).

use aws_lc_rs::agreement;
use hmac::{Hmac, Mac};

use crate::KeyError;

fn crypto(e: impl std::fmt::Display) -> KeyError {
    KeyError::Crypto(e.to_string())
}

/// One curve's deterministic signer; expands to a function `name(d, message) -> DER`.
macro_rules! det_sign {
    ($name:ident, $curve:ident, $point_curve:ty, $hash:ty, $ecdh:expr, $rlen:expr, $qbits:expr) => {
        pub(crate) fn $name(
            d: &$curve::NonZeroScalar,
            message: &[u8],
        ) -> Result<Vec<u8>, KeyError> {
            use sha2::Digest;
            use $curve::elliptic_curve::ops::Reduce;
            #[allow(unused_imports)] // `is_zero` is a trait method on p256 only
            use $curve::elliptic_curve::{Field, PrimeField};

            const RLEN: usize = $rlen;
            const SHIFT: u32 = (RLEN * 8 - $qbits) as u32;
            type H = Hmac<$hash>;
            let mac = |key: &[u8], parts: &[&[u8]]| -> Vec<u8> {
                // HMAC takes keys of any length
                let mut m = <H as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
                for p in parts {
                    m.update(p);
                }
                m.finalize().into_bytes().to_vec()
            };

            let digest = <$hash>::digest(message);
            // z = bits2int(H(m)) as a field-sized big-endian value (left-padded)
            let z_bytes = ecdsa::hazmat::bits2field::<$point_curve>(&digest).map_err(crypto)?;
            let z = <$curve::Scalar as Reduce<_>>::reduce_bytes(&z_bytes);
            let x_oct = d.to_repr();
            let h_oct = z.to_repr(); // bits2octets(H(m)) = int2octets(z mod q)

            let hlen = digest.len();
            let mut v = vec![0x01u8; hlen];
            let mut k = vec![0x00u8; hlen];
            k = mac(&k, &[&v, &[0x00], &x_oct, &h_oct]);
            v = mac(&k, &[&v]);
            k = mac(&k, &[&v, &[0x01], &x_oct, &h_oct]);
            v = mac(&k, &[&v]);
            loop {
                let mut t = Vec::with_capacity(RLEN + hlen);
                while t.len() < RLEN {
                    v = mac(&k, &[&v]);
                    t.extend_from_slice(&v);
                }
                // bits2int: the leftmost qbits bits of T
                let mut cand = [0u8; RLEN];
                if SHIFT == 0 {
                    cand.copy_from_slice(&t[..RLEN]);
                } else {
                    let mut carry = 0u8;
                    for (i, byte) in t[..RLEN].iter().enumerate() {
                        cand[i] = (byte >> SHIFT) | carry;
                        carry = byte << (8 - SHIFT);
                    }
                }
                let repr = $curve::FieldBytes::clone_from_slice(&cand);
                let scalar: Option<$curve::Scalar> = $curve::Scalar::from_repr(repr).into();
                if let Some(kk) = scalar.filter(|s| !bool::from(s.is_zero())) {
                    // R = k·G by aws-lc: the public key of the private scalar k
                    let eph =
                        agreement::PrivateKey::from_private_key($ecdh, &cand).map_err(crypto)?;
                    let point = eph.compute_public_key().map_err(crypto)?;
                    let point = point.as_ref();
                    if point.len() != 1 + 2 * RLEN || point[0] != 0x04 {
                        return Err(KeyError::Crypto("unexpected point encoding".into()));
                    }
                    let x = $curve::FieldBytes::clone_from_slice(&point[1..1 + RLEN]);
                    let r = <$curve::Scalar as Reduce<_>>::reduce_bytes(&x);
                    let kinv: Option<$curve::Scalar> = kk.invert().into();
                    if let Some(kinv) = kinv {
                        let s = kinv * (z + r * d.as_ref());
                        if !bool::from(r.is_zero()) && !bool::from(s.is_zero()) {
                            let sig =
                                $curve::ecdsa::Signature::from_scalars(r.to_repr(), s.to_repr())
                                    .map_err(crypto)?;
                            return Ok(sig.to_der().as_bytes().to_vec());
                        }
                    }
                }
                k = mac(&k, &[&v, &[0x00]]);
                v = mac(&k, &[&v]);
            }
        }
    };
}

det_sign!(
    sign_p256,
    p256,
    p256::NistP256,
    sha2::Sha256,
    &agreement::ECDH_P256,
    32,
    256
);
det_sign!(
    sign_p384,
    p384,
    p384::NistP384,
    sha2::Sha384,
    &agreement::ECDH_P384,
    48,
    384
);
det_sign!(
    sign_p521,
    p521,
    p521::NistP521,
    sha2::Sha512,
    &agreement::ECDH_P521,
    66,
    521
);
