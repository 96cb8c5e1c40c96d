//! in-toto link reader: never panics on any link (Metablock, DSSE, Statement with the
//! link predicate), the fast Metablock path agrees with the general one byte for byte,
//! and rules over what it read apply without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    // the fast link reader agrees with the general one whenever it takes a document
    if let Some(fast) = palisade_intoto::metadata::fast_canonical(data) {
        assert_eq!(Some(fast), palisade_intoto::metadata::general_canonical(data));
    }
    if let Ok(md) = palisade_intoto::Metadata::from_bytes(data, "fuzz") {
        if let palisade_intoto::Payload::Link(link) = &md.payload {
            let mut links = BTreeMap::new();
            links.insert(link.name.clone(), link.clone());
            // rules whose patterns come from the link's own artefact names
            let mut rules: Vec<Vec<String>> = Vec::new();
            for p in link.materials.keys().chain(link.products.keys()).take(8) {
                rules.push(vec!["MATCH".into(), p.clone(), "IN".into(), p.clone(), "WITH".into(), "PRODUCTS".into(), "FROM".into(), link.name.clone()]);
                rules.push(vec!["ALLOW".into(), p.clone()]);
                rules.push(vec!["REQUIRE".into(), p.clone()]);
            }
            rules.push(vec!["DISALLOW".into(), "*".into()]);
            for kind in [palisade_intoto::ArtifactKind::Materials, palisade_intoto::ArtifactKind::Products] {
                let _ = palisade_intoto::rules::apply_rules(kind, &rules, link, &links);
            }
            let _ = palisade_intoto::metadata::json_compact(&link.to_value());
        }
    }
    // patterns themselves
    if let Ok(s) = std::str::from_utf8(data) {
        let (pat, name) = s.split_once('\n').unwrap_or((s, "x"));
        let _ = palisade_intoto::pattern::Pattern::new(pat).matches(name);
        let _ = palisade_intoto::pattern::Excludes::new(&[pat]).excluded(name, false);
    }
});
