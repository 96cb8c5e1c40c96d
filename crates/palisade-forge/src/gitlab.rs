//! GitLab: REST API v4 answers turned into verdicts.

use palisade_report::{Evidence, Status};

use crate::{Api, Assessment, CONTROLS, ForgeRepo, Settings};

pub(crate) fn assess(_api: &dyn Api, repo: &ForgeRepo, _settings: &Settings, out: &mut Assessment) {
    for c in CONTROLS {
        out.set(
            c,
            Status::Unknown,
            vec![Evidence::note(format!(
                "{}: GitLab forge controls are not read by this version",
                repo.path
            ))],
        );
    }
}
