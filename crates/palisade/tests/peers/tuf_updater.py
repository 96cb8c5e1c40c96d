"""Refreshes and downloads targets with python-tuf's ngclient.Updater.

usage: tuf_updater.py ROOT_JSON METADATA_URL TARGETS_URL WORKDIR TARGET...

Trusts ROOT_JSON, refreshes from METADATA_URL, downloads each TARGET into WORKDIR/out and
prints one line per target: PATH LENGTH. Exits non-zero on any failure.
"""

import os
import sys

from tuf.ngclient import Updater


def main() -> None:
    root, md_url, tg_url, work, *targets = sys.argv[1:]
    md_dir = os.path.join(work, "meta")
    out = os.path.join(work, "out")
    os.makedirs(md_dir, exist_ok=True)
    os.makedirs(out, exist_ok=True)
    with open(root, "rb") as f:
        bootstrap = f.read()
    up = Updater(md_dir, md_url, out, tg_url, bootstrap=bootstrap)
    up.refresh()
    for t in targets:
        info = up.get_targetinfo(t)
        if info is None:
            sys.exit(f"{t}: not found")
        path = up.download_target(info)
        print(t, os.path.getsize(path))


if __name__ == "__main__":
    main()
