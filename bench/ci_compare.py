#!/usr/bin/env python3
"""Compares `palisade ci audit --format json` with `zizmor --format json` on the same
files: per comparable rule, findings found by both / only palisade / only zizmor, matched
by (file, line) of the primary location; then the same per (file, rule)."""
import json
import sys
from collections import defaultdict

# our rule -> zizmor's audit
MAP = {
    "unpinned-uses": "unpinned-uses",
    "unpinned-images": "unpinned-images",
    "excessive-permissions": "excessive-permissions",
    "missing-permissions": "excessive-permissions",
    "template-injection": "template-injection",
    "dangerous-triggers": "dangerous-triggers",
    "bot-conditions": "bot-conditions",
    "artipacked": "artipacked",
    "secrets-inherit": "secrets-inherit",
    "hardcoded-credentials": "hardcoded-container-credentials",
    "insecure-commands": "insecure-commands",
    "cache-poisoning": "cache-poisoning",
    "self-hosted-runner": "self-hosted-runner",
    "github-env": "github-env",
    "overprovisioned-secrets": "overprovisioned-secrets",
}


def norm(p):
    return p[2:] if p.startswith("./") else p


def main(ours_path, theirs_path, verbose_rule=None):
    ours = json.load(open(ours_path))["findings"]
    theirs = json.load(open(theirs_path))
    a = defaultdict(set)  # zizmor rule -> {(file, line)}
    b = defaultdict(set)
    spans = {}  # (rule, file, line) -> last line of zizmor's primary location
    for f in ours:
        r = MAP.get(f["rule"])
        if r:
            a[r].add((norm(f["file"]), f["line"]))
    for f in theirs:
        r = f["ident"]
        if r not in MAP.values():
            continue
        for loc in f["locations"]:
            if loc["symbolic"]["kind"] == "Primary":
                key = norm(loc["symbolic"]["key"]["Local"]["verbatim_path"])
                start = loc["concrete"]["location"]["start_point"]["row"] + 1
                end = loc["concrete"]["location"]["end_point"]["row"] + 1
                b[r].add((key, start))
                ranges = [
                    (l["concrete"]["location"]["start_point"]["row"] + 1,
                     l["concrete"]["location"]["end_point"]["row"] + 1)
                    for l in f["locations"]
                    if norm(l["symbolic"]["key"]["Local"]["verbatim_path"]) == key
                ]
                spans.setdefault((r, key, start), []).extend(ranges)
                break
    # zizmor points at the enclosing node (a step, a job), palisade at the offending
    # key: one of ours inside zizmor's region counts as the same finding.
    for r in list(b):
        mapped = set()
        for (file, start) in sorted(b[r]):
            if (file, start) in a[r]:
                mapped.add((file, start))
                continue
            inside = sorted(
                l for (f2, l) in a[r]
                if f2 == file and (f2, l) not in b[r]
                and any(lo <= l <= hi for (lo, hi) in spans[(r, file, start)])
            )
            if inside:
                a[r].discard((file, inside[0]))
                a[r].add((file, start))
            mapped.add((file, start))
    rules = sorted(set(a) | set(b))
    tot = [0, 0, 0]
    print(f"{'rule (zizmor id)':<32}{'both':>7}{'only us':>9}{'only zizmor':>13}{'recall vs zizmor':>18}")
    for r in rules:
        both, ou, oz = len(a[r] & b[r]), len(a[r] - b[r]), len(b[r] - a[r])
        tot[0] += both; tot[1] += ou; tot[2] += oz
        rec = f"{100.0 * both / (both + oz):.0f}%" if both + oz else "-"
        print(f"{r:<32}{both:>7}{ou:>9}{oz:>13}{rec:>18}")
        if verbose_rule == r:
            for x in sorted(b[r] - a[r]):
                print("   only zizmor:", *x)
            for x in sorted(a[r] - b[r])[:40]:
                print("   only us:", *x)
    both, ou, oz = tot
    print(f"{'all comparable':<32}{both:>7}{ou:>9}{oz:>13}{100.0 * both / max(1, both + oz):>17.0f}%")
    # per file
    fa = {(r, f) for r in a for (f, _) in a[r]}
    fb = {(r, f) for r in b for (f, _) in b[r]}
    print(f"per (file, rule): both {len(fa & fb)}, only us {len(fa - fb)}, only zizmor {len(fb - fa)}")
    if verbose_rule:
        for x in sorted(fb - fa):
            if x[0] == verbose_rule:
                print("   file only zizmor:", *x)


if __name__ == "__main__":
    main(*sys.argv[1:])
