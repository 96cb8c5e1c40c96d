//! TUF metadata reader: any bytes, as each role type; then the delegation search helpers
//! and the threshold check on whatever parsed. Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_tuf::metadata::{Metadata, RoleType, path_matches};

fuzz_target!(|data: &[u8]| {
    for t in [
        RoleType::Root,
        RoleType::Timestamp,
        RoleType::Snapshot,
        RoleType::Targets,
    ] {
        if let Ok(md) = Metadata::parse(data, t, "fuzz.json") {
            if let Some(r) = md.root() {
                for role in ["root", "timestamp", "snapshot", "targets"] {
                    let _ = r.verify(&md, role, "fuzz.json");
                }
            }
            if let Some((targets, Some(d))) = md.targets() {
                for path in targets.keys().take(8) {
                    for (name, _) in d.roles_for_target(path) {
                        let _ = d.role_keys(&name);
                    }
                }
                let _ = d.roles_for_target("a/b.txt");
            }
        }
    }
    // Pattern matching: first line is the pattern, the rest the path.
    if let Ok(s) = std::str::from_utf8(data) {
        let (p, t) = s.split_once('\n').unwrap_or((s, "a/b/c.txt"));
        let _ = path_matches(p, t);
    }
});
