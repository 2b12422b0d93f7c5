"""Turning a benchmark run into tables (text and reST), JSON rows and plots.

A row holds the samples of ours and of its baseline; the table shows medians,
min-max, ours/baseline, whether the issue's target is met and the machine's
load average when the row was measured.  The rows comparing Images API v2
with Glance 33 (group `glance33`) get a table and a plot of their own.  The
plots are SVG written without any plotting library: one group of bars per
throughput measurement, each scaled to its own largest value.
"""

import os
import statistics
from html import escape

PEER_GROUP = "glance33"


def _stats(samples):
    samples = [s for s in samples or [] if s is not None]
    if not samples:
        return None
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "samples": [round(s, 3) for s in samples]}


def make_row(group, name, unit, ours, baseline=None, baseline_name=None, target=None,
             better="higher", load=None, **extra):
    row = {"group": group, "name": name, "unit": unit, "better": better,
           "ours": _stats(ours), "baseline": _stats(baseline), "baseline_name": baseline_name,
           "target": target, "load": None if load is None else round(load, 2)}
    if row["ours"] and row["baseline"] and row["baseline"]["median"]:
        row["ratio"] = row["ours"]["median"] / row["baseline"]["median"]
    else:
        row["ratio"] = None
    for key, values in extra.items():
        row[key] = _stats(values)
    row["met"] = _met(row)
    return row


def _met(row):
    target = row["target"]
    if not target:
        return None
    if row["ours"] is None:
        return None             # not measured: neither met nor missed
    if "ratio" in target and row["ratio"] is None:
        return False
    higher = row["better"] == "higher"
    checks = []
    if "value" in target:
        value = row["ours"]["median"]
        checks.append(value >= target["value"] if higher else value <= target["value"])
    if "ratio" in target:
        ratio = row["ratio"]
        checks.append(ratio >= target["ratio"] if higher else ratio <= target["ratio"])
    return all(checks)


def _num(value):
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _spread(stats):
    if not stats:
        return "-"
    if len(stats["samples"]) == 1:
        return _num(stats["median"])
    return f"{_num(stats['median'])} ({_num(stats['min'])}-{_num(stats['max'])})"


def _target(row):
    target = row["target"]
    if not target:
        return ""
    sign = ">=" if row["better"] == "higher" else "<="
    parts = []
    if "value" in target:
        parts.append(f"{sign} {_num(target['value'])} {row['unit']}")
    if "ratio" in target:
        parts.append(f"ratio {sign} {target['ratio']}")
    return ", ".join(parts)


def table_rows(result, peer=False):
    """The header and rows of the main table, or (`peer`) of the Glance 33 one."""
    header = ["operation", "unit", "ours: median (min-max)", "baseline", "baseline: median",
              "ours / baseline", "target", "met", "load"]
    rows = []
    for row in result["rows"]:
        if (row["group"] == PEER_GROUP) != peer:
            continue
        name = row["name"]
        if row.get("p50_ms"):
            name += (f" [p50 {_num(row['p50_ms']['median'])} ms,"
                     f" p99 {_num(row['p99_ms']['median'])} ms]")
        rows.append([name, row["unit"], _spread(row["ours"]), row["baseline_name"] or "",
                     _spread(row["baseline"]),
                     f"{row['ratio']:.2f}" if row["ratio"] is not None else "",
                     _target(row), {True: "yes", False: "NO", None: ""}[row["met"]],
                     "" if row.get("load") is None else f"{row['load']:.1f}"])
    return header, rows


def _machine_line(result):
    m = result["machine"]
    return (f"{m['cpus']} x {m['cpu']}, {m['memory_gib']} GiB, Linux {m['kernel']}, "
            f"Python {m['python']}, nginx {m['nginx']}; {_contention(m)}; "
            f"{result['runs']} A/B rounds, {result['seconds']:.0f} s in all")


def text_table(result):
    out = []
    for peer in (False, True):
        header, rows = table_rows(result, peer)
        if not rows:
            continue
        widths = [max(len(str(line[i])) for line in [header] + rows) for i in range(len(header))]
        lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip()
                 for line in [header] + rows]
        lines.insert(1, "  ".join("-" * width for width in widths))
        out += lines + [""]
    out.append(_machine_line(result))
    out += result.get("notes") or []
    return "\n".join(out)


def _contention(m):
    """How busy the machine was: the load average (1 minute) before and after
    the run, and CPU pressure (PSI, % of the last minute someone waited for a
    CPU).  The run's own servers and clients count in both."""
    text = f"load average {m['load_before']:.2f} before the run"
    if m.get("load_after") is not None:
        text += f" and {m['load_after']:.2f} after it"
    if m.get("cpu_pressure_before") is not None:
        text += (f", CPU pressure {m['cpu_pressure_before']:.0f}% before and "
                 f"{m['cpu_pressure']:.0f}% at the end")
    return text


def rst_table(result, peer=False):
    header, rows = table_rows(result, peer)
    if not rows:
        return "\n".join(["Not measured in this run.", "", *(result.get("notes") or []), ""])
    out = [".. list-table::", "   :header-rows: 1", ""]
    for line in [header] + rows:
        out.append("   * - " + (line[0] or "\\ "))
        for cell in line[1:]:
            text = str(cell).replace("*", "\\*").replace("|", "\\|")
            if text.startswith(("-", "+")):
                text = "\\" + text   # not a bullet list
            out.append("     - " + (text or "\\ "))
    out += ["", f"Recorded with ``{result['command']}`` on {result['date']}: "
            f"{_machine_line(result)}."]
    out += ["", *(result.get("notes") or []), ""]
    return "\n".join(out)


def svg_plot(result, peer=False):
    """Grouped horizontal bars, ours and the baseline, for every throughput
    row of the table (or of the Glance 33 table)."""
    rows = [r for r in result["rows"] if r["better"] == "higher" and r["baseline"]
            and (r["group"] == PEER_GROUP) == peer]
    colours = {"ours": "#2b6cb0", "baseline": "#a0aec0"}
    width, bar_h, title_h, gap = 1000, 14, 16, 14
    block = title_h + 2 * bar_h + gap
    height = 60 + len(rows) * block + 20
    title = ("Images API v2, ours (README layout) vs Glance 33 under uWSGI" if peer else
             "Throughput per operation, ours vs baselines")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="22" font-size="15" font-weight="bold">{escape(title)} '
           f'(median of up to {result["runs"]} A/B rounds; each group scaled to its largest '
           'bar)</text>']
    x = 10
    for text, key in (("ours (Glance, paste.ini)", "ours"),
                      ("baseline (named on the bar)", "baseline")):
        out.append(f'<rect x="{x}" y="32" width="12" height="12" fill="{colours[key]}"/>')
        out.append(f'<text x="{x + 16}" y="42">{escape(text)}</text>')
        x += 26 + 7 * len(text)
    y = 60
    for row in rows:
        bars = [("ours", row["ours"]["median"] if row["ours"] else 0, "ours"),
                (row["baseline_name"], row["baseline"]["median"], "baseline")]
        top = max(value for _, value, _ in bars) or 1
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "-"
        out.append(f'<text x="10" y="{y + 11}"><tspan font-weight="bold">'
                   f'{escape(row["name"])}</tspan><tspan fill="#555">\u2002({escape(row["unit"])}'
                   f', ours/baseline {ratio})</tspan></text>')
        for index, (name, value, key) in enumerate(bars):
            length = (width - 10 - 330) * value / top
            by = y + title_h + index * bar_h
            out.append(f'<rect x="10" y="{by}" width="{length:.1f}" height="{bar_h - 2}" '
                       f'fill="{colours[key]}"/>')
            shown = _num(value) if value or key != "ours" else "not measured"
            out.append(f'<text x="{10 + length + 5:.1f}" y="{by + bar_h - 3}">'
                       f'{shown} {escape(row["unit"])} ({escape(name)})</text>')
        y += block
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_docs(result, root):
    docs = os.path.join(root, "docs")
    for peer, suffix in ((False, ""), (True, "-glance33")):
        with open(os.path.join(docs, "_static", f"performance{suffix}.svg"), "w") as out:
            out.write(svg_plot(result, peer))
        with open(os.path.join(docs, f"performance{suffix}-results.txt"), "w") as out:
            out.write(rst_table(result, peer))
