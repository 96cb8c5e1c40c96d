"""The securesystemslib side of Palisade's interop tests.

Run with the peers' virtual environment (scripts/install-peers.sh). Each sub-command
does one thing with the real securesystemslib / pyca-cryptography, so the Rust tests
can check that what Palisade writes is accepted by them and the other way round.
"""

import argparse
import base64
import hashlib
import json
import os
import random
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from securesystemslib.dsse import Envelope
from securesystemslib.formats import encode_canonical
from securesystemslib.signer import CryptoSigner, SSlibKey


def _password():
    p = os.environ.get("PALISADE_PASSPHRASE")
    return p.encode() if p else None


def load_public(path, scheme=None):
    data = open(path, "rb").read()
    if data.lstrip().startswith(b"ssh-") or data.lstrip().startswith(b"ecdsa-sha2-"):
        pub = serialization.load_ssh_public_key(data.strip())
    elif b"PRIVATE KEY" in data:
        pub = serialization.load_pem_private_key(data, password=_password()).public_key()
    else:
        pub = serialization.load_pem_public_key(data)
    return SSlibKey.from_crypto(pub, scheme=scheme)


def cmd_keyid(a):
    print(load_public(a.file, a.scheme).keyid)


def cmd_sign(a):
    priv = serialization.load_pem_private_key(open(a.key, "rb").read(), password=_password())
    public = SSlibKey.from_crypto(priv.public_key(), scheme=a.scheme)
    signer = CryptoSigner(priv, public)
    env = Envelope(open(a.payload, "rb").read(), a.payload_type, {})
    env.sign(signer)
    json.dump(env.to_dict(), sys.stdout)


def cmd_verify(a):
    keys = [load_public(p, a.scheme) for p in a.pub]
    env = Envelope.from_dict(json.load(open(a.envelope)))
    try:
        accepted = env.verify(keys, a.threshold)
    except Exception as e:  # VerificationError and friends
        print(f"REJECTED: {type(e).__name__}: {e}")
        sys.exit(1)
    print("OK " + " ".join(sorted(accepted)))
    if a.payload_out:
        open(a.payload_out, "wb").write(env.payload)


def cmd_detsign(a):
    """RFC 6979 deterministic ECDSA over the DSSE PAE, by OpenSSL; base64 DER."""
    from cryptography.hazmat.primitives import hashes

    priv = serialization.load_pem_private_key(open(a.key, "rb").read(), password=_password())
    h = {256: hashes.SHA256(), 384: hashes.SHA384(), 521: hashes.SHA512()}[priv.curve.key_size]
    pae = Envelope(open(a.payload, "rb").read(), a.payload_type, {}).pae()
    sig = priv.sign(pae, ec.ECDSA(h, deterministic_signing=True))
    print(base64.b64encode(sig).decode())


def cmd_genkey(a):
    if a.type == "ed25519":
        priv = ed25519.Ed25519PrivateKey.generate()
    elif a.type.startswith("ecdsa-p"):
        curve = {"256": ec.SECP256R1(), "384": ec.SECP384R1(), "521": ec.SECP521R1()}[a.type[7:]]
        priv = ec.generate_private_key(curve)
    elif a.type.startswith("rsa-"):
        priv = rsa.generate_private_key(public_exponent=65537, key_size=int(a.type[4:]))
    else:
        raise SystemExit(f"unknown type {a.type}")
    pw = _password()
    enc = serialization.BestAvailableEncryption(pw) if pw else serialization.NoEncryption()
    open(a.out, "wb").write(
        priv.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)
    )
    pub = priv.public_key()
    open(a.out + ".pub", "wb").write(
        pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    open(a.out + ".ssh.pub", "wb").write(
        pub.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        + b" test@palisade\n"
    )
    print(SSlibKey.from_crypto(pub).keyid)


# ---- canonical JSON differential corpus ----

POOL = (
    ["a", "b", "z", "A", "Z", "0", "9", " ", "_", "-", "/", '"', "\\", "'"]
    + [chr(c) for c in range(0, 0x20)]
    + ["\x7f", "\x80", "\xa0", "\xe9", "\xc5", "\xff"]
    + ["e\u0301", "A\u030a", "\u212b", "\u1e9b\u0323", "\ufb01", "\u0340", "\u00c5"]
    + ["\u2028", "\u2029", "\ufeff", "\ufffd", "\uffff", "\uff61", "\u4e2d", "\u0627"]
    + ["\U00010000", "\U0001f600", "\U0001d11e", "\U0010ffff", "\U00020000"]
)


def rand_str(r, maxlen=12):
    return "".join(r.choice(POOL) for _ in range(r.randint(0, maxlen)))


def rand_int(r):
    k = r.random()
    if k < 0.4:
        return r.randint(-1000, 1000)
    if k < 0.7:
        return r.randint(-(2**63), 2**64)
    return r.randint(-(10**120), 10**120)


def rand_value(r, depth):
    k = r.random()
    if depth <= 0 or k < 0.45:
        return r.choice([None, True, False, rand_str(r), rand_int(r), rand_str(r, 40)])
    if k < 0.7:
        return [rand_value(r, depth - 1) for _ in range(r.randint(0, 6))]
    return {rand_str(r, 6): rand_value(r, depth - 1) for _ in range(r.randint(0, 6))}


def deep_value(r, depth):
    v = rand_value(r, 1)
    for _ in range(depth):
        k = rand_str(r, 3)
        v = [v] if r.random() < 0.5 else {k: v, k + "\u00e9": rand_int(r)}
    return v


def cmd_cjson_corpus(a):
    r = random.Random(a.seed)
    with open(a.out, "w") as out:
        for i in range(a.count):
            doc = deep_value(r, r.randint(50, 400)) if i % 50 == 0 else rand_value(r, r.randint(0, 6))
            text = json.dumps(
                doc,
                ensure_ascii=r.random() < 0.5,
                indent=r.choice([None, 0, 1, 2, "\t"]),
                sort_keys=r.random() < 0.3,
            )
            expected = encode_canonical(doc).encode("utf-8")
            out.write(
                base64.b64encode(text.encode("utf-8")).decode()
                + " "
                + base64.b64encode(expected).decode()
                + "\n"
            )


def cmd_cjson(a):
    """Encodes a JSON file canonically, to stdout (bytes)."""
    doc = json.load(open(a.file, encoding="utf-8"))
    sys.stdout.buffer.write(encode_canonical(doc).encode("utf-8"))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("keyid")
    s.add_argument("file")
    s.add_argument("--scheme")
    s.set_defaults(fn=cmd_keyid)
    s = sub.add_parser("sign")
    s.add_argument("key")
    s.add_argument("payload_type")
    s.add_argument("payload")
    s.add_argument("--scheme")
    s.set_defaults(fn=cmd_sign)
    s = sub.add_parser("verify")
    s.add_argument("envelope")
    s.add_argument("pub", nargs="+")
    s.add_argument("--threshold", type=int, default=1)
    s.add_argument("--scheme")
    s.add_argument("--payload-out")
    s.set_defaults(fn=cmd_verify)
    s = sub.add_parser("detsign")
    s.add_argument("key")
    s.add_argument("payload_type")
    s.add_argument("payload")
    s.set_defaults(fn=cmd_detsign)
    s = sub.add_parser("genkey")
    s.add_argument("type")
    s.add_argument("out")
    s.set_defaults(fn=cmd_genkey)
    s = sub.add_parser("cjson-corpus")
    s.add_argument("out")
    s.add_argument("--count", type=int, default=10000)
    s.add_argument("--seed", type=int, default=1)
    s.set_defaults(fn=cmd_cjson_corpus)
    s = sub.add_parser("cjson")
    s.add_argument("file")
    s.set_defaults(fn=cmd_cjson)
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
