#!/usr/bin/python3
"""Print a TCP+UDP port free on 127.0.0.1 (or the address given).

The port is chosen below the kernel's ephemeral range
(net.ipv4.ip_local_port_range), so no client socket of another program is
handed it between this check and the daemon's bind: the tests and the lab
pick ports first and start their servers later.
"""
import random
import socket
import sys


def main():
    addr = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        lo = 32768
    hi = max(1100, min(lo, 65536) - 1)
    for _ in range(500):
        port = random.randint(1024, hi)
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            u.bind((addr, port))
            t.bind((addr, port))
        except OSError:
            continue
        finally:
            u.close()
            t.close()
        print(port)
        return 0
    print("no free port found", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
