//! DSSE envelope reader and verifier: never panics on any envelope.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn key() -> &'static palisade_keys::PublicKey {
    static KEY: OnceLock<palisade_keys::PublicKey> = OnceLock::new();
    KEY.get_or_init(|| {
        // the DSSE spec's P-256 test key
        let pem = b"-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZ805D3eqNZywjCI19lInBJOp7YMr
CrzAH3CVTAOQ0jgMeCvVTiaRJaRPRDOv8UMs6U4SvKc6pnrIDOoSYI3fdA==
-----END PUBLIC KEY-----
";
        palisade_keys::PublicKey::parse(pem, None).expect("test key")
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = palisade_dsse::Envelope::from_json(data) {
        let _ = env.payload_bytes();
        let _ = env.verify(std::slice::from_ref(key()), 1);
        let _ = env.to_json_line();
    }
});
