//! OpenPGP keyring reader and GPG signature check: never panic on any keyring, key dict
//! or signature.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(keys) = palisade_intoto::gpg::read_keyring(data) {
        for k in keys.iter().take(4) {
            let sig = palisade_intoto::gpg::GpgSignature {
                keyid: k.keyid.clone(),
                signature: hex::encode(data.get(..64).unwrap_or(data)),
                other_headers: hex::encode(data.get(..12).unwrap_or(data)),
            };
            let _ = k.verify(data, &sig);
            let v = k.to_sslib_value();
            let _ = palisade_intoto::gpg::GpgKey::from_sslib_value(&v, "");
        }
    }
    if let Ok(v) = palisade_cjson::parse(data) {
        let _ = palisade_intoto::LayoutKey::from_sslib_value(&v, "x");
    }
});
