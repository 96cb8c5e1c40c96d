//! Debug helper: prints what a lockfile resolves to.
fn main() {
    for a in std::env::args().skip(1) {
        match palisade_lockfile::parse_file(std::path::Path::new(&a), None) {
            Ok(l) => {
                for p in &l.packages {
                    println!(
                        "{} {:?} {:?} direct={:?} deps={}",
                        p.purl,
                        p.scope,
                        p.source,
                        p.direct,
                        p.dependencies.len()
                    );
                }
                for s in &l.skipped {
                    println!("SKIP {:?} {} : {}", s.line, s.entry, s.reason);
                }
                println!("{:?}", l.coverage);
            }
            Err(e) => println!("ERR {e}"),
        }
    }
}
