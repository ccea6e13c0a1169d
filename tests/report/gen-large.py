#!/usr/bin/env python3
"""gen-large.py N DIR - write a synthetic DIR/rules.jsonl + clusters.json with
N rules (for the report's scale test): clusters of 3-40 generics, cliques,
chains and a few cut rules. Deterministic (fixed seed)."""
import json, random, sys

n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(7)
W = 86400
def side(host, port, act):
    return {"src": "*", "sport": "*", "dst": host, "dport": port, "proto": "tcp", "act": act}
def sid(s):
    return "%s:%s>%s:%s/%s %s" % (s["src"], s["sport"], s["dst"], s["dport"], s["proto"], s["act"])
rules, clusters, c = [], [], 0
while len(rules) < n:
    k = rng.randint(3, 40)
    nodes = [side("10.%d.%d.%d" % (c // 250, c % 250, i + 1), rng.choice([80, 443, 53, 8080, 445]),
                  rng.choice(["new", "present"])) for i in range(k)]
    pairs = [(a, b) for a in range(k) for b in range(k) if a != b]
    rng.shuffle(pairs)
    take = pairs[: min(len(pairs), rng.randint(k, 3 * k), n - len(rules))]
    for a, b in take:
        nl, nr = rng.randint(100, 5000), rng.randint(100, 5000)
        nb = rng.randint(50, min(nl, nr))
        rules.append({"lhs": nodes[a], "rhs": nodes[b], "score": round(rng.uniform(0.001, 0.2), 6),
                      "p_lhs": nl / W, "p_rhs": nr / W, "p_both": nb / W, "support": rng.randint(4, 300),
                      "template": "generic-generic", "cluster": c, "n_lhs": nl, "n_rhs": nr,
                      "n_both": nb, "windows": W})
    c += 1
order = sorted(range(len(rules)), key=lambda i: (-rules[i]["score"], sid(rules[i]["lhs"]) + " => " + sid(rules[i]["rhs"])))
rules = [rules[i] for i in order]
byc = {}
for i, r in enumerate(rules):
    byc.setdefault(r["cluster"], []).append(i)
for cid in sorted(byc):
    ns = sorted({sid(rules[i][s]) for i in byc[cid] for s in ("lhs", "rhs")})
    clusters.append({"id": cid, "score": 1.0, "spectral": False, "nodes": ns, "rules": byc[cid]})
with open(out + "/rules.jsonl", "w") as f:
    for r in rules:
        f.write(json.dumps(r) + "\n")
json.dump({"clusters": clusters, "cut_rules": []}, open(out + "/clusters.json", "w"))
json.dump({"params": {"window": 1}}, open(out + "/summary.json", "w"))
