//! Forge API answers (untrusted JSON from a server or an export) through the whole
//! assessment, for GitHub and GitLab: the same arbitrary answer to every question, or one
//! answer per question cut from the input; remote URLs parsed from the input too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_forge::{Access, Api, ApiError, Flavour, ForgeRepo, Local, Page, Settings, assess};

struct Answers(Vec<serde_json::Value>, std::cell::Cell<usize>);

impl Api for Answers {
    fn get(&self, _path: &str) -> Result<Page, ApiError> {
        if self.0.is_empty() {
            return Err(ApiError::NotExported(String::new()));
        }
        let i = self.1.get();
        self.1.set(i + 1);
        let body = self.0[i % self.0.len()].clone();
        let next = (i % 3 == 1).then(|| "next?page=2".to_string());
        Ok(Page { body, next })
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = ForgeRepo::from_url(&text, None);
    let _ = palisade_forge::redact_url(&text);
    let answers: Vec<serde_json::Value> = text
        .split('\u{1}')
        .filter_map(|part| serde_json::from_str(part).ok())
        .collect();
    let api = Answers(answers, std::cell::Cell::new(0));
    let local = Local {
        contributing: vec![],
        remotes: vec![("origin".into(), text.chars().take(200).collect())],
    };
    for (flavour, url) in [
        (Flavour::GitHub, "https://github.com/o/r"),
        (Flavour::GitLab, "https://gitlab.com/g/s/p"),
    ] {
        let repo = ForgeRepo::from_url(url, Some(flavour)).unwrap();
        let _ = assess(Access::Api(&api, &repo), &local, &Settings::default());
    }
});
