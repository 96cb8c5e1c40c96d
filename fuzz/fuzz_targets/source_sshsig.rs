//! SSHSIG armor / blob and OpenSSH certificate readers, and verification of whatever
//! parses: never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use palisade_source::sshsig::{Certificate, SshSig};

fuzz_target!(|data: &[u8]| {
    for sig in [SshSig::from_armor(data), SshSig::from_blob(data)]
        .into_iter()
        .flatten()
    {
        let _ = sig.verify("git", b"payload");
    }
    if let Ok(c) = Certificate::parse(data) {
        let _ = c.verify_ca_signature();
        let _ = c.valid_at(1_700_000_000);
    }
});
