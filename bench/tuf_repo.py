"""Writes a consistent-snapshot TUF repository for the bench with python-tuf's Metadata
API: N targets, held by role l3, delegated targets -> l1 -> l2 -> l3 (paths "*").

usage: tuf_repo.py OUTDIR N   (prints the target names to OUTDIR/names.txt)
"""

import os
import sys
from datetime import datetime, timezone

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    DelegatedRole, Delegations, Metadata, MetaFile, Root, Snapshot, TargetFile, Targets, Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

out, n = sys.argv[1], int(sys.argv[2])
md_dir, tg_dir = os.path.join(out, "metadata"), os.path.join(out, "targets")
os.makedirs(md_dir)
os.makedirs(tg_dir)
exp = datetime(2040, 1, 1, tzinfo=timezone.utc)
ser = JSONSerializer(compact=True)
s = {r: CryptoSigner.generate_ed25519() for r in ("root", "timestamp", "snapshot", "targets", "l1", "l2", "l3")}


def write(md, name, signer):
    md.sign(signer)
    with open(os.path.join(md_dir, name), "wb") as f:
        f.write(md.to_bytes(ser))


root = Metadata(Root(expires=exp, consistent_snapshot=True))
for r in ("root", "timestamp", "snapshot", "targets"):
    root.signed.add_key(s[r].public_key, r)
write(root, "1.root.json", s["root"])
names = []
l3 = Metadata(Targets(expires=exp))
for i in range(n):
    path = f"pkg/{i:05d}.bin"
    data = f"artefact {i}\n".encode()
    info = TargetFile.from_data(path, data, ["sha256"])
    l3.signed.targets[path] = info
    os.makedirs(os.path.join(tg_dir, "pkg"), exist_ok=True)
    with open(os.path.join(tg_dir, "pkg", f"{info.hashes['sha256']}.{i:05d}.bin"), "wb") as f:
        f.write(data)
    names.append(path)
write(l3, "1.l3.json", s["l3"])
for parent, child in (("l2", "l3"), ("l1", "l2"), ("targets", "l1")):
    md = Metadata(Targets(expires=exp))
    k = s[child].public_key
    md.signed.delegations = Delegations(
        keys={k.keyid: k}, roles={child: DelegatedRole(child, [k.keyid], 1, False, paths=["*", "*/*"])})
    write(md, f"1.{parent}.json", s[parent])
snap = Metadata(Snapshot(expires=exp))
for r in ("targets", "l1", "l2", "l3"):
    snap.signed.meta[f"{r}.json"] = MetaFile(1)
write(snap, "1.snapshot.json", s["snapshot"])
ts = Metadata(Timestamp(expires=exp))
ts.signed.snapshot_meta = MetaFile(1)
write(ts, "timestamp.json", s["timestamp"])
with open(os.path.join(out, "names.txt"), "w") as f:
    f.write("\n".join(names) + "\n")
