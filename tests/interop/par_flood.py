#!/usr/bin/python3
"""par_flood.py -- a SIG(0) flood for the parent role's tests.

    par_flood.py --port P --src ADDR --seconds S --file MSG [--corrupt]

Sends the DNS message in MSG (an UPDATE saved by `hsync-update --save`)
to 127.0.0.1:P from ADDR over UDP, as fast as it can for S seconds, each
copy with a new random ID (so no two are the same message) and, with
--corrupt, the last octet of the signature inverted (a bad signature the
receiver must verify to refuse, unless its budget stops it first). Answers
are read and counted by RCODE. Prints one line:
    sent=N answers=M refused_budget=K other=J
Loopback only; standard library only.
"""
import argparse
import os
import random
import socket
import struct
import time


def ede_of(resp):
    """The EDE code of a response, or None (a light walk: OPT is last or
    before the SIG; good enough for answers of the receiver)."""
    i = resp.find(b"\x00\x0f")
    while i >= 0:
        if i + 6 <= len(resp):
            return struct.unpack("!H", resp[i + 4:i + 6])[0]
        i = resp.find(b"\x00\x0f", i + 1)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--src", default="127.0.0.1")
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--file", required=True)
    ap.add_argument("--corrupt", action="store_true")
    a = ap.parse_args()
    base = bytearray(open(a.file, "rb").read())
    if a.corrupt:
        base[-1] ^= 0xFF
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.src, 0))
    s.setblocking(False)
    count = {"answers": 0, "budget": 0, "other": 0}

    def drain():
        while True:
            try:
                r = s.recv(4096)
            except (BlockingIOError, OSError):
                return
            count["answers"] += 1
            count["budget" if ede_of(r) == 65281 else "other"] += 1

    sent = 0
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        for _ in range(64):
            struct.pack_into("!H", base, 0, random.randrange(65536))
            try:
                s.sendto(base, ("127.0.0.1", a.port))
                sent += 1
            except (BlockingIOError, OSError):
                break
        drain()
    time.sleep(0.2)
    drain()
    print("sent=%d answers=%d refused_budget=%d other=%d"
          % (sent, count["answers"], count["budget"], count["other"]))


if __name__ == "__main__":
    main()
