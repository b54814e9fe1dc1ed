#!/usr/bin/env python3
"""el_watch.py -- watch the leader election of lab agents (test helper).

    el_watch.py LOG HSYNCCTL LABDIR IDS agree SECS ID...
    el_watch.py LOG HSYNCCTL LABDIR IDS hold SECS ID...
    el_watch.py LOG HSYNCCTL LABDIR IDS check

IDS is every agent ("alpha bravo charlie"); each poll asks all of them
(`hsyncctl --json gossip show`, the first group) and appends one line per
agent to LOG: "ID T LEADING UNTIL LEADER TERM", T the wall clock (ms)
after the answer came, UNTIL the end of its lease (ms, wall clock).

agree: poll until the given IDs name one leader with a running lease and
exactly one of them (that leader) says it leads; print it; exit 1 after
SECS. hold: poll for SECS; exit 1 at once when one of the given IDs says
it leads. check: read LOG and exit 1 when two agents led at one moment.

The check (rfc-drafts/draft-hsync-election.md EL-1): an agent that says
"I lead, until U" at T acts at least over [T, U) unless it steps down; a
later leader can only start after U (its quorum includes a member whose
promise to the first ran past U, EL-30). All agents share this host's
clock, so two leaders' intervals [T, U) may never overlap. T is taken
after the answer, so the interval is never longer than the real one.
"""
import json
import subprocess
import sys
import time


def now_ms():
    return time.time_ns() // 1_000_000


def ask(ctl, labdir, ident):
    try:
        out = subprocess.run([ctl, "-s", f"{labdir}/{ident}/ctl.sock", "--json", "-w", "5",
                              "gossip", "show"], capture_output=True, timeout=10).stdout
        g = json.loads(out)["result"][0]
        return (bool(g.get("leading")), int(g.get("lease_until_ms") or 0),
                g.get("leader") or "-", bool(g.get("leader_valid")), int(g.get("term") or 0))
    except Exception:
        return (False, 0, "-", False, 0)


def poll(log, ctl, labdir, ids):
    seen = {}
    with open(log, "a") as f:
        for i in ids:
            r = ask(ctl, labdir, i)
            t = now_ms()
            seen[i] = r
            f.write(f"{i} {t} {int(r[0])} {r[1]} {r[2]} {r[4]}\n")
    return seen


def agreed(seen, sub):
    names = {seen[i][2] for i in sub}
    if len(names) != 1 or "-" in names or not all(seen[i][3] for i in sub):
        return None
    leaders = [i for i in sub if seen[i][0]]
    leader = names.pop()
    if len(leaders) != 1 or leader != f"{leaders[0]}.lab.":
        return None
    return leader


def check(log):
    obs = []
    for line in open(log):
        i, t, lead, until, _, term = line.split()
        if lead == "1":
            obs.append((i, int(t), int(until), int(term)))
    bad = 0
    # every pair of observations of two different agents
    for a in obs:
        for b in obs:
            if a[0] < b[0] and a[1] < b[2] and b[1] < a[2]:
                bad += 1
                if bad <= 5:
                    print(f"two leaders: {a[0]} at {a[1]} until {a[2]} (term {a[3]}), "
                          f"{b[0]} at {b[1]} until {b[2]} (term {b[3]})")
    n = sum(1 for _ in open(log))
    print(f"{n} observations, {len(obs)} of a leader, {bad} overlaps")
    return 1 if bad else 0


def main():
    log, ctl, labdir, ids, mode = sys.argv[1:6]
    ids = ids.split()
    if mode == "check":
        return check(log)
    secs, sub = float(sys.argv[6]), sys.argv[7:]
    end = time.monotonic() + secs
    while True:
        seen = poll(log, ctl, labdir, ids)
        if mode == "agree":
            leader = agreed(seen, sub)
            if leader:
                print(leader)
                return 0
        elif mode == "hold":
            for i in sub:
                if seen[i][0]:
                    print(f"{i} leads", file=sys.stderr)
                    return 1
        if time.monotonic() >= end:
            return 1 if mode == "agree" else 0
        time.sleep(0.1)


if __name__ == "__main__":
    sys.exit(main())
