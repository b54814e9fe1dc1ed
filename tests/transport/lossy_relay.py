#!/usr/bin/python3
"""lossy_relay.py -- a UDP+TCP relay on loopback that loses packets.

    lossy_relay.py [--loss P] [--tcp-drop P] [--seed N] [--dump DIR] LISTEN:TARGET ...

Each LISTEN:TARGET pair (ports on 127.0.0.1) makes the relay serve
LISTEN over UDP and TCP and forward to TARGET. Every UDP datagram is
dropped with probability P in each direction (independently). A TCP
connection is refused (closed at once after accept) with probability
--tcp-drop; accepted ones are forwarded byte for byte. Replies to a UDP
client leave from the LISTEN socket, so a client that only accepts
answers from the address it queried is satisfied. SIG(0) covers bytes,
not addresses: the relay is transparent to the transport.

--dump DIR writes every UDP datagram forwarded from a client to its
target as DIR/<n>.bin (n counts from 1), for tests that replay them.

Prints "ready" on stdout once every socket is bound; counters go to
stderr on SIGTERM. Test helper only: loopback, no configuration files.
"""
import argparse
import random
import selectors
import signal
import socket
import sys

sel = selectors.DefaultSelector()
stats = {"udp_fwd": 0, "udp_drop": 0, "tcp_conn": 0, "tcp_refused": 0}
dump = {"dir": None, "n": 0}


class UdpPair:
    def __init__(self, listen, target, rng, loss):
        self.target = ("127.0.0.1", target)
        self.rng, self.loss = rng, loss
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", listen))
        self.sock.setblocking(False)
        self.up = {}  # client address -> upstream socket
        sel.register(self.sock, selectors.EVENT_READ, self.from_client)

    def lose(self):
        if self.rng.random() < self.loss:
            stats["udp_drop"] += 1
            return True
        stats["udp_fwd"] += 1
        return False

    def from_client(self, sock):
        try:
            data, addr = sock.recvfrom(65535)
        except OSError:
            return
        up = self.up.get(addr)
        if up is None:
            up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            up.bind(("127.0.0.1", 0))
            up.setblocking(False)
            self.up[addr] = up
            sel.register(up, selectors.EVENT_READ, lambda s, a=addr: self.from_target(s, a))
        if not self.lose():
            if dump["dir"]:
                dump["n"] += 1
                with open("%s/%d.bin" % (dump["dir"], dump["n"]), "wb") as f:
                    f.write(data)
            try:
                up.sendto(data, self.target)
            except OSError:
                pass

    def from_target(self, sock, client):
        try:
            data, _ = sock.recvfrom(65535)
        except OSError:
            return
        if not self.lose():
            try:
                self.sock.sendto(data, client)
            except OSError:
                pass


class TcpPair:
    def __init__(self, listen, target, rng, drop):
        self.target = ("127.0.0.1", target)
        self.rng, self.drop = rng, drop
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", listen))
        self.sock.listen(64)
        self.sock.setblocking(False)
        sel.register(self.sock, selectors.EVENT_READ, self.accept)

    def accept(self, sock):
        try:
            c, _ = sock.accept()
        except OSError:
            return
        if self.rng.random() < self.drop:
            stats["tcp_refused"] += 1
            c.close()
            return
        try:
            u = socket.create_connection(self.target, timeout=2)
        except OSError:
            c.close()
            return
        stats["tcp_conn"] += 1
        c.setblocking(False)
        u.setblocking(False)
        sel.register(c, selectors.EVENT_READ, lambda s: pipe(s, u))
        sel.register(u, selectors.EVENT_READ, lambda s: pipe(s, c))


def close_both(a, b):
    for s in (a, b):
        try:
            sel.unregister(s)
        except (KeyError, ValueError):
            pass
        s.close()


def pipe(src, dst):
    try:
        data = src.recv(65536)
    except BlockingIOError:
        return
    except OSError:
        data = b""
    if not data:
        close_both(src, dst)
        return
    try:
        dst.setblocking(True)
        dst.sendall(data)
        dst.setblocking(False)
    except OSError:
        close_both(src, dst)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loss", type=float, default=0.2)
    ap.add_argument("--tcp-drop", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--dump")
    ap.add_argument("pairs", nargs="+")
    a = ap.parse_args()
    dump["dir"] = a.dump
    rng = random.Random(a.seed)
    for p in a.pairs:
        listen, target = (int(x) for x in p.split(":"))
        UdpPair(listen, target, rng, a.loss)
        TcpPair(listen, target, rng, a.tcp_drop)

    def done(*_):
        print(" ".join("%s=%d" % kv for kv in stats.items()), file=sys.stderr, flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, done)
    print("ready", flush=True)
    while True:
        for key, _ in sel.select():
            key.data(key.fileobj)


if __name__ == "__main__":
    main()
