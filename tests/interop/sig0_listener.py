#!/usr/bin/python3
"""Tiny loopback DNS UPDATE sink for test_nsupdate_sig0.sh.

Binds UDP and TCP on 127.0.0.1 with a port the kernel picks, writes the
port to PORTFILE, saves the first received message (bytes as received) to
OUTFILE, answers it NOERROR (header + zone section echoed) and exits.
Gives up after TIMEOUT seconds.
"""
import select
import socket
import struct
import sys


def answer(req):
    pos = 12
    while pos < len(req) and req[pos] != 0:
        pos += 1 + req[pos]
    zone = req[12:pos + 5]
    flags = 0x8000 | (struct.unpack("!H", req[2:4])[0] & 0x7800)
    return req[0:2] + struct.pack("!HHHHH", flags, 1, 0, 0, 0) + zone


def main():
    portfile, outfile, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
    # The kernel picks a free UDP port; the same TCP port may be taken by
    # another program, so start again with a fresh UDP port when it is.
    for _ in range(20):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind(("127.0.0.1", port))
            break
        except OSError:
            udp.close()
            tcp.close()
    else:
        sys.exit("listener: no free port with both UDP and TCP")
    tcp.listen(1)
    with open(portfile, "w") as f:
        f.write("%d\n" % port)
    r, _, _ = select.select([udp, tcp], [], [], timeout)
    if not r:
        sys.exit("listener: nothing received")
    if udp in r:
        req, peer = udp.recvfrom(65535)
        udp.sendto(answer(req), peer)
    else:
        conn, _ = tcp.accept()
        conn.settimeout(timeout)
        hdr = b""
        while len(hdr) < 2:
            hdr += conn.recv(2 - len(hdr))
        n = struct.unpack("!H", hdr)[0]
        req = b""
        while len(req) < n:
            req += conn.recv(n - len(req))
        resp = answer(req)
        conn.sendall(struct.pack("!H", len(resp)) + resp)
        conn.close()
    with open(outfile, "wb") as f:
        f.write(req)


if __name__ == "__main__":
    main()
