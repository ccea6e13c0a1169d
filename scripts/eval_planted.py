#!/usr/bin/env python3
"""Precision and recall of a rules.jsonl against the generator's planted.tsv.

usage: eval_planted.py planted.tsv rules.jsonl [--min-precision P] [--min-recall R] [--label L]

A rule matches a planted line when its two sides (new/present ignored) match the line's two
patterns in either order; a pattern field '*' matches anything ('*' included), a concrete field
only the same value (docs/generator.md). Precision: rules that match some line / all rules.
Recall: planted lines that are not 'cover:' lines and that some rule matches / such lines.
Prints one line of figures; exits 1 when a minimum given is not met.
"""
import ipaddress, json, sys


def parse_pattern(text):
    left, proto = text.rsplit("/", 1)
    src, dst = left.split(">")
    def hp(x):
        if x.startswith("["):
            host, port = x[1:].split("]:")
        else:
            host, port = x.rsplit(":", 1)
        return host, port
    (s, sp), (d, dp) = hp(src), hp(dst)
    return (s, sp, d, dp, proto)


def norm_host(h):
    return h if h == "*" else str(ipaddress.ip_address(h))


def side_fields(side):
    proto = side["proto"]
    proto = {6: "tcp", 17: "udp", 1: "icmp"}.get(proto, str(proto)) if not isinstance(proto, str) else proto
    return (norm_host(side["src"]), str(side["sport"]), norm_host(side["dst"]), str(side["dport"]), proto)


def field_match(pat, val):
    return pat == "*" or pat == val


def side_match(pat, side):
    p = (norm_host(pat[0]),) + (pat[1],) + (norm_host(pat[2]),) + pat[3:]
    return all(field_match(a, b) for a, b in zip(p, side))


def main():
    args = sys.argv[1:]
    opts = {"--min-precision": None, "--min-recall": None, "--label": ""}
    pos = []
    i = 0
    while i < len(args):
        if args[i] in opts:
            opts[args[i]] = args[i + 1]
            i += 2
        else:
            pos.append(args[i])
            i += 1
    planted_path, rules_path = pos
    lines = []
    with open(planted_path) as f:
        next(f)
        for ln in f:
            g, kind, a, b, note = ln.rstrip("\n").split("\t")
            lines.append((int(g), kind, parse_pattern(a), parse_pattern(b), note.startswith("cover:")))
    hit = [False] * len(lines)
    nrules = good = 0
    with open(rules_path) as f:
        for ln in f:
            r = json.loads(ln)
            x, y = side_fields(r["lhs"]), side_fields(r["rhs"])
            nrules += 1
            ok = False
            for k, (g, kind, a, b, cover) in enumerate(lines):
                if (side_match(a, x) and side_match(b, y)) or (side_match(a, y) and side_match(b, x)):
                    ok = True
                    hit[k] = True
            good += ok
    real = [k for k, l in enumerate(lines) if not l[4]]
    found = sum(hit[k] for k in real)
    precision = good / nrules if nrules else 0.0
    recall = found / len(real) if real else 0.0
    missed = sorted({lines[k][1] for k in real if not hit[k]})
    print(f"{opts['--label']}rules={nrules} precision={precision:.3f} recall={recall:.3f} "
          f"({found}/{len(real)} planted pairs) missed_groups={','.join(missed) or '-'}")
    bad = (opts["--min-precision"] is not None and precision < float(opts["--min-precision"])) or \
          (opts["--min-recall"] is not None and recall < float(opts["--min-recall"]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
