#!/usr/bin/env python3
"""mkedge.py - write the inputs of the edge-of-range tests (tests/edge/edge.sh).

Usage: mkedge.py KIND OUT [ARGS]
  conn OUT 'ts orig oport resp rport proto dur' ...   a Zeek conn.log TSV
  pcap OUT N SPACING [SPORT DPORT]     N UDP packets 10.0.0.1 -> 10.0.0.2,
                                       SPACING seconds apart, from 1e9
  manyfiles DIR N                      N one-record conn.logs in DIR/dNN/
  bigpcap OUT GIB [cut]                a sparse classic pcap over GIB GiB of
                                       262144-byte records (holes), optionally
                                       with its last record cut short
  everywindow OUT NFLOWS NWIN          NFLOWS flows, each with a connection
                                       in every one of NWIN 1-s windows
"""
import os, struct, sys

HDR = '#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\n'


def conn(out, lines):
    with open(out, 'w') as f:
        f.write(HDR)
        for i, l in enumerate(lines):
            ts, o, op, r, rp, pr, d = l.split()
            f.write('\t'.join([ts, 'C%d' % i, o, op, r, rp, pr, d]) + '\n')


def udp4(sport, dport, payload=b''):
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 28 + len(payload), 1, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    return b'\0' * 12 + b'\x08\x00' + ip + struct.pack('>HHHH', sport, dport, 8 + len(payload), 0) + payload


def pcap(out, n, spacing, sport=40000, dport=53):
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            t = 1e9 + i * spacing
            p = udp4(sport, dport)
            f.write(struct.pack('<IIII', int(t), int(round((t - int(t)) * 1e6)), len(p), len(p)) + p)


def manyfiles(d, n):
    for i in range(n):
        sub = os.path.join(d, 'd%02d' % (i % 100))
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, 'conn.%05d.log' % i), 'w') as f:
            f.write(HDR + '%d.5\tC%d\t10.1.%d.%d\t%d\t10.0.0.%d\t%d\ttcp\t0.5\n'
                    % (1700000000 + i, i, i // 250, i % 250, 40000 + i % 1000, i % 5 + 1,
                       (80, 443, 53, 22, 25)[i % 5]))


def bigpcap(out, gib, cut=False):
    snap = 262144
    n = int(gib * (1 << 30)) // (16 + snap) + 1
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, snap, 1))
        for i in range(n):
            p = udp4(40000 + i % 7, 53)
            f.write(struct.pack('<IIII', 1000000000 + i, 0, snap, snap) + p)
            # The rest of the record is a hole: zeros that take no disk.
            f.seek(snap - len(p), 1)
        if cut:
            f.write(struct.pack('<IIII', 1000000000 + n, 0, snap, snap) + b'\0' * 100)
        f.truncate()
    print(n)


def everywindow(out, nflows, nwin):
    lines = []
    for w in range(nwin):
        for k in range(nflows):
            lines.append('%d.%03d 10.1.0.%d %d 10.0.0.%d %d tcp 0.1'
                         % (1700000000 + w, 100 + k, k + 1, 40000 + k, k + 1, (80, 443, 22)[k % 3]))
    conn(out, lines)


kind, out, args = sys.argv[1], sys.argv[2], sys.argv[3:]
if kind == 'conn':
    conn(out, args)
elif kind == 'pcap':
    pcap(out, int(args[0]), float(args[1]), *[int(a) for a in args[2:]])
elif kind == 'manyfiles':
    manyfiles(out, int(args[0]))
elif kind == 'bigpcap':
    bigpcap(out, float(args[0]), len(args) > 1 and args[1] == 'cut')
elif kind == 'everywindow':
    everywindow(out, int(args[0]), int(args[1]))
else:
    sys.exit('unknown kind ' + kind)
