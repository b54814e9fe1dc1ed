#!/usr/bin/python3
"""flood.py -- attack traffic for the transport's defence tests, loopback only.

    flood.py udp --port P --pps N --seconds S --sources SPEC --kind KIND
                 [--template FILE] [--flip]
        datagrams at N per second for S seconds (both bounded), each from
        the next source address of SPEC; prints "sent=N answered=N
        answer_octets=N request_octets=N signed=N largest=N" at the end
        (answers are read as they come, without waiting for them; signed:
        answers carrying a SIG RR; largest: the longest answer)

    flood.py tcp --port P --conns N --sources SPEC --interval SECONDS
                 --seconds S
        N TCP connections, --per-source of them from each address of the
        sources (default 1), each sending a small
        unsigned query every interval (the idle-timer trick); a closed
        one is opened again at the next interval. Prints "opened=N
        closed=N open=N" at the end.

SPEC: "24:A.B.C" -- 127.A.B.C .. with C counting up in one /24 (the
victim's own network: 127.0.0.2..254), or "nets:N" -- 127.1.0.9,
127.2.0.9, ... N different /24s. Every address is in 127.0.0.0/8: the
Linux loopback answers for all of it, so this "spoofs" without raw
sockets and never leaves the host.

KIND: garbage12 (a 12-octet header), garbage (40 random octets after a
header), unsigned (a CHUNK NOTIFY without SIG), template (the bytes of
--template, the last octet flipped with --flip: a bad signature), query
(a plain query for --qname/--qtype with EDNS, as a resolver sends).
"""
import argparse
import os
import random
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dnsq import name_wire, skip_name  # noqa: E402 (the same directory)


def sources(spec):
    if spec.startswith("24:"):
        a, b, c = (int(x) for x in spec[3:].split("."))
        out = []
        for i in range(254):
            last = (c + i - 2) % 253 + 2
            out.append("127.%d.%d.%d" % (a, b, last))
        return out
    if spec.startswith("nets:"):
        n = int(spec[5:])
        return ["127.%d.%d.9" % (1 + i // 250, i % 250) for i in range(n)]
    raise SystemExit("bad --sources")


def has_sig(m):
    """1 when the message has a SIG RR (type 24) after the question."""
    try:
        qd, an, ns, ar = struct.unpack("!HHHH", m[4:12])
        off = 12
        for _ in range(qd):
            off = skip_name(m, off) + 4
        for _ in range(an + ns + ar):
            off = skip_name(m, off)
            rtype, _, _, rdlen = struct.unpack("!HHIH", m[off:off + 10])
            if rtype == 24:
                return 1
            off += 10 + rdlen
    except (struct.error, IndexError):
        pass
    return 0


def unsigned_notify():
    msg = struct.pack("!HHHHHH", random.randrange(65536), (4 << 11) | 0x0400, 1, 0, 0, 1)
    msg += name_wire("0123456789abcdef0123456789abcdef.alpha.example.") + struct.pack("!HH", 65288, 1)
    msg += b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 0)
    return msg


def payload(a, template):
    if a.kind == "garbage12":
        return struct.pack("!HHHHHH", random.randrange(65536), 0, 1, 0, 0, 0)
    if a.kind == "garbage":
        return struct.pack("!HHHHHH", random.randrange(65536), 0, 1, 3, 0, 2) + os.urandom(40)
    if a.kind == "unsigned":
        return unsigned_notify()
    if a.kind == "query":
        msg = struct.pack("!HHHHHH", random.randrange(65536), 0, 1, 0, 0, 1)
        msg += name_wire(a.qname) + struct.pack("!HH", a.qtype, 1)
        return msg + b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 0)
    return template


def drain(socks, wait, stats):
    """Read what came back on `socks` (waiting at most `wait` seconds)."""
    r, _, _ = select.select(socks, [], [], wait)
    for s in r:
        try:
            while True:
                d = s.recv(65535)
                stats["answered"] += 1
                stats["ans_octets"] += len(d)
                stats["signed"] += has_sig(d)
                stats["biggest"] = max(stats["biggest"], len(d))
        except BlockingIOError:
            pass


def udp(a):
    template = b""
    if a.kind == "template":
        with open(a.template, "rb") as f:
            template = bytearray(f.read())
        if a.flip:
            template[-1] ^= 0xFF
        template = bytes(template)
    socks = []
    for ip in sources(a.sources)[: a.max_sockets]:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((ip, 0))
        s.setblocking(False)
        socks.append(s)
    dst = ("127.0.0.1", a.port)
    sent = req_octets = 0
    st = {"answered": 0, "ans_octets": 0, "signed": 0, "biggest": 0}
    start = time.monotonic()
    end = start + min(a.seconds, 60)
    total = int(min(a.pps * a.seconds, 2000000))
    i = 0
    while i < total and time.monotonic() < end:
        due = start + i / a.pps
        now = time.monotonic()
        if due > now:
            drain(socks, min(due - now, 0.01), st)
        while i < total and start + i / a.pps <= time.monotonic():
            m = payload(a, template)
            s = socks[i % len(socks)]
            try:
                s.sendto(m, dst)
                sent += 1
                req_octets += len(m)
            except (BlockingIOError, OSError):
                pass
            i += 1
    t_end = time.monotonic() + 0.2
    while time.monotonic() < t_end:
        drain(socks, 0.05, st)
    answered, ans_octets, signed, biggest = st["answered"], st["ans_octets"], st["signed"], st["biggest"]
    print("sent=%d answered=%d answer_octets=%d request_octets=%d signed=%d largest=%d seconds=%.2f"
          % (sent, answered, ans_octets, req_octets, signed, biggest, time.monotonic() - start))


def tcp(a):
    srcs = sources(a.sources)
    conns = [None] * a.conns
    opened = closed = 0
    q = struct.pack("!HHHHHH", 7, 0, 1, 0, 0, 0) + name_wire("x.example.") + struct.pack("!HH", 1, 1)
    frame = struct.pack("!H", len(q)) + q
    end = time.monotonic() + min(a.seconds, 120)
    while time.monotonic() < end:
        for k in range(a.conns):
            c = conns[k]
            if c is not None:
                try:
                    c.sendall(frame)
                    c.setblocking(False)
                    try:
                        if c.recv(65535) == b"":
                            raise ConnectionError()
                    except BlockingIOError:
                        pass
                    c.setblocking(True)
                    continue
                except (ConnectionError, OSError):
                    closed += 1
                    c.close()
                    conns[k] = None
            try:
                c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                c.bind((srcs[(k // a.per_source) % len(srcs)], 0))
                c.settimeout(1)
                c.connect(("127.0.0.1", a.port))
                c.sendall(frame)
                conns[k] = c
                opened += 1
            except OSError:
                closed += 1
        t = time.monotonic() + a.interval
        while time.monotonic() < min(t, end):
            time.sleep(0.05)
    print("opened=%d closed=%d open=%d" % (opened, closed, sum(c is not None for c in conns)))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    u = sub.add_parser("udp")
    u.add_argument("--port", type=int, required=True)
    u.add_argument("--pps", type=float, required=True)
    u.add_argument("--seconds", type=float, required=True)
    u.add_argument("--sources", required=True)
    u.add_argument("--kind", required=True,
                   choices=["garbage12", "garbage", "unsigned", "template", "query"])
    u.add_argument("--qname", default="example.")
    u.add_argument("--qtype", type=int, default=1)
    u.add_argument("--template")
    u.add_argument("--flip", action="store_true")
    u.add_argument("--max-sockets", type=int, default=256)
    t = sub.add_parser("tcp")
    t.add_argument("--port", type=int, required=True)
    t.add_argument("--conns", type=int, required=True)
    t.add_argument("--sources", required=True)
    t.add_argument("--interval", type=float, default=4)
    t.add_argument("--per-source", type=int, default=1)
    t.add_argument("--seconds", type=float, required=True)
    a = p.parse_args()
    (udp if a.cmd == "udp" else tcp)(a)


if __name__ == "__main__":
    main()
