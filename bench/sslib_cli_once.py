"""One process, one statement: what a user of securesystemslib runs per artefact from a
shell. `sign KEY FILE BUNDLE` appends a signed in-toto statement about FILE;
`verify PUB FILE BUNDLE` exits 0 if a statement in BUNDLE about FILE verifies."""
import hashlib
import json
import sys

from cryptography.hazmat.primitives import serialization
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner, SSlibKey

cmd, key, artefact, bundle = sys.argv[1:5]
data = open(artefact, "rb").read()
digest = {"sha256": hashlib.sha256(data).hexdigest(), "sha512": hashlib.sha512(data).hexdigest()}
if cmd == "sign":
    priv = serialization.load_pem_private_key(open(key, "rb").read(), password=None)
    signer = CryptoSigner(priv, SSlibKey.from_crypto(priv.public_key()))
    st = {"_type": "https://in-toto.io/Statement/v1", "subject": [{"name": artefact, "digest": digest}],
          "predicateType": "https://example.com/review/v1", "predicate": {"approved": True}}
    env = Envelope(json.dumps(st, separators=(",", ":")).encode(), "application/vnd.in-toto+json", {})
    env.sign(signer)
    with open(bundle, "a") as f:
        f.write(json.dumps(env.to_dict()) + "\n")
else:
    pub = SSlibKey.from_crypto(serialization.load_pem_public_key(open(key, "rb").read()))
    for line in open(bundle):
        env = Envelope.from_dict(json.loads(line))
        try:
            env.verify([pub], 1)
        except Exception:
            continue
        st = json.loads(env.payload)
        if any(s["digest"].get("sha256") == digest["sha256"] for s in st["subject"]):
            sys.exit(0)
    sys.exit(1)
