//! The CI audit on arbitrary bytes: the positioned YAML reader (deep nesting, anchors and
//! alias bombs must stay bounded) and every rule, as a workflow, an action and a GitLab
//! pipeline, with an org template. Must never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_ci::{Kind, Options, Policy, audit_text};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let policy = Policy::from_toml(
        "[actions]\nallow = [\"actions/*\"]\n[permissions]\nmax = { contents = \"read\" }\n\
         [[require]]\nname = \"s\"\nrun = \"scan\"\nscope = \"release\"\n[release]\nruns-on = [\"x\"]\nenvironment = \"e\"\n",
    )
    .ok();
    let opts = Options {
        policy,
        ..Options::default()
    };
    for kind in [Kind::Workflow, Kind::Action, Kind::Gitlab] {
        if let Ok(findings) = audit_text("f.yml", kind, text, &opts) {
            for f in findings {
                assert!(f.line >= 1 && f.column >= 1);
            }
        }
    }
});
