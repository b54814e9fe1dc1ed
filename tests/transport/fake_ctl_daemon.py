#!/usr/bin/env python3
"""A stand-in for hsyncd's control socket, for test_hsyncctl.sh.

Usage: fake_ctl_daemon.py SOCKET LOG

Listens on the Unix socket SOCKET, answers each request line with canned
JSON (keyed by the words of "argv"), appends every request line to LOG,
and exits after the "stop" command or 60 seconds. Requests are checked
against the protocol (one JSON object per line with an "argv" array of
strings); a bad one gets an error answer like the daemon's.
"""
import json
import os
import socket
import sys

NOW = 1700000000

CANNED = {
    "status": {"identity": "agent.a.example.", "role": "agent", "version": "0.1",
               "started": NOW - 3725, "zones": 2, "peers": 2, "peers_operational": 1,
               "groups": 1, "groups_operational": 0, "control_clients": 1},
    "zone list": [
        {"zone": "example.com.", "serial": 2024010101, "state": "LOADED", "role": "agent",
         "providers": 3, "group": "9f2c41aa", "loaded": NOW - 42},
        {"zone": "example.net.", "serial": 7, "state": "REFRESHING", "role": "agent",
         "providers": 2, "group": None, "loaded": 0},
    ],
    "zone show example.com.": {
        "zone": "example.com.", "serial": 2024010101, "state": "LOADED", "loaded": NOW - 42,
        "primaries": ["192.0.2.53@53"], "role": "agent", "group": "9f2c41aa",
        "hsyncparam": "nsmgmt=\"agent\" servers=\"alpha,beta\"",
        "hsync3": [
            {"state": "ON", "label": "alpha", "identity": "agent.a.example.", "upstream": ".",
             "peer_state": None},
            {"state": "ON", "label": "beta", "identity": "agent.b.example.", "upstream": ".",
             "peer_state": "OPERATIONAL"},
            {"state": "OFF", "label": "gamma", "identity": "agent.c.example.",
             "upstream": ".", "peer_state": "NEEDED"},
        ]},
    "peer list": [
        {"peer": "agent.b.example.", "state": "OPERATIONAL", "since": NOW - 600,
         "last_beat": NOW - 3, "sent": 1234, "delivered": 1230, "pending": 0, "retried": 4,
         "failed": 0, "received": 1301},
        {"peer": "agent.c.example.", "state": "DEGRADED", "since": NOW - 95000,
         "last_beat": NOW - 7300, "sent": 9, "delivered": 2, "pending": 6, "retried": 17,
         "failed": 1, "received": 3},
    ],
    "peer show agent.b.example.": {
        "peer": "agent.b.example.", "state": "OPERATIONAL", "since": NOW - 600,
        "reason": "beat received", "address": "127.0.0.2@5301", "discovery": "ok secure",
        "keys_expire": NOW + 800, "last_beat": NOW - 3,
        "zones": ["example.com.", "example.org."], "groups": [],
        "sent": 1234, "delivered": 1230, "last_delivered": NOW - 3, "pending": 0,
        "retried": 4, "rejected": 0, "expired": 0, "received": 1301,
        "last_received": NOW - 2, "duplicates": 5, "refused": 0, "beats_tx": 40,
        "beats_rx": 41},
    "gossip show": [
        {"group": "9f2c41aa", "state": "DEGRADED", "since": NOW - 30, "zones": 2,
         "members": ["agent.a.example.", "agent.b.example.", "agent.c.example."],
         "matrix": [[None, "OPERATIONAL", "DEGRADED"],
                    ["OPERATIONAL", None, "OPERATIONAL"],
                    [None, None, None]]},
    ],
    "gossip show nosuch": None,
    "identity records": {"identity": "agent.a.example.", "records": [
        "agent.a.example. 3600 IN KEY 512 3 15 AAAA",
        "_dns._tcp.agent.a.example. 3600 IN URI 1 1 \"dns://dns.agent.a.example.:5301\""]},
    "reload": {"message": "reloading configuration and zones"},
    "stop": "stopping",
    "help": [{"command": "status", "help": "the daemon"},
             {"command": "zone list", "help": "zones"}],
    "future thing": {"x": 1},
}

ERRORS = {
    "zone show nosuch.": "no zone 'nosuch.'",
    "gossip show nosuch": "no group 'nosuch'",
}


def answer(line):
    try:
        req = json.loads(line)
        argv = req["argv"]
        if not isinstance(argv, list) or not argv or not all(isinstance(w, str) for w in argv):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return {"ok": False, "time": NOW, "error": "bad request"}
    key = " ".join(argv)
    if key in ERRORS:
        return {"ok": False, "time": NOW, "error": ERRORS[key]}
    if key in CANNED:
        return {"ok": True, "time": NOW, "result": CANNED[key]}
    return {"ok": False, "time": NOW, "error": "unknown command '%s'; 'help' lists the commands" % key}


def main():
    path, log = sys.argv[1], sys.argv[2]
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    os.chmod(path, 0o600)
    srv.listen(4)
    srv.settimeout(60)
    stop = False
    while not stop:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            break
        with conn:
            conn.settimeout(10)
            data = b""
            while b"\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            line = data.split(b"\n", 1)[0].decode()
            with open(log, "a") as f:
                f.write(line + "\n")
            resp = answer(line)
            conn.sendall(json.dumps(resp, separators=(",", ":")).encode() + b"\n")
            stop = line and resp.get("result") == "stopping"
    srv.close()
    os.unlink(path)


if __name__ == "__main__":
    main()
