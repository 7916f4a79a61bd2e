#!/usr/bin/env python3
"""Draws the book's charts from the benchmarks' own output (book/figures/*.txt) as SVG,
with nothing but the standard library. Usage: charts.py OUT_DIR"""

import sys
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent


def bars(title, unit, rows, path, color="#4a7ab5"):
    """A horizontal bar chart: rows of (label, value)."""
    width, left, bar_h, gap, top = 720, 230, 18, 8, 44
    height = top + len(rows) * (bar_h + gap) + 30
    top_value = max(v for _, v in rows) or 1
    scale = (width - left - 90) / top_value
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="10" y="22" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(rows):
        y = top + i * (bar_h + gap)
        w = max(1.0, value * scale)
        out.append(f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">{escape(label)}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color}"/>')
        out.append(f'<text x="{left + w + 6:.1f}" y="{y + 13}">{value:g} {escape(unit)}</text>')
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n")
    print(f"chart {path.name}")


def attack(out_dir):
    """attack.txt: one row per attack and connection count."""
    names = {
        "none": "no attack",
        "silent": "silent",
        "announced": "1 MiB announced",
        "heads": "endless heads",
        "bodies": "trickled bodies",
        "mixed": "mixed",
    }
    rows = []
    for line in (HERE / "attack.txt").read_text().splitlines():
        f = line.split()
        if not f or f[0] == "attack" or f[0] not in names:
            continue
        rows.append(
            {
                "label": f"{names[f[0]]}, {int(f[1]):,}" if f[1] != "0" else names[f[0]],
                "private": float(f[6]),
                "max2xx": float(f[9]),
            }
        )
    bars(
        "Private memory of the bot while hostile connections are held open",
        "MiB",
        [(r["label"], r["private"]) for r in rows],
        out_dir / "attack-memory.svg",
    )
    bars(
        "Slowest answer to a signed delivery during the attack (limit: 1,000 ms)",
        "ms",
        [(r["label"], r["max2xx"]) for r in rows],
        out_dir / "attack-latency.svg",
        color="#5a9a63",
    )


def loadgen(out_dir):
    """loadgen.txt: one row per concurrency."""
    rows = []
    for line in (HERE / "loadgen.txt").read_text().splitlines():
        f = line.split()
        if not f or not f[0].isdigit():
            continue
        rows.append((int(f[0]), float(f[2]), float(f[3]), float(f[4]), float(f[8])))
    bars(
        "Commands per second, signed webhook to reply, by senders in flight",
        "commands/s",
        [(f"{c} senders", r) for c, r, _, _, _ in rows],
        out_dir / "loadgen-throughput.svg",
    )
    bars(
        "Latency from webhook to reply: p50 and p99, by senders in flight",
        "ms",
        [(f"{c} senders, {q}", v) for c, _, p50, p99, _ in rows for q, v in (("p50", p50), ("p99", p99))],
        out_dir / "loadgen-latency.svg",
        color="#5a9a63",
    )


def main():
    out_dir = Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    attack(out_dir)
    loadgen(out_dir)


if __name__ == "__main__":
    main()
