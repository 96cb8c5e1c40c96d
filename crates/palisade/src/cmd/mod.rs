//! One module per command area.

pub mod attest;
pub mod audit;
pub mod codeowners;
pub mod dsse;
pub mod hook;
pub mod intoto;
pub mod key;
pub mod sbom;
pub mod secrets;
pub mod tuf;
pub mod verify;
