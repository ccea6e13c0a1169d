#!/usr/bin/env python3
"""make_corpus.py - regenerate the fuzz seed corpora (run on purpose only).

Small slices of the shared real traces (a few KB each) plus synthetic cases.
Usage: tests/fuzz/make_corpus.py [SHARED_TRACES_DIR]
  XP_CORPUS_ONLY="fuzz_names fuzz_shard"  rewrite only these targets' seeds
  XP_EXPOSE=build/mpi/expose-mpi           real shards for fuzz_shard (run on a
                                           slice of the M57 conn.log)
"""
import gzip, json, os, struct, sys

here = os.path.dirname(os.path.abspath(__file__))
traces = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '../../../shared/traces')
LTS = [1, 113, 276, 12, 101, 228, 229, 0, 108, 14, 147]


ONLY = os.environ.get('XP_CORPUS_ONLY', '').split()


def out(target, name, data):
    if ONLY and target not in ONLY:
        return
    d = os.path.join(here, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def pcap_packets(path, first, count):
    d = open(path, 'rb').read()
    off, pk = 24, []
    while off < len(d):
        _, _, cl, _ = struct.unpack('<IIII', d[off:off + 16])
        pk.append(d[off + 16:off + 16 + cl])
        off += 16 + cl
    return pk[first:first + count]


def decode_input(lt, packets, cut=None):
    b = bytes([LTS.index(lt)])
    for p in packets:
        p = p[:cut] if cut else p
        b += struct.pack('>H', len(p)) + p
    return b


# --- fuzz_pcap_decode: real Ethernet packets, then synthetic link types
afs = os.path.join(traces, 'afs-pcap/afs.pcap')
m57 = os.path.join(traces, 'm57-day1118-pcap10k/2009-M57-day11-18-10k.pcap')
if os.path.exists(afs):
    out('fuzz_pcap_decode', 'afs-0-8', decode_input(1, pcap_packets(afs, 0, 8), cut=200))
    out('fuzz_pcap_decode', 'afs-frag', decode_input(1, pcap_packets(afs, 100, 12), cut=120))
if os.path.exists(m57):
    for i, first in enumerate([0, 500, 3000, 7000]):
        out('fuzz_pcap_decode', 'm57-%d' % i, decode_input(1, pcap_packets(m57, first, 16), cut=96))

ip4udp = bytes.fromhex('4500001c00010000401100000a0000010a000002') + struct.pack('>HHHH', 40000, 53, 8, 0)
ip4syn = bytes.fromhex('45000028000100004006 00000a0000010a000002'.replace(' ', '')) + \
    struct.pack('>HHIIBBHHH', 40000, 80, 1, 0, 0x50, 0x02, 65535, 0, 0)
ip6ext = bytes.fromhex('6000000000200040') + bytes(15) + b'\x01' + bytes(15) + b'\x02'
ip6ext = ip6ext[:6] + b'\x00' + ip6ext[7:]
ip6ext += bytes([43, 0, 1, 4, 0, 0, 0, 0]) + bytes([60, 0, 0, 0, 0, 0, 0, 0]) + \
    bytes([44, 0, 0, 1, 0, 0, 0, 7]) + bytes([51, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) + \
    bytes([17]) + bytes(0)
ip6ext = ip6ext[:-1]
ip6ext = ip6ext[:len(ip6ext) - 12] + bytes([17, 1]) + bytes(10) + struct.pack('>HHHH', 1, 53, 8, 0)
eth = bytes(12)
out('fuzz_pcap_decode', 'eth-vlan-qinq', decode_input(1, [
    eth + b'\x81\x00\x00\x64\x08\x00' + ip4udp,
    eth + b'\x88\xa8\x00\x0a\x81\x00\x00\x14\x86\xdd' + ip6ext,
    eth + b'\x08\x00' + ip4syn]))
out('fuzz_pcap_decode', 'sll', decode_input(113, [bytes(14) + b'\x08\x00' + ip4syn]))
out('fuzz_pcap_decode', 'sll2', decode_input(276, [b'\x86\xdd' + bytes(18) + ip6ext]))
out('fuzz_pcap_decode', 'raw', decode_input(101, [ip6ext, ip4udp, ip4syn]))
out('fuzz_pcap_decode', 'null', decode_input(0, [b'\x02\x00\x00\x00' + ip4udp, b'\x1e\x00\x00\x00' + ip6ext]))
out('fuzz_pcap_decode', 'loop', decode_input(108, [b'\x00\x00\x00\x02' + ip4syn]))
out('fuzz_pcap_decode', 'ipv4-frag', decode_input(228, [ip4udp[:6] + b'\x00\xb9' + ip4udp[8:]]))


# --- Zeek: byte 0 = skip_bad, byte 1 = split point, then the log
def head_lines(path, nbytes, opener=open):
    with opener(path, 'rb') as f:
        data = f.read(nbytes * 4)
    data = data[:nbytes]
    return data[:data.rfind(b'\n') + 1]


def zk(skip, split, data):
    return bytes([skip, split]) + data


m57c = os.path.join(traces, 'm57-day1118/conn.log')
if os.path.exists(m57c):
    h = head_lines(m57c, 3000)
    out('fuzz_zeek_tsv', 'm57-head', zk(0, 128, h))
    out('fuzz_zeek_tsv', 'm57-cut', zk(0, 200, h[:-37]))
    lines = h.split(b'\n')
    out('fuzz_zeek_tsv', 'm57-repeat-header', zk(1, 90, b'\n'.join(lines[:10]) + b'\n#close\tx\n' + h))
    out('fuzz_zeek_tsv', 'm57-garbage', zk(3, 60, h + b'garbage\tline\n\x00\xff\n'))
rita = os.path.join(traces, 'rita-72h-rotated/2024-04-19/conn.00_00_00-01_00_00.log.gz')
if os.path.exists(rita):
    out('fuzz_zeek_tsv', 'rita-head', zk(0, 40, head_lines(rita, 2500, gzip.open)))
    raw = open(rita, 'rb').read()
    out('fuzz_gzip', 'rita-cut', raw[:2048])
for name, rel in [('ipv6', 'zeek-ipv6/conn.log'), ('ctu', 'ctu-host008/conn.log.labeled')]:
    p = os.path.join(traces, rel)
    if os.path.exists(p):
        out('fuzz_zeek_tsv', name + '-head', zk(0, 170, head_lines(p, 2500)))
out('fuzz_zeek_tsv', 'nofields', zk(0, 10, b'#separator \\x09\n#path\tconn\n1.0\ta\n'))
out('fuzz_zeek_tsv', 'sep-comma', zk(0, 50, b'#separator ,\n#fields,ts,id.orig_h,id.orig_p,id.resp_h,'
                                     b'id.resp_p,proto,duration\n1.5,10.0.0.1,1,10.0.0.2,2,tcp,-\n'
                                     b'1e9,::1,1,::2,2,icmp,0.5\n1.5,x'))

# --- JSON lines, converted from real records
def to_json(tsv_head, iso=False):
    lines = [l for l in tsv_head.decode().split('\n') if l]
    fields = [l.split('\t')[1:] for l in lines if l.startswith('#fields')][0]
    recs = []
    for l in lines:
        if l.startswith('#'):
            continue
        v = dict(zip(fields, l.split('\t')))
        o = {}
        for k, x in v.items():
            if x == '-':
                continue
            if k in ('ts', 'duration'):
                o[k] = float(x)
            elif k.endswith('_p') or k.endswith('bytes') or k.endswith('pkts'):
                o[k] = int(x)
            else:
                o[k] = x
        if iso:
            import datetime
            o['ts'] = datetime.datetime.utcfromtimestamp(o['ts']).strftime('%Y-%m-%dT%H:%M:%S.%fZ')
        recs.append(json.dumps(o, separators=(',', ':')))
    return ('\n'.join(recs) + '\n').encode()


if os.path.exists(m57c):
    out('fuzz_zeek_json', 'm57-json', zk(0, 100, to_json(head_lines(m57c, 2500))))
    out('fuzz_zeek_json', 'm57-json-iso', zk(0, 30, to_json(head_lines(m57c, 2500), iso=True)))
if os.path.exists(rita):
    out('fuzz_zeek_json', 'rita-json', zk(1, 200, to_json(head_lines(rita, 2000, gzip.open))))
out('fuzz_zeek_json', 'nested', zk(0, 10, b'{"ts":"2024-04-19T00:00:00+02:00","id.orig_h":"1.1.1.1",'
                                   b'"id.orig_p":1,"id.resp_h":"2.2.2.2","id.resp_p":2,"proto":"udp",'
                                   b'"x":{"a":[1,{"b":"}"}]},"duration":null}\n{"ts":1,'))
out('fuzz_zeek_json', 'iso-only', b'1970-01-01T00:00:00.5Z')

# --- gzip
out('fuzz_gzip', 'small', gzip.compress(b'#fields\tts\n' * 20))
out('fuzz_gzip', 'two-members', gzip.compress(b'abc' * 50) + gzip.compress(b'xyz'))
out('fuzz_gzip', 'padded', gzip.compress(b'hello') + bytes(8))
out('fuzz_gzip', 'plain', b'not compressed at all')

# --- opts: argv split on NUL
for i, args in enumerate([
        ['--window', '60', '--top-k', '100', 'trace.pcap'],
        ['-o', 'out', '--alpha=0.5', '--paper', 'a', 'b'],
        ['--window', '-1', 'x'], ['--top-k'], ['--help'], ['--skip-bad', '99999999999999999999', 'x'],
        ['--names', '', '--quiet', '--', '--not-an-option']]):
    out('fuzz_opts', 'argv-%d' % i, '\0'.join(args).encode())


# --- fuzz_pcap_file: byte 0 (odd = gzip it first), then a whole capture
def pcap_file(packets, lt=1, snap=65535, magic=0xa1b2c3d4, endian='<'):
    b = struct.pack(endian + 'IHHiIII', magic, 2, 4, 0, 0, snap, lt)
    for i, p in enumerate(packets):
        b += struct.pack(endian + 'IIII', 1000 + i, 500 * i, len(p), len(p) + 4) + p
    return b


def pcapng_file(packets, lt=1):
    def block(t, body):
        body += bytes(-len(body) % 4)
        return struct.pack('<II', t, len(body) + 12) + body + struct.pack('<I', len(body) + 12)
    b = block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1))
    b += block(1, struct.pack('<HHI', lt, 0, 65535))
    for i, p in enumerate(packets):
        ts = (1000 + i) * 1000000
        b += block(6, struct.pack('<IIIII', 0, ts >> 32, ts & 0xffffffff, len(p), len(p)) + p)
    return b


if os.path.exists(afs):
    pk = [p[:200] for p in pcap_packets(afs, 0, 6)]
    out('fuzz_pcap_file', 'afs-classic', b'\0' + pcap_file(pk))
    out('fuzz_pcap_file', 'afs-classic-gz', b'\1' + pcap_file(pk))
    out('fuzz_pcap_file', 'afs-swapped-ns', b'\0' + pcap_file(pk, magic=0xa1b23c4d, endian='>'))
    out('fuzz_pcap_file', 'afs-snap-small', b'\0' + pcap_file(pk, snap=64))
    out('fuzz_pcap_file', 'afs-cut', b'\0' + pcap_file(pk)[:-37])
    out('fuzz_pcap_file', 'afs-pcapng', b'\0' + pcapng_file(pk))
    out('fuzz_pcap_file', 'afs-pcapng-gz', b'\1' + pcapng_file(pk))
    out('fuzz_pcap_file', 'afs-pcapng-cut', b'\0' + pcapng_file(pk)[:-10])
if os.path.exists(m57):
    out('fuzz_pcap_file', 'm57-classic', b'\0' + pcap_file([p[:96] for p in pcap_packets(m57, 0, 12)]))
out('fuzz_pcap_file', 'raw-ip4', b'\0' + pcap_file([ip4udp, ip4syn], lt=101))
out('fuzz_pcap_file', 'sll-ip4', b'\0' + pcap_file([bytes(14) + b'\x08\x00' + ip4udp], lt=113))
out('fuzz_pcap_file', 'header-only', b'\0' + pcap_file([]))
out('fuzz_pcap_file', 'bad-linktype', b'\0' + pcap_file([ip4udp], lt=147))

# --- fuzz_names: hosts files
out('fuzz_names', 'hosts', b'# lab\n10.0.0.1 dns1 dns1.lab\n10.0.0.2\tweb  # comment\n\n'
    b'fe80::1 router\n[2001:db8::5] v6host\n10.0.0.1 second-wins-not\n')
out('fuzz_names', 'crlf', b'10.1.0.7 a\r\n10.1.0.8 b\r\n::ffff:10.1.0.9 mapped\r\n')
out('fuzz_names', 'bad-addr', b'10.0.0.1 ok\n10.0.0.300 bad\n')
out('fuzz_names', 'no-name', b'fe80:0::1\n')
out('fuzz_names', 'no-newline', b'192.168.1.1 last')
out('fuzz_names', 'scope', b'fe80::1%eth0 linklocal\n')

# --- fuzz_shard: structured descriptions (see fuzz_shard.c), then real shards
for name, desc in [('valid', bytes([0, 0, 0, 0, 0, 5, 12, 40, 7]) + bytes(range(60))),
                   ('valid-meta', bytes([1, 0, 0, 0, 0, 5, 12, 40, 7]) + bytes(range(60))),
                   ('valid-meta-fpdset', bytes([9, 0, 0, 0, 0, 5, 12, 40, 7]) + bytes(range(60))),
                   ('meta-mismatch', bytes([3, 0, 0, 0, 0, 5, 12, 40, 7]) + bytes(range(60))),
                   ('omit-all', bytes([0, 0xff, 0xff, 0, 0, 5, 12, 40, 7])),
                   ('bent', bytes([1, 0, 0, 0xff, 0xff, 9, 200, 30, 3, 2, 0, 1, 2]) + bytes(range(255, 100, -1))),
                   ('empty-windows', bytes([0, 0, 0, 0, 0, 3, 0, 0, 1]))]:
    out('fuzz_shard', name, desc)
expose = os.environ.get('XP_EXPOSE')
m57c_path = os.path.join(traces, 'm57-day1118/conn.log')
if expose and os.path.exists(m57c_path) and (not ONLY or set(ONLY) & {'fuzz_shard', 'fuzz_report_json'}):
    import subprocess, tempfile
    with tempfile.TemporaryDirectory() as t:
        with open(m57c_path, 'rb') as f:
            head = f.read(60000)
        open(os.path.join(t, 'conn.log'), 'wb').write(head[:head.rfind(b'\n') + 1])
        subprocess.run([expose, '-q', '--window', '60', '-o', os.path.join(t, 'o'),
                        os.path.join(t, 'conn.log')], check=True)
        for n, cut in [('rules.jsonl', 3), ('summary.json', 0), ('clusters.json', 0)]:
            txt = open(os.path.join(t, 'o', n), 'rb').read()
            if cut:
                txt = b''.join(txt.splitlines(True)[:cut])
            out('fuzz_report_json', 'real-' + n, txt[:4000])
        sd = os.path.join(t, 'o', 'shards')
        for n in sorted(os.listdir(sd)):
            if n.startswith('shard-') and n <= 'shard-00001.h5':
                out('fuzz_shard', 'real-' + n, open(os.path.join(sd, n), 'rb').read())


# --- fuzz_report_json: JSON values as expose-report reads them back
for name, txt in [
        ('scalars', b'[null, true, false, 0, -1.5e-3, 1E+2, "s", ""]'),
        ('escapes', b'{"a": "\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\\u0000x"}'),
        ('bad-surrogate', b'"\\ud800"'),
        ('deep', b'[' * 70 + b']' * 70),
        ('deep-obj', b'{"a": ' * 40 + b'1' + b'}' * 40),
        ('dup-keys', b'{"k": 1, "k": 2, "n": 9007199254740993, "f": 1.5}'),
        ('lines', b'{"score": 0.5}\n{"score": }\n\n[1,\n'),
        ('trailing', b'{"a": 1} x'),
        ('long-number', b'1' * 80)]:
    out('fuzz_report_json', name, txt)
