#!/usr/bin/env python3
"""plot-scaling.py - the plot of a scaling CSV from bench/run-scaling.sh.

    python3 bench/plot-scaling.py results/scaling-strong.csv [OUT.png]

Two panels: seconds per stage (summary.json's stage_seconds, rank 0's clock)
and the wall time against ranks, log-log; and parallel efficiency per stage:
strong scaling E(R) = T(1) / (R T(R)), weak scaling E(R) = T(1) / T(R), with
T(1) the time at the smallest rank count (scaled to it when that is not 1).
Stages under 2 % of the total at the smallest rank count are left out of the
efficiency panel: their times are too small to read. Writes a PNG with
matplotlib; without matplotlib, an SVG drawn by hand (efficiency panel only).
"""
import csv
import sys


def load(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"plot-scaling: {path}: no rows")
    stages = [k[:-2] for k in rows[0] if k.endswith("_s") and k not in ("wall_s", "total_s")]
    return rows, stages


def efficiency(rows, key, weak):
    r0, t0 = float(rows[0]["ranks"]), float(rows[0][key])
    out = []
    for row in rows:
        r, t = float(row["ranks"]), float(row[key])
        if t <= 0 or t0 <= 0:
            out.append(None)
        elif weak:
            out.append(t0 / t)
        else:
            out.append(t0 * r0 / (r * t))
    return out


def series(rows, stages):
    """(label, key) of what is plotted: the wall time, the total, and each stage."""
    total0 = float(rows[0]["total_s"]) or 1.0
    big = [s for s in stages if float(rows[0][s + "_s"]) >= 0.02 * total0]
    return [("wall", "wall_s"), ("total", "total_s")] + [(s, s + "_s") for s in stages], \
           [("wall", "wall_s"), ("total", "total_s")] + [(s, s + "_s") for s in big]


def title(rows, weak):
    r = rows[0]
    what = "weak scaling" if weak else "strong scaling"
    size = f"{r['records']} records, {r['windows']} windows at {r['ranks']} rank(s)"
    return f"expose-mpi {what} ({size})"


def plot_png(path, out, rows, stages, weak):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ranks = [int(r["ranks"]) for r in rows]
    times, effs = series(rows, stages)
    # One colour per series in both panels: black wall, grey total, and for
    # the stages tab10 without its grey, then darker shades.
    palette = [c for i, c in enumerate(plt.get_cmap("tab10").colors) if i != 7]
    palette += ["darkgoldenrod", "navy", "darkgreen", "maroon", "indigo"]
    color = {"wall_s": "black", "total_s": "0.5"}
    color.update({s + "_s": palette[i % len(palette)] for i, s in enumerate(stages)})
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.8))
    for label, key in times:
        ys = [max(float(r[key]), 1e-3) for r in rows]
        a.plot(ranks, ys, marker="o", lw=2.5 if key in ("wall_s", "total_s") else 1.2,
               ls="-" if key != "total_s" else "--", color=color[key], label=label)
    a.set_xscale("log", base=2)
    a.set_yscale("log")
    a.set_xticks(ranks, [str(r) for r in ranks])
    a.set_xlabel("ranks")
    a.set_ylabel("seconds (rank 0; floor 1 ms)")
    a.set_title("time per stage")
    a.grid(True, which="both", alpha=0.3)
    a.legend(fontsize=7, ncol=2)
    for label, key in effs:
        e = efficiency(rows, key, weak)
        b.plot(ranks, [v if v is not None else float("nan") for v in e], marker="o",
               lw=2.5 if key in ("wall_s", "total_s") else 1.2,
               ls="-" if key != "total_s" else "--", color=color[key], label=label)
    b.axhline(1.0, color="k", lw=0.8, ls=":")
    b.set_xscale("log", base=2)
    b.set_xticks(ranks, [str(r) for r in ranks])
    b.set_xlabel("ranks")
    b.set_ylabel("parallel efficiency")
    b.set_title("efficiency: " + ("T(1)/T(R)" if weak else "T(1)/(R T(R))")
                + " (stages >= 2 % of the total)")
    b.set_ylim(bottom=0)
    b.grid(True, alpha=0.3)
    b.legend(fontsize=7, ncol=2)
    fig.suptitle(title(rows, weak), fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    return out


def plot_svg(path, out, rows, stages, weak):
    """The efficiency panel as a hand-written SVG (no matplotlib)."""
    _, effs = series(rows, stages)
    ranks = [int(r["ranks"]) for r in rows]
    w, h, m = 640, 400, 50
    colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
              "#7f7f7f", "#bcbd22", "#17becf", "#000000", "#aa5500"]
    vals = {k: efficiency(rows, k, weak) for _, k in effs}
    ymax = max([1.2] + [v for e in vals.values() for v in e if v is not None])

    def x(i):
        return m + (w - 2 * m) * (i / max(1, len(ranks) - 1))

    def y(v):
        return h - m - (h - 2 * m) * v / ymax

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
             f'font-family="sans-serif" font-size="11">',
             f'<text x="{w / 2}" y="20" text-anchor="middle">{title(rows, weak)}: efficiency</text>',
             f'<line x1="{m}" y1="{y(1)}" x2="{w - m}" y2="{y(1)}" stroke="#999" stroke-dasharray="3"/>',
             f'<line x1="{m}" y1="{h - m}" x2="{w - m}" y2="{h - m}" stroke="black"/>',
             f'<line x1="{m}" y1="{m}" x2="{m}" y2="{h - m}" stroke="black"/>']
    for i, r in enumerate(ranks):
        parts.append(f'<text x="{x(i)}" y="{h - m + 15}" text-anchor="middle">{r}</text>')
    parts.append(f'<text x="{w / 2}" y="{h - 10}" text-anchor="middle">ranks</text>')
    for v in (0, 0.5, 1.0):
        parts.append(f'<text x="{m - 5}" y="{y(v) + 4}" text-anchor="end">{v}</text>')
    for j, (label, key) in enumerate(effs):
        pts = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(vals[key]) if v is not None)
        c = colors[j % len(colors)]
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="1.5"/>')
        parts.append(f'<text x="{w - m + 5}" y="{m + 14 * j}" fill="{c}">{label}</text>')
    parts.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(parts) + "\n")
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: plot-scaling.py SCALING.csv [OUT.png|OUT.svg]")
    path = sys.argv[1]
    rows, stages = load(path)
    weak = rows[0]["mode"] == "weak"
    stem = path[:-4] if path.endswith(".csv") else path
    try:
        import matplotlib  # noqa: F401
        have_mpl = True
    except ImportError:
        have_mpl = False
    if len(sys.argv) > 2:
        out = sys.argv[2]
    else:
        out = stem + (".png" if have_mpl else ".svg")
    if out.endswith(".png") and have_mpl:
        print("plot-scaling: wrote", plot_png(path, out, rows, stages, weak))
    else:
        if not out.endswith(".svg"):
            out = stem + ".svg"
        print("plot-scaling: wrote", plot_svg(path, out, rows, stages, weak))


if __name__ == "__main__":
    main()
