#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Draws best-so-far against evaluations for one cell of bench_quality's trace
# CSV (median over seeds, a band from the first to the third quartile), one
# line per optimizer, to a PNG. Needs matplotlib (Debian: python3-matplotlib).
#
#   ./build/tools/bench_quality/bench_quality --trace rastrigin:30:40000
#   python3 tools/plot_convergence.py bench_quality_trace.csv --cell rastrigin:30:40000 -o rastrigin.png
#   python3 tools/plot_convergence.py bench_quality_trace.csv --list      # the cells in the file
import argparse
import csv
import math
import sys
from collections import defaultdict


def quantile(sorted_values, q):
    """Linear interpolation between order statistics at (n - 1) q, as bench_quality does."""
    pos = q * (len(sorted_values) - 1)
    i = int(pos)
    if i + 1 >= len(sorted_values):
        return sorted_values[-1]
    a, b = sorted_values[i], sorted_values[i + 1]
    if math.isinf(a) or math.isinf(b):
        return a if pos - i < 0.5 else b
    return a + (b - a) * (pos - i)


def load(path):
    cells = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))  # cell -> optimizer -> evals -> [best]
    family = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            cell = f"{row['problem']}:{row['D']}:{row['budget']}"
            cells[cell][row["optimizer"]][int(row["evaluations"])].append(float(row["best"]))
            family[row["optimizer"]] = row["family"]
    return cells, family


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("csv", help="bench_quality's trace CSV (--trace-csv)")
    ap.add_argument("--cell", help="PROBLEM:D:BUDGET, or PROBLEM alone when the file holds one cell of it")
    ap.add_argument("--optimizers", help="comma-separated subset (default: all in the file)")
    ap.add_argument("-o", "--output", default="convergence.png")
    ap.add_argument("--title", help="plot title (default: the cell)")
    ap.add_argument("--floor", type=float, default=None,
                    help="values below this are drawn at it (log axis; default: 1e-3 of the smallest positive median)")
    ap.add_argument("--reference", type=float, default=None,
                    help="plot best / REFERENCE - 1 (e.g. a task's best known cost: the relative excess)")
    ap.add_argument("--hline", type=float, default=None, help="draw a dotted horizontal line here (e.g. 0.02)")
    ap.add_argument("--list", action="store_true", help="list the cells and exit")
    args = ap.parse_args()

    cells, family = load(args.csv)
    if args.list or not args.cell:
        for c in sorted(cells):
            print(c, ", ".join(sorted(cells[c])))
        return 0 if args.list else 2
    matches = [c for c in cells if c == args.cell or c.split(":")[0] == args.cell]
    if len(matches) != 1:
        print(f"cell {args.cell!r}: {len(matches)} matches; cells: {', '.join(sorted(cells))}", file=sys.stderr)
        return 2
    cell = matches[0]
    data = cells[cell]
    names = [n for n in data if not args.optimizers or n in args.optimizers.split(",")]

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ref = args.reference
    curves = {}
    for name in names:
        xs = sorted(data[name])
        med, q1, q3 = [], [], []
        for x in xs:
            v = sorted(b / ref - 1 if ref else b for b in data[name][x])
            med.append(quantile(v, 0.5))
            q1.append(quantile(v, 0.25))
            q3.append(quantile(v, 0.75))
        curves[name] = (xs, med, q1, q3, len(data[name][xs[-1]]))
    positives = [m for c in curves.values() for m in c[1] if m > 0 and math.isfinite(m)]
    floor = args.floor if args.floor is not None else (min(positives) * 1e-3 if positives else 1e-12)

    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    styles = {"starling": "-", "pagmo2": "--", "nlopt": ":"}
    palette = plt.get_cmap("tab20").colors  # distinct colours for up to 20 optimizers
    for k, name in enumerate(names):
        xs, med, q1, q3, seeds = curves[name]
        clip = lambda vs: [max(v, floor) for v in vs]
        line, = ax.plot(xs, clip(med), styles.get(family.get(name), "-"), color=palette[(2 * k) % 20 + (2 * k) // 20],
                        lw=1.8 if family.get(name) == "starling" else 1.2, label=f"{name} ({family.get(name, '?')})")
        ax.fill_between(xs, clip(q1), clip(q3), color=line.get_color(), alpha=0.12, lw=0)
    if args.hline is not None:
        ax.axhline(args.hline, color="0.3", ls=":", lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("evaluations")
    what = f"best so far / {ref:g} - 1" if ref else "best so far"
    ax.set_ylabel(f"{what} (median over seeds; band: quartiles)")
    problem, dims, budget = cell.split(":")
    ax.set_title(args.title or f"{problem}, D = {dims}, budget {int(budget):,}, {seeds} seeds")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(args.output)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
