#!/usr/bin/python3
"""dnsq.py -- build, send and inspect single DNS messages for the transport tests.

    dnsq.py build --qname NAME [--qtype N] [--opcode query|notify] [--no-opt]
                  [--option CODE:HEX] > msg.bin
        a request (id random, RD clear; NOTIFY sets AA) with an OPT RR
        (payload 1232) unless --no-opt; --option adds an EDNS(0) option

    dnsq.py send --port P [--tcp] [--flip N] < msg.bin
        send the message to 127.0.0.1:P (with --flip N, byte N from the end
        is inverted first) and print one line describing the response:
        rcode=<n> ede=<code|-> sig=<0|1> tc=<0|1> answers=<n> receipt=<status|->
        rlen=<response octets> qlen=<request octets>

    dnsq.py split-receipt < response.bin   (not used by tests; debugging)

Raw struct code, no dnspython: it must be able to send malformed things.
Loopback only.
"""
import argparse
import os
import random
import socket
import struct
import sys


def name_wire(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def build(a):
    opcode = {"query": 0, "notify": 4}[a.opcode]
    flags = (opcode << 11) | (0x0400 if opcode == 4 else 0)
    msg = struct.pack("!HHHHHH", random.randrange(65536), flags, 1, 0, 0, 0 if a.no_opt else 1)
    msg += name_wire(a.qname) + struct.pack("!HH", a.qtype, 1)
    if not a.no_opt:
        rdata = b""
        for o in a.option:
            code, hexdata = o.split(":", 1)
            data = bytes.fromhex(hexdata)
            rdata += struct.pack("!HH", int(code), len(data)) + data
        msg += b"\x00" + struct.pack("!HHIH", 41, 1232, 0, len(rdata)) + rdata
    sys.stdout.buffer.write(msg)


def skip_name(m, off):
    while True:
        n = m[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n


def mp_receipt_status(data):
    """The "status" string of a msgpack map receipt (tiny subset decoder)."""
    i = data.find(b"\xa6status")
    if i < 0:
        return "?"
    j = i + 7
    t = data[j]
    if 0xA0 <= t <= 0xBF:
        n = t - 0xA0
        return data[j + 1:j + 1 + n].decode(errors="replace")
    if t == 0xD9:
        n = data[j + 1]
        return data[j + 2:j + 2 + n].decode(errors="replace")
    return "?"


def describe(m):
    ident, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", m[:12])
    rcode = flags & 0xF
    tc = (flags >> 9) & 1
    off = 12
    for _ in range(qd):
        off = skip_name(m, off) + 4
    ede, sig, receipt = "-", 0, "-"
    for i in range(an + ns + ar):
        off = skip_name(m, off)
        rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", m[off:off + 10])
        off += 10
        rdata = m[off:off + rdlen]
        off += rdlen
        if i < an + ns:
            continue
        if rtype == 24:
            sig = 1
        if rtype == 41:
            rcode |= (ttl >> 24) << 4
            p = 0
            while p + 4 <= len(rdata):
                code, olen = struct.unpack("!HH", rdata[p:p + 4])
                val = rdata[p + 4:p + 4 + olen]
                if code == 15 and olen >= 2:
                    ede = str(struct.unpack("!H", val[:2])[0])
                if code == 65004 and olen >= 1 and val[0] == 4:
                    hl = struct.unpack("!H", val[1:3])[0]
                    receipt = mp_receipt_status(val[3 + hl + 2:])
                p += 4 + olen
    return "rcode=%d ede=%s sig=%d tc=%d answers=%d receipt=%s rlen=%d" % (
        rcode, ede, sig, tc, an, receipt, len(m))


def send(a):
    msg = bytearray(sys.stdin.buffer.read())
    if a.flip:
        msg[-a.flip] ^= 0xFF
    msg = bytes(msg)
    if a.tcp:
        s = socket.create_connection(("127.0.0.1", a.port), timeout=3)
        s.sendall(struct.pack("!H", len(msg)) + msg)
        buf = b""
        while len(buf) < 2 or len(buf) < 2 + struct.unpack("!H", buf[:2])[0]:
            chunk = s.recv(65536)
            if not chunk:
                print("closed")
                return 1
            buf += chunk
        resp = buf[2:]
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(3)
        s.sendto(msg, ("127.0.0.1", a.port))
        try:
            resp, _ = s.recvfrom(65535)
        except socket.timeout:
            print("timeout")
            return 1
    if a.save:
        with open(a.save, "wb") as f:
            f.write(resp)
    print(describe(resp) + " qlen=%d" % len(msg))
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--qname", required=True)
    b.add_argument("--qtype", type=int, default=65288)
    b.add_argument("--opcode", default="query", choices=["query", "notify"])
    b.add_argument("--no-opt", action="store_true")
    b.add_argument("--option", action="append", default=[])
    s = sub.add_parser("send")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--tcp", action="store_true")
    s.add_argument("--flip", type=int, default=0)
    s.add_argument("--save")
    a = ap.parse_args()
    if a.cmd == "build":
        build(a)
        return 0
    return send(a)


if __name__ == "__main__":
    sys.exit(main())
