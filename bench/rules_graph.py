#!/usr/bin/env python3
"""rules_graph.py INPUT [OUT] [--largest] - a rule graph as "src dst score"
lines (0-based node ids), the input of cluster_bench --graph.

INPUT is either an expose-mpi rules.jsonl (nodes are the rule sides, in
order of first appearance; one line per rule X => Y, a score <= 0 written
as 0 as the driver does), or a graph already in that form, e.g. the
one expose-mpi writes when XP_RULEGRAPH=PATH is set (the driver's own node
numbering). With --largest only the largest closure component is written,
renumbered in node order (to time one big part).
"""
import json
import sys


def side_key(s):
    return (str(s["src"]), str(s["sport"]), str(s["dst"]), str(s["dport"]),
            str(s["proto"]), s["act"])


def read(path):
    ids, edges = {}, []
    with open(path) as f:
        for line in f:
            if line.startswith("{"):
                r = json.loads(line)
                a = ids.setdefault(side_key(r["lhs"]), len(ids))
                b = ids.setdefault(side_key(r["rhs"]), len(ids))
                edges.append((a, b, r["score"] if r["score"] > 0 else 0.0))
            elif line.strip():
                a, b, w = line.split()
                edges.append((int(a), int(b), float(w)))
    n = 1 + max(max(a, b) for a, b, _ in edges) if edges else 0
    return n, edges


def largest(n, edges):
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _ in edges:
        parent[find(a)] = find(b)
    size = {}
    for v in range(n):
        size[find(v)] = size.get(find(v), 0) + 1
    root = min(size, key=lambda r: (-size[r], r))
    keep = {}
    for v in range(n):
        if find(v) == root:
            keep[v] = len(keep)
    return [(keep[a], keep[b], w) for a, b, w in edges if a in keep]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n, edges = read(args[0])
    if "--largest" in sys.argv:
        edges = largest(n, edges)
    out = open(args[1], "w") if len(args) > 1 else sys.stdout
    for a, b, w in edges:
        out.write("%d %d %.17g\n" % (a, b, w))


if __name__ == "__main__":
    main()
