//! One module per command area.

pub mod attest;
pub mod audit;
pub mod check;
pub mod ci;
pub mod codeowners;
pub mod db;
pub mod dsse;
pub mod forge;
pub mod hook;
pub mod intoto;
pub mod key;
pub mod sbom;
pub mod secrets;
pub mod tuf;
pub mod verify;
