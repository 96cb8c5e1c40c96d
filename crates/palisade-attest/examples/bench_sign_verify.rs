//! Benchmark driver (used by bench/trust-core.sh): sign N in-toto statements into DSSE
//! envelopes with one key, then verify all of them, on one thread and then on every
//! core; prints the three times in seconds.
//!
//! Usage: bench_sign_verify <ed25519|ecdsa-p256|…> <N>

use std::time::Instant;

use palisade_attest::{Statement, Subject, sign_statement};
use palisade_keys::{KeyAlgorithm, PrivateKey};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let alg: KeyAlgorithm = args.next().ok_or("key type")?.parse()?;
    let n: usize = args.next().ok_or("count")?.parse()?;
    let key = PrivateKey::generate(alg)?;
    let public = [key.public_key().clone()];
    let statements: Vec<Statement> = (0..n)
        .map(|i| {
            let subject = Subject::for_bytes(&format!("artifact-{i}.tar.gz"), format!("content {i}").as_bytes());
            Statement::new(vec![subject], "https://slsa.dev/provenance/v1", serde_json::json!({"buildDefinition": {"buildType": "https://example.com/b", "externalParameters": {"n": i}}}))
        })
        .collect::<Result<_, _>>()?;
    let t0 = Instant::now();
    let envelopes = statements
        .iter()
        .map(|s| sign_statement(s, &[&key]))
        .collect::<Result<Vec<_>, _>>()?;
    let sign = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    for env in &envelopes {
        env.verify(&public, 1)?;
    }
    let verify = t1.elapsed().as_secs_f64();
    // the same, on every core (as `attest verify` checks a bundle's lines)
    use rayon::prelude::*;
    let t2 = Instant::now();
    envelopes
        .par_iter()
        .try_for_each(|env| env.verify(&public, 1).map(|_| ()))?;
    let verify_par = t2.elapsed().as_secs_f64();
    println!("{sign:.4} {verify:.4} {verify_par:.4}");
    Ok(())
}
