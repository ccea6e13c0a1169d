#!/usr/bin/env python3
"""Precision and recall of a rules.jsonl against the generator's planted.tsv.

usage: eval_planted.py planted.tsv rules.jsonl [--min-precision P] [--min-recall R] [--label L]
                        [--clusters] [--min-purity P]

A rule matches a planted line when its two sides (new/present ignored) match the line's two
patterns in either order; a pattern field '*' matches anything ('*' included), a concrete field
only the same value (docs/generator.md). Precision: rules that match some line / all rules.
Recall: planted lines that are not 'cover:' lines and that some rule matches / such lines.
Prints one line of figures; exits 1 when a minimum given is not met.

--clusters adds the purity of the rule clusters (issue 4) against the planted groups. Each rule
that matches planted lines of exactly one group (cover lines included: they name the same group)
and that is not cut is labelled with that group; rules of no group or of several are left out,
and so are cut rules: they are the weak rules between two clusters that the paper removes, and
their `cluster` is only their left side's. Cluster purity: the
labelled rules that lie in a cluster whose majority group is their own, over all labelled rules
(1.0: no cluster mixes two groups). Group purity: for each group, the share of its rules that lie
in clusters holding no rule of another group (alone; its cut rules are counted apart), the share in clusters where it is the
majority (owned), and the clusters it spans. "Each planted group ends up in its own cluster":
purity near 1.0 and every group owning at least one cluster; a group may still span several
clusters (each client's own flows are their own small pattern). Prints one line per group and
one summary line; --min-purity fails the run below the given cluster purity or when a group
owns no cluster.
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
    opts = {"--min-precision": None, "--min-recall": None, "--label": "", "--min-purity": None}
    clusters = "--clusters" in args
    args = [a for a in args if a != "--clusters"]
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
    labelled = []  # (group, cluster id) per uncut rule matching exactly one group
    ncut = {}      # group -> its rules that are cut
    with open(rules_path) as f:
        for ln in f:
            r = json.loads(ln)
            x, y = side_fields(r["lhs"]), side_fields(r["rhs"])
            nrules += 1
            ok = False
            groups = set()
            for k, (g, kind, a, b, cover) in enumerate(lines):
                if (side_match(a, x) and side_match(b, y)) or (side_match(a, y) and side_match(b, x)):
                    ok = True
                    hit[k] = True
                    groups.add(g)
            good += ok
            if len(groups) == 1:
                g = groups.pop()
                ncut[g] = ncut.get(g, 0) + bool(r.get("cut"))
                if not r.get("cut"):
                    labelled.append((g, r.get("cluster")))
    real = [k for k, l in enumerate(lines) if not l[4]]
    found = sum(hit[k] for k in real)
    precision = good / nrules if nrules else 0.0
    recall = found / len(real) if real else 0.0
    missed = sorted({lines[k][1] for k in real if not hit[k]})
    print(f"{opts['--label']}rules={nrules} precision={precision:.3f} recall={recall:.3f} "
          f"({found}/{len(real)} planted pairs) missed_groups={','.join(missed) or '-'}")
    bad = (opts["--min-precision"] is not None and precision < float(opts["--min-precision"])) or \
          (opts["--min-recall"] is not None and recall < float(opts["--min-recall"]))
    if clusters:
        bad |= report_purity(labelled, ncut, {l[0]: l[1] for l in lines}, opts)
    return 1 if bad else 0


def report_purity(labelled, ncut, kinds, opts):
    """Prints cluster purity against the planted groups; returns True when below --min-purity."""
    if any(c is None for _, c in labelled):
        print(f"{opts['--label']}purity: rules carry no cluster id")
        return True
    by_cluster = {}
    for g, c in labelled:
        by_cluster.setdefault(c, {}).setdefault(g, 0)
        by_cluster[c][g] += 1
    # Majority group of each cluster; ties go to the smaller group number (deterministic).
    major = {c: min(cnt, key=lambda g: (-cnt[g], g)) for c, cnt in by_cluster.items()}
    pure_rules = sum(cnt[major[c]] for c, cnt in by_cluster.items())
    orphans = []
    purity = pure_rules / len(labelled) if labelled else 0.0
    for g in sorted({g for g, _ in labelled} | set(ncut)):
        mine = [c for gg, c in labelled if gg == g]
        if not mine:  # every rule of the group cut: no cluster of its own
            print(f"{opts['--label']}group {g} {kinds[g]}: rules=0 cut={ncut[g]}")
            orphans.append(kinds[g])
            continue
        alone = sum(1 for c in mine if len(by_cluster[c]) == 1)
        spans = sorted(set(mine))
        owned = sum(1 for c in mine if major[c] == g)
        mixed = sorted({kinds[o] for c in spans for o in by_cluster[c] if o != g})
        print(f"{opts['--label']}group {g} {kinds[g]}: rules={len(mine)} cut={ncut.get(g, 0)} "
              f"clusters={len(spans)} "
              f"alone={alone / len(mine):.3f} owned={owned / len(mine):.3f} "
              f"shares_with={','.join(mixed) or '-'}")
        if owned == 0:
            orphans.append(kinds[g])
    print(f"{opts['--label']}cluster purity={purity:.3f} ({pure_rules}/{len(labelled)} labelled rules, "
          f"{len(by_cluster)} clusters)")
    if orphans:
        print(f"{opts['--label']}groups with no cluster of their own: {','.join(orphans)}")
    return opts["--min-purity"] is not None and (purity < float(opts["--min-purity"]) or bool(orphans))


if __name__ == "__main__":
    sys.exit(main())
