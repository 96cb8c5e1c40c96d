//! One module per command area.

pub mod attest;
pub mod audit;
pub mod dsse;
pub mod intoto;
pub mod key;
pub mod sbom;
pub mod tuf;
