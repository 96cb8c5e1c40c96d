//! Inputs built to make a scanner slow or crash: one huge line full of keywords, key
//! headers without bodies, arbitrary bytes. Each must return, with consistent matches.

use palisade_secrets::{Config, Scanner};

fn check(s: &Scanner, path: &str, buf: &[u8]) -> usize {
    let ms = s.scan(path, buf);
    // Line numbers counted once over the buffer, in offset order (not per match).
    let mut order: Vec<&_> = ms.iter().collect();
    order.sort_by_key(|m| m.offset);
    let (mut at, mut line) = (0usize, 1u64);
    for m in order {
        assert_eq!(
            &buf[m.offset..m.offset + m.secret.len()],
            m.secret.as_slice()
        );
        line += buf[at..m.offset].iter().filter(|&&b| b == b'\n').count() as u64;
        at = m.offset;
        assert_eq!(m.line, line);
    }
    ms.len()
}

#[test]
fn pathological_inputs_return() {
    let s = Config::default().scanner().expect("scanner");
    let one_line = "password=\"hN7kq2Lp0zX\" token ".repeat(100_000);
    let n = check(&s, "a.env", one_line.as_bytes());
    assert!(
        n >= 1,
        "the repeated secret is still found once per position"
    );
    let headers = "-----BEGIN RSA PRIVATE KEY-----\n".repeat(50_000);
    assert_eq!(check(&s, "k.pem", headers.as_bytes()), 0);
    let eyj = "eyJ".repeat(300_000);
    assert_eq!(check(&s, "x", eyj.as_bytes()), 0);
    // Rules that look back at earlier lines (user name, then password): every line a
    // keyword, pairs everywhere, and user lines with no password value after them.
    let pairs = "user = 'ops'\npassword = 'Wq9rTz4k'\n".repeat(500);
    assert!(check(&s, "deploy.conf", pairs.as_bytes()) >= 1);
    let users = format!("{}password\n", "username: u\n".repeat(20_000));
    assert_eq!(check(&s, "a.yml", users.as_bytes()), 0);
    let words = "password password == pass ".repeat(20_000);
    assert_eq!(check(&s, "a.py", words.as_bytes()), 0);
    // Pseudo-random bytes (xorshift), 4 MiB.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let noise: Vec<u8> = (0..4 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    check(&s, "n.bin", &noise);
    check(&s, "", b"");
}
