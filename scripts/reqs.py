#!/usr/bin/python3
"""reqs.py -- the requirement identifiers of the hsync drafts and their index.

    scripts/reqs.py check         consistency of drafts, index and citations
    scripts/reqs.py update        rewrite the "tested by" column of the index
    scripts/reqs.py show ID...    where an id is defined and who cites it

A requirement is defined in a draft (rfc-drafts/draft-*.md) by its id in
brackets, e.g. "[TP-12]", next to its MUST/SHOULD/MAY; it may be bracketed
several times in its own draft and mentioned without brackets anywhere.
An id is PREFIX-NUMBER, the prefix one per draft (TP, SIG, ENV, ...; later
stages add theirs: nothing here knows the list).

The index, rfc-drafts/requirements.md, has one table row per id:
    | id | draft | section | summary | tested by |

A requirement is *cited* by a test when a file under tests/ names it
(a comment is enough: "/* TP-12: ... */"), and by a conformance scenario
when a row of tools/hsync-conform/suite_*.c lists it
({"scenario-id", "TP-12 TP-13", ...}).

check fails (exit 1, one line per problem) when: an id is defined in two
drafts; a draft id is missing from the index or the index names another
draft; an index id is defined in no draft; an id is cited by nothing; a
"tested by" entry does not cite the id; something cites an id of a known
prefix that no draft defines. It prints "checks: N" (one per id) when all
is well, for tests/run-tests.sh.
"""
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DRAFTS = os.path.join(ROOT, "rfc-drafts")
INDEX = os.path.join(DRAFTS, "requirements.md")
ID = re.compile(r"\[([A-Z]+-[0-9]+)\]")
ROW = re.compile(r'\{\s*"([a-z0-9-]+)",\s*"([A-Z0-9 -]*)"')


def id_key(i):
    p, n = i.rsplit("-", 1)
    return (p, int(n))


def drafts():
    """id -> (draft file name, section heading); and the problems."""
    defs, probs = {}, []
    for name in sorted(os.listdir(DRAFTS)):
        if not (name.startswith("draft-") and name.endswith(".md")):
            continue
        section = ""
        for line in open(os.path.join(DRAFTS, name), encoding="utf-8"):
            m = re.match(r"#+\s+(.*)", line)
            if m:
                section = m.group(1).strip()
            for i in ID.findall(line):
                if i in defs and defs[i][0] != name:
                    probs.append(f"{i}: defined in {defs[i][0]} and {name}")
                elif i not in defs:
                    defs[i] = (name, section)
    return defs, probs


def index():
    """id -> [draft, section, summary, tested-by list]; the lines, in order."""
    rows, lines = {}, []
    if not os.path.exists(INDEX):
        return rows, lines
    for line in open(INDEX, encoding="utf-8"):
        lines.append(line)
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and re.fullmatch(r"[A-Z]+-[0-9]+", cells[0]):
            tested = [t.strip() for t in cells[4].split(",") if t.strip()]
            rows[cells[0]] = [cells[1], cells[2], cells[3], tested]
    return rows, lines


def word(i):
    return re.compile(r"(?<![A-Za-z0-9-])" + re.escape(i) + r"(?![0-9])")


def citations(prefixes):
    """id -> list of citing places ("conform:ID" first, then test paths)."""
    cites = {}
    pat = re.compile(r"(?<![A-Za-z0-9-])((?:" + "|".join(map(re.escape, prefixes)) + r")-[0-9]+)(?![0-9])")
    conf_dir = os.path.join(ROOT, "tools", "hsync-conform")
    for name in sorted(os.listdir(conf_dir)) if os.path.isdir(conf_dir) else []:
        if not (name.startswith("suite_") and name.endswith(".c")):
            continue
        text = open(os.path.join(conf_dir, name), encoding="utf-8").read()
        for scen, reqs in ROW.findall(text):
            for i in reqs.split():
                cites.setdefault(i, []).append("conform:" + scen)
    for d, _, files in sorted(os.walk(os.path.join(ROOT, "tests"))):
        if "corpus" in d.split(os.sep):
            continue
        for f in sorted(files):
            path = os.path.join(d, f)
            try:
                text = open(path, encoding="utf-8").read()
            except (UnicodeDecodeError, OSError):
                continue
            rel = os.path.relpath(path, ROOT)
            for i in sorted(set(pat.findall(text))):
                cites.setdefault(i, []).append(rel)
    return cites


def cites_id(place, i, cites):
    return place in cites.get(i, [])


def check():
    defs, probs = drafts()
    rows, _ = index()
    prefixes = sorted({i.rsplit("-", 1)[0] for i in defs})
    cites = citations(prefixes) if prefixes else {}
    for i in sorted(defs, key=id_key):
        d = defs[i][0]
        if i not in rows:
            probs.append(f"{i}: defined in {d}, missing from requirements.md")
        elif rows[i][0] != d:
            probs.append(f"{i}: requirements.md says {rows[i][0]}, defined in {d}")
        if not cites.get(i):
            probs.append(f"{i} ({d}): no test or conformance scenario cites it")
        for t in rows.get(i, [None, None, None, []])[3]:
            if not cites_id(t, i, cites):
                probs.append(f"{i}: requirements.md says it is tested by '{t}', which does not cite it")
    for i in sorted(rows, key=id_key):
        if i not in defs:
            probs.append(f"{i}: in requirements.md but defined in no draft")
    for i in sorted(cites, key=id_key):
        if i not in defs:
            probs.append(f"{i}: cited by {', '.join(cites[i][:3])} but defined in no draft")
    for p in probs:
        print(p)
    if probs:
        print(f"{len(probs)} problems")
        return 1
    print(f"{len(defs)} requirements, every one in the index and cited")
    print(f"checks: {len(defs)}")
    return 0


def tested_by(i, cites):
    c = cites.get(i, [])
    conf = [x for x in c if x.startswith("conform:")][:3]
    tests = [x for x in c if not x.startswith("conform:")][:3]
    return ", ".join(conf + tests)


def update():
    defs, probs = drafts()
    rows, lines = index()
    prefixes = sorted({i.rsplit("-", 1)[0] for i in defs})
    cites = citations(prefixes)
    out = []
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] in defs:
            i = cells[0]
            out.append(f"| {i} | {defs[i][0]} | {cells[2] or defs[i][1]} | {cells[3]} | {tested_by(i, cites)} |\n")
        else:
            out.append(line)
    open(INDEX, "w", encoding="utf-8").write("".join(out))
    return 0


def show(ids):
    defs, _ = drafts()
    prefixes = sorted({i.rsplit("-", 1)[0] for i in defs})
    cites = citations(prefixes)
    for i in ids:
        d = defs.get(i)
        print(f"{i}: {d[0] + ' / ' + d[1] if d else 'not defined'}")
        for c in cites.get(i, []):
            print(f"    {c}")
    return 0


def main(argv):
    if len(argv) >= 2 and argv[1] == "check":
        return check()
    if len(argv) == 2 and argv[1] == "update":
        return update()
    if len(argv) >= 3 and argv[1] == "show":
        return show(argv[2:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
