//! in-toto layout reader: never panics on any layout document (Metablock or DSSE), and
//! what it reads can be completed, rule-parsed and signature-checked without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn key() -> &'static palisade_keys::PublicKey {
    static KEY: OnceLock<palisade_keys::PublicKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let json = br#"{"keytype":"ed25519","scheme":"ed25519","keyval":{"public":"094def0d08bdde2bfa849e45b237b2819eef218cbd882e3d4b3cef9fdf0896a2"}}"#;
        palisade_keys::PublicKey::parse(json, None).expect("test key")
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(md) = palisade_intoto::Metadata::from_bytes(data, "fuzz") {
        let _ = md.verify_signature(key());
        if let palisade_intoto::Payload::Layout(l) = &md.payload {
            for s in &l.steps {
                for r in s.expected_materials.iter().chain(&s.expected_products) {
                    let _ = palisade_intoto::Rule::parse(r);
                }
            }
            let _ = palisade_intoto::time::parse_utc(&l.expires);
        }
        if let Ok(mut v) = md.signed_value() {
            let _ = palisade_intoto::model::complete_layout(&mut v, "2036-01-01T00:00:00Z");
        }
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = palisade_intoto::time::parse_utc(s);
    }
});
