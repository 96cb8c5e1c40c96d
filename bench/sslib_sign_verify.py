"""securesystemslib's side of bench/trust-core.sh: sign N in-toto statements into DSSE
envelopes with one key (securesystemslib CryptoSigner + Envelope), then verify them all.
Prints the two times in seconds. The statements are built before the clock starts, as on
our side."""
import hashlib
import json
import sys
import time

from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner, SSlibKey

kind, n = sys.argv[1], int(sys.argv[2])
priv = ed25519.Ed25519PrivateKey.generate() if kind == "ed25519" else ec.generate_private_key(ec.SECP256R1())
public = SSlibKey.from_crypto(priv.public_key())
signer = CryptoSigner(priv, public)

payloads = []
for i in range(n):
    content = f"content {i}".encode()
    st = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": f"artifact-{i}.tar.gz", "digest": {"sha256": hashlib.sha256(content).hexdigest(), "sha512": hashlib.sha512(content).hexdigest()}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {"buildDefinition": {"buildType": "https://example.com/b", "externalParameters": {"n": i}}},
    }
    payloads.append(json.dumps(st, separators=(",", ":")).encode())

t0 = time.perf_counter()
envs = []
for p in payloads:
    env = Envelope(p, "application/vnd.in-toto+json", {})
    env.sign(signer)
    envs.append(env)
sign = time.perf_counter() - t0
t1 = time.perf_counter()
for env in envs:
    env.verify([public], 1)
verify = time.perf_counter() - t1
print(f"{sign:.4f} {verify:.4f}")
