//! Key readers (PEM, DER, OpenSSH, securesystemslib JSON): never panic, never hang.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(k) = palisade_keys::PublicKey::parse(data, None) {
        let _ = k.to_pem();
        let _ = k.verify(b"message", b"signature");
    }
    let _ = palisade_keys::PublicKey::from_spki_der(data, None);
    // a passphrase is given so that encrypted keys reach the KDF-cost check
    let _ = palisade_keys::PrivateKey::parse(data, Some(b"fuzz"));
});
