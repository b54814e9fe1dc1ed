#!/usr/bin/python3
"""matrix_zone.py -- helpers of test_lab_rollover_matrix.sh (stdlib only).

  matrix_zone.py apex FILE        what a served zone (dig AXFR text) holds
                                  at the apex: "dnskey TAG/FLAGS,...",
                                  "cds TAG,..." and "cdnskey TAG,..."
                                  lines, tags sorted
  matrix_zone.py keys ID < JSON   one line per key of signer ID from
                                  `hsyncctl --json keys show`: "ID TAG
                                  ROLE STATE WAITING" for its own keys,
                                  "~ID TAG ROLE STATE -" for the other
                                  signers' keys it holds
"""
import base64
import json
import sys


def key_tag(flags, proto, alg, key):
    """RFC 4034 appendix B"""
    rd = bytes([flags >> 8, flags & 255, proto, alg]) + key
    acc = 0
    for i, b in enumerate(rd):
        acc += b if i & 1 else b << 8
    acc += (acc >> 16) & 0xFFFF
    return acc & 0xFFFF


def apex(path):
    dnskey, cds, cdnskey = [], [], []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) < 5 or line.startswith(";"):
                continue
            t = p[3]
            if t in ("DNSKEY", "CDNSKEY") and len(p) >= 8:
                flags, proto, alg = int(p[4]), int(p[5]), int(p[6])
                tag = key_tag(flags, proto, alg, base64.b64decode("".join(p[7:])))
                if t == "DNSKEY":
                    dnskey.append("%d/%d" % (tag, flags))
                else:
                    cdnskey.append(str(tag))
            elif t == "CDS" and len(p) >= 8:
                cds.append(p[4])
    print("dnskey " + ",".join(sorted(dnskey)))
    print("cds " + ",".join(sorted(cds, key=int)))
    print("cdnskey " + ",".join(sorted(cdnskey, key=int)))


def keys(ident, text):
    try:
        r = json.loads(text)["result"]
    except Exception:
        print("%s - - unreachable -" % ident)
        return
    for k in r["keys"]:
        w = (k.get("waiting") or "-").replace(" ", "_")
        # another signer's key as this one sees it: "~ID TAG ROLE STATE -"
        who = ("~" if k.get("foreign") else "") + ident
        print("%s %d %s %s %s" % (who, k["tag"], k["role"], k["state"], w))


if __name__ == "__main__":
    if sys.argv[1] == "apex":
        apex(sys.argv[2])
    elif sys.argv[1] == "keys":
        keys(sys.argv[2], sys.stdin.read())
    else:
        sys.exit(2)
