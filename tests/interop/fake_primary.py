#!/usr/bin/python3
"""fake_primary.py -- a scripted primary for example.test. on 127.0.0.1:PORT
(UDP and TCP) for test_zone_bad_ixfr.sh. The file MODE (re-read on every
request) says what IXFR/AXFR answers look like:

  good10      AXFR: the zone at serial 10; IXFR: refused
  nomatch     SOA 11; IXFR: 10 -> 11 deleting a record the zone lacks
  backwards   SOA 11; IXFR: 11, 10 -> 9 (a difference going backwards), 11
  interleaved SOA 12; IXFR: 10 -> 11, then 12 -> 13 (does not link)
  truncated   SOA 11; IXFR: half of a good answer, then the connection closes
  good11      SOA 11; IXFR: the good difference 10 -> 11
Every AXFR in a bad mode is REFUSED, so the AXFR fallback keeps nothing
either. Loopback only; stops when its parent's stdin closes."""
import socket
import struct
import sys
import threading

PORT = int(sys.argv[1])
MODE = sys.argv[2]
APEX = b"\x07example\x04test\x00"


def soa_rdata(serial):
    ns = b"\x03ns1" + APEX
    hm = b"\x0ahostmaster" + APEX
    return ns + hm + struct.pack("!IIIII", serial, 3600, 600, 86400, 300)


def rr(owner, rtype, rdata, ttl=300):
    return owner + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def host(i):
    return bytes([len(b"h%d" % i)]) + b"h%d" % i + APEX


def zone10():
    recs = [rr(APEX, 2, b"\x03ns1" + APEX), rr(b"\x03ns1" + APEX, 1, bytes([127, 0, 0, 1]))]
    recs += [rr(host(i), 1, bytes([10, 0, 0, i])) for i in range(1, 21)]
    return recs


def mode():
    with open(MODE) as f:
        return f.read().strip()


def serial_of(m):
    return {"good10": 10, "interleaved": 12}.get(m, 11)


def message(qid, qname, qtype, records, rcode=0):
    hdr = struct.pack("!HHHHHH", qid, 0x8400 | rcode, 1, len(records), 0, 0)
    return hdr + qname + struct.pack("!HH", qtype, 1) + b"".join(records)


def answer_records(m, qtype):
    """The records of the answer, or an RCODE."""
    s = lambda n: rr(APEX, 6, soa_rdata(n), 3600)
    if qtype == 252:  # AXFR
        if m != "good10":
            return 5
        return [s(10)] + zone10() + [s(10)]
    if m == "good10":
        return 5
    if m == "nomatch":
        return [s(11), s(10), rr(host(99), 1, bytes([9, 9, 9, 9])), s(11), s(11)]
    if m == "backwards":
        return [s(11), s(10), s(9), s(11)]
    if m == "interleaved":
        return [s(13), s(10), s(11), rr(host(50), 1, bytes([1, 1, 1, 1])), s(12), s(13), s(13)]
    if m in ("truncated", "good11"):
        return [s(11), s(10), rr(host(1), 1, bytes([10, 0, 0, 1])), s(11),
                rr(host(1), 1, bytes([10, 1, 1, 1])), s(11)]
    return 2


def parse_question(msg):
    qid = struct.unpack("!H", msg[:2])[0]
    off = 12
    while msg[off] != 0:
        off += 1 + msg[off]
    qname = msg[12:off + 1]
    qtype = struct.unpack("!H", msg[off + 1:off + 3])[0]
    return qid, qname, qtype


def respond(msg, tcp):
    qid, qname, qtype = parse_question(msg)
    m = mode()
    if qtype == 6:
        return [message(qid, qname, 6, [rr(APEX, 6, soa_rdata(serial_of(m)), 3600)])]
    recs = answer_records(m, qtype)
    if isinstance(recs, int):
        return [message(qid, qname, qtype, [], recs)]
    if m == "truncated" and qtype == 251:
        return [message(qid, qname, qtype, recs[:3]), None]  # None: close
    return [message(qid, qname, qtype, recs)]


def udp_loop(sock):
    while True:
        data, addr = sock.recvfrom(65535)
        try:
            for out in respond(data, False):
                if out is not None:
                    sock.sendto(out, addr)
        except Exception:
            pass


def tcp_conn(conn):
    with conn:
        try:
            while True:
                h = conn.recv(2)
                if len(h) < 2:
                    return
                n = struct.unpack("!H", h)[0]
                data = b""
                while len(data) < n:
                    more = conn.recv(n - len(data))
                    if not more:
                        return
                    data += more
                for out in respond(data, True):
                    if out is None:
                        return
                    conn.sendall(struct.pack("!H", len(out)) + out)
        except Exception:
            return


def tcp_loop(sock):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=tcp_conn, args=(conn,), daemon=True).start()


u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", PORT))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("127.0.0.1", PORT))
t.listen(8)
threading.Thread(target=udp_loop, args=(u,), daemon=True).start()
threading.Thread(target=tcp_loop, args=(t,), daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
