"""Writes a consistent-snapshot TUF repository with python-tuf's Metadata API.

usage: tuf_repo.py OUTDIR

OUTDIR/metadata/ gets 1.root.json, 2.root.json (the timestamp key rotated: signed by the
old and the new root keys), versioned snapshot/targets, a delegated role "team" (paths
"team/*") with its own key, and timestamp.json; OUTDIR/targets/ the target files under
HASH.NAME names. Prints nothing on success.
"""

import os
import sys
from datetime import datetime, timedelta, timezone

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer


def main() -> None:
    out = sys.argv[1]
    md_dir = os.path.join(out, "metadata")
    tg_dir = os.path.join(out, "targets")
    os.makedirs(md_dir)
    os.makedirs(os.path.join(tg_dir, "team"))
    expires = datetime(2040, 1, 1, tzinfo=timezone.utc)
    signers = {r: CryptoSigner.generate_ed25519() for r in ("root", "timestamp", "snapshot", "targets", "team")}
    ser = JSONSerializer(compact=False)

    def write(md: Metadata, name: str) -> None:
        with open(os.path.join(md_dir, name), "wb") as f:
            f.write(md.to_bytes(ser))

    root = Metadata(Root(expires=expires, consistent_snapshot=True))
    for role in ("root", "timestamp", "snapshot", "targets"):
        root.signed.add_key(signers[role].public_key, role)
    root.sign(signers["root"])
    write(root, "1.root.json")

    # Rotation: a new timestamp key and a second root key, signed by old and new root.
    new_ts = CryptoSigner.generate_ecdsa()
    new_root_key = CryptoSigner.generate_ecdsa()
    root.signed.revoke_key(signers["timestamp"].public_key.keyid, "timestamp")
    root.signed.add_key(new_ts.public_key, "timestamp")
    root.signed.add_key(new_root_key.public_key, "root")
    root.signed.roles["root"].threshold = 2
    root.signed.version = 2
    root.signatures.clear()
    root.sign(signers["root"], append=True)
    root.sign(new_root_key, append=True)
    write(root, "2.root.json")
    signers["timestamp"] = new_ts

    files = {"file1.txt": b"top-level target\n", "team/app.tar.gz": b"delegated target bytes\n"}
    infos = {}
    for path, data in files.items():
        info = TargetFile.from_data(path, data, ["sha256", "sha512"])
        infos[path] = info
        d, _, base = path.rpartition("/")
        for h in info.hashes.values():
            with open(os.path.join(tg_dir, d, f"{h}.{base}"), "wb") as f:
                f.write(data)

    team = Metadata(Targets(expires=expires))
    team.signed.targets["team/app.tar.gz"] = infos["team/app.tar.gz"]
    team.sign(signers["team"])
    write(team, "1.team.json")

    targets = Metadata(Targets(expires=expires))
    targets.signed.targets["file1.txt"] = infos["file1.txt"]
    targets.signed.delegations = Delegations(
        keys={signers["team"].public_key.keyid: signers["team"].public_key},
        roles={"team": DelegatedRole("team", [signers["team"].public_key.keyid], 1, False, paths=["team/*"])},
    )
    targets.sign(signers["targets"])
    write(targets, "1.targets.json")

    snapshot = Metadata(Snapshot(expires=expires))
    snapshot.signed.meta["targets.json"] = MetaFile(1)
    snapshot.signed.meta["team.json"] = MetaFile(1)
    snapshot.sign(signers["snapshot"])
    write(snapshot, "1.snapshot.json")

    ts = Metadata(Timestamp(expires=expires))
    ts.signed.snapshot_meta = MetaFile(1)
    ts.sign(signers["timestamp"])
    write(ts, "timestamp.json")


if __name__ == "__main__":
    main()
