"""Report writers: results.json, junit.xml, a single-file report.html, and the console.

All of them read one `RunResults`.  Each carries the capability matrix (what
the server offers, with the evidence) and the extensions apart from the
verdict.  The HTML report is self-contained (inline CSS, no scripts, no
external resources): a summary, the capabilities, the clause → tests →
status matrix, the extensions, then every failure with the requests and
responses that show it (credentials were redacted when recorded).
"""

import html
import json
import os
import time
import xml.etree.ElementTree as ET

from conformance import clauses

MARK = {"passed": "PASS", "failed": "FAIL", "warned": "WARN", "skipped": "SKIP",
        "error": "ERROR", "not run": "-", "untested": "-", "not reached": "N/R",
        "not offered": "N/O", "offered": "YES", "not judged": "N/J"}


def offered_mark(offered):
    return {True: "YES", False: "NO", None: "?"}[offered]


def write_all(results, directory):
    os.makedirs(directory, exist_ok=True)
    doc = results.as_dict()
    with open(os.path.join(directory, "results.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False, default=str)
    ET.ElementTree(junit(results)).write(os.path.join(directory, "junit.xml"),
                                         encoding="utf-8", xml_declaration=True)
    with open(os.path.join(directory, "report.html"), "w", encoding="utf-8") as f:
        f.write(html_report(results))


# -- plain text ----------------------------------------------------------------
def exchange_text(x):
    lines = [f"> {x['method']} {x['url']}"]
    lines += [f"> {n}: {v}" for n, v in x["request_headers"]]
    if x.get("request_body"):
        lines += [">", *("> " + line for line in x["request_body"].splitlines())]
    lines += [f"< {x['status']}"]
    lines += [f"< {n}: {v}" for n, v in x["response_headers"]]
    if x.get("response_body"):
        lines += ["<", *("< " + line for line in x["response_body"].splitlines())]
    return "\n".join(lines)


def console_text(results):
    counts = results.counts()
    out = ["", "=" * 78, "Glance conformance: capabilities", "=" * 78]
    for row in results.capability_rows():
        out.append(f"{offered_mark(row['offered']):<4} {row['title']:<44.44} "
                   f"{row['how'][:110]}")
    out += ["", "=" * 78, "Glance conformance: clause matrix", "=" * 78]
    hidden = 0
    for clause, status, cells in results.matrix():
        if clause.is_extension:
            continue  # listed apart below
        if status in ("untested", "not run"):
            hidden += 1
            continue
        n = len(cells)
        out.append(f"{clause.id:<12} {clause.level:<6} {MARK[status]:<6} "
                   f"{n:>3} test{'s' if n != 1 else ' '}  {clause.text[:44]}")
        if status in ("failed", "warned", "error"):
            for t, cell, _ in cells:
                if cell in ("failed", "warned", "error"):
                    out.append(f"{'':>20} {MARK[cell]:<6} {t.nodeid.split('::')[-1]}")
    if hidden:
        out.append(f"({hidden} clause(s) not exercised in this run: see report.html)")
    ext = results.extensions()
    if ext:
        out += ["", "Extensions of this project beyond real Glance (never change the verdict "
                "unless required):"]
        for clause, status, why in ext:
            out.append(f"  {MARK[status]:<4} {clause.id:<12} {clause.text[:50]}"
                       + (f" — {why[:60]}" if status == "not offered" and why else ""))
    problems = [t for t in results.tests.values() if t.status in ("failed", "error")]
    if problems:
        out += ["", "Failures (the server is wrong) and errors (the suite could not judge):"]
        for t in problems:
            out.append(f"  {MARK[t.status]} {t.nodeid}")
            for x in t.violations:
                out.append(f"      [{x['clause']}] {x['message']}")
            if not t.violations:
                out.append(f"      {t.message}")
    warned = [t for t in results.tests.values() if t.warnings]
    if warned:
        out += ["", "Warnings (SHOULD clauses):"]
        for t in warned:
            for x in t.warnings:
                out.append(f"  WARN [{x['clause']}] {x['message']}")
    skipped = [t for t in results.tests.values() if t.status == "skipped"]
    if skipped:
        out += ["", "Skipped (optional capability absent):"]
        reasons = {}
        for t in skipped:
            reasons.setdefault(t.message, []).append(t.name)
        for reason, names in reasons.items():
            out.append(f"  SKIP {len(names)} test(s): {reason}")
    if results.leftovers:
        out += ["", "Could not remove (please clean up by hand):"]
        out += [f"  {x['target']} image {x['id']}: {x['why']}" for x in results.leftovers]
    out += ["", "Summary: " + ", ".join(f"{counts[k]} {k}" for k in
                                         ("passed", "failed", "warned", "skipped", "error",
                                          "not run")),
            f"Verdict: {results.verdict()}  (run prefix {results.prefix})", ""]
    return "\n".join(out)


# -- JUnit ---------------------------------------------------------------------
def junit(results):
    counts = results.counts()
    suites = ET.Element("testsuites", name="glance-conformance",
                        tests=str(counts["total"] - counts["not run"]),
                        failures=str(counts["failed"]), errors=str(counts["error"]),
                        skipped=str(counts["skipped"]))
    # The capability matrix and the extensions, as properties of the whole run.
    run_props = ET.SubElement(suites, "properties")
    for row in results.capability_rows():
        ET.SubElement(run_props, "property", name=f"capability:{row['name']}",
                      value=f"{offered_mark(row['offered'])}: {row['how']}")
    for clause, status, why in results.extensions():
        ET.SubElement(run_props, "property", name=f"extension:{clause.id}",
                      value=status + (f": {why}" if why else ""))
    by_area = {}
    for t in results.tests.values():
        if t.status != "not run":
            by_area.setdefault(t.area, []).append(t)
    for area, tests in by_area.items():
        suite = ET.SubElement(
            suites, "testsuite", name=f"conformance.{area}", tests=str(len(tests)),
            failures=str(sum(t.status == "failed" for t in tests)),
            errors=str(sum(t.status == "error" for t in tests)),
            skipped=str(sum(t.status == "skipped" for t in tests)),
            timestamp=time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(results.started)))
        for t in tests:
            case = ET.SubElement(suite, "testcase", classname=f"conformance.{area}",
                                 name=t.name, time=f"{t.duration:.3f}")
            props = ET.SubElement(case, "properties")
            for cid in t.clauses:
                ET.SubElement(props, "property", name="clause", value=cid)
            for x in t.warnings:
                ET.SubElement(props, "property", name="warning",
                              value=f"[{x['clause']}] {x['message']}")
            for x in t.not_offered:
                ET.SubElement(props, "property", name="extension-not-offered",
                              value=f"[{x['clause']}] {x['message']}")
            detail = "\n\n".join(exchange_text(x) for x in t.exchanges[-12:])
            if t.status == "failed":
                first = t.violations[0] if t.violations else {"clause": t.clauses[0],
                                                              "message": t.message}
                el = ET.SubElement(case, "failure", type=first["clause"],
                                   message=f"[{first['clause']}] {first['message']}"[:1000])
                el.text = "\n".join(f"[{x['clause']}] {x['message']}" for x in t.violations) \
                    + "\n\n" + detail
            elif t.status == "error":
                el = ET.SubElement(case, "error", message=t.message[:1000])
                el.text = detail
            elif t.status == "skipped":
                ET.SubElement(case, "skipped", message=t.message)
            if t.warnings:
                out = ET.SubElement(case, "system-out")
                out.text = "\n".join(f"WARNING [{x['clause']}] {x['message']}"
                                     for x in t.warnings)
    return suites


# -- HTML ----------------------------------------------------------------------
CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2em;color:#1d232a}
h1{margin:0 0 .2em}h2{margin-top:2em;border-bottom:1px solid #ccd}
code,pre{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace}
pre{background:#f5f6f8;border:1px solid #dde;padding:.6em;overflow:auto;white-space:pre-wrap}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #dde;padding:.3em .5em;
vertical-align:top;text-align:left;overflow-wrap:break-word}th{background:#eef0f4}
td.nw{white-space:nowrap}#matrix td:last-child{width:38%}pre{overflow-wrap:anywhere}
.b{display:inline-block;border-radius:3px;padding:0 .45em;font-weight:600;font-size:12px}
.passed{background:#d8f3dc;color:#1b5e20}.failed{background:#ffd7d5;color:#b00020}
.warned{background:#fff1c2;color:#7a5a00}.skipped{background:#e3e8ef;color:#41506b}
.error{background:#f3d1f4;color:#6a1b6d}.untested,.notrun,.notreached{background:#eee;color:#666}
.notoffered,.notjudged{background:#e8eaf6;color:#3949ab}.offered{background:#d8f3dc;color:#1b5e20}
.verdict{font-size:20px;padding:.4em .8em;display:inline-block;border-radius:4px}
.counts span{margin-right:1.2em}.t{display:block;margin:.1em 0}
.muted{color:#667}details{margin:.4em 0}summary{cursor:pointer}
"""


def _badge(status):
    cls = status.replace(" ", "")
    return f'<span class="b {cls}">{html.escape(MARK.get(status, status))}</span>'


def _e(text):
    return html.escape(str(text))


def html_report(results):
    counts = results.counts()
    verdict = results.verdict()
    vcls = {"PASS": "passed", "FAIL": "failed"}.get(verdict, "error")
    target = results.target
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        "<title>Glance conformance report</title>", f"<style>{CSS}</style></head><body>",
        "<h1>Glance conformance report</h1>",
        f'<p><span class="verdict {vcls}" id="verdict">{verdict}</span></p>',
        '<table id="target"><tbody>',
    ]
    for key in ("kind", "api", "registry", "paste_config", "api_version", "extensions",
                "read_only", "only"):
        if key in target:
            value = target[key]
            value = ", ".join(value) if isinstance(value, list) else value
            parts.append(f"<tr><th>{_e(key)}</th><td><code>{_e(value)}</code></td></tr>")
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(results.started))
    parts += [f"<tr><th>run prefix</th><td><code>{_e(results.prefix)}</code></td></tr>",
              f"<tr><th>started</th><td>{started}, took "
              f"{max(0.0, results.finished - results.started):.1f} s</td></tr>",
              "</tbody></table>",
              '<h2 id="summary">Summary</h2><p class="counts">']
    for key in ("passed", "failed", "warned", "skipped", "error", "not run"):
        parts.append(f"<span>{_badge(key)} {counts[key]} {key}</span>")
    parts.append("</p>")
    if results.failed_clauses():
        parts.append("<p>Clauses broken: " + ", ".join(
            f'<a href="#c-{_e(c)}"><code>{_e(c)}</code></a>' for c in results.failed_clauses())
            + "</p>")
    parts += ['<h2 id="capabilities">Capabilities</h2><table id="capability-matrix"><thead>'
              "<tr><th>Capability</th><th>Offered</th><th>Evidence</th></tr></thead><tbody>"]
    for row in results.capability_rows():
        parts.append(f'<tr id="cap-{_e(row["name"])}"><td>{_e(row["title"])}</td>'
                     f'<td class="nw">{_e(offered_mark(row["offered"]))}</td>'
                     f"<td>{_e(row['how'])}</td></tr>")
    parts.append("</tbody></table>")
    parts += ['<p class="muted">FAIL: a MUST clause is broken. WARN: a SHOULD clause is '
              "broken. SKIP: an optional capability is absent (reason given). ERROR: the "
              "suite could not judge (server unreachable, unexpected answer). N/R: the test "
              "stopped at an earlier failure before reaching this clause. N/O: an extension "
              "of this project that the server does not offer (never a failure unless "
              "extensions are required).</p>",
              '<h2 id="matrix-title">Clause matrix</h2>',
              '<table id="matrix"><thead><tr><th>Clause</th><th>Level</th><th>Status</th>'
              "<th>Contract text</th><th>Tests</th></tr></thead><tbody>"]
    for clause, status, cells in results.matrix():
        shown = [(t, cell) for t, cell, declared in cells
                 if declared or cell not in ("passed", "not run", "skipped")]
        tests = "".join(f'<span class="t">{_badge(cell)} <a href="#t-{_e(t.nodeid)}">'
                        f"{_e(t.name)}</a></span>" for t, cell in shown)
        passing = len(cells) - len(shown)
        if passing:
            tests += (f'<span class="t muted">+ {passing} other test(s) checked it in '
                      "passing without fault</span>")
        tests = tests or '<span class="muted">no test</span>'
        parts.append(f'<tr id="c-{_e(clause.id)}"><td class="nw"><code>{_e(clause.id)}</code>'
                     f'<br><span class="muted">{_e(clause.section)}</span></td>'
                     f'<td class="nw">{clause.level}</td><td class="nw">{_badge(status)}</td>'
                     f"<td>{_e(clause.text)}</td><td>{tests}</td></tr>")
    parts.append("</tbody></table>")
    ext = results.extensions()
    parts += ['<h2 id="extensions">Extensions of this project beyond real Glance</h2>',
              '<table id="extension-matrix"><thead><tr><th>Clause</th><th>Status</th>'
              "<th>Text</th><th>Evidence</th></tr></thead><tbody>"]
    parts += [f'<tr><td class="nw"><a href="#c-{_e(c.id)}"><code>{_e(c.id)}</code></a></td>'
              f'<td class="nw">{_badge(status)}</td><td>{_e(c.text)}'
              f'<br><span class="muted">{_e(c.note)}</span></td><td>{_e(why)}</td></tr>'
              for c, status, why in ext]
    parts.append("</tbody></table>")
    problems = [t for t in results.tests.values() if t.status in ("failed", "error")]
    parts.append(f'<h2 id="failures">Failures and errors ({len(problems)})</h2>')
    if not problems:
        parts.append("<p>None.</p>")
    for t in problems:
        parts.append(_test_block(t))
    warned = [t for t in results.tests.values() if t.warnings and t.status != "failed"]
    if warned:
        parts.append(f'<h2 id="warnings">Warnings ({len(warned)})</h2>')
        parts += [_test_block(t) for t in warned]
    skipped = [t for t in results.tests.values() if t.status == "skipped"]
    if skipped:
        parts.append(f'<h2 id="skipped">Skipped ({len(skipped)})</h2><table><tbody>')
        parts += [f'<tr id="t-{_e(t.nodeid)}"><td>{_e(t.nodeid)}</td><td>{_e(t.message)}</td></tr>'
                  for t in skipped]
        parts.append("</tbody></table>")
    if results.leftovers:
        parts.append('<h2 id="leftovers">Could not remove</h2><ul>')
        parts += [f"<li>{_e(x['target'])} image {_e(x['id'])}: {_e(x['why'])}</li>"
                  for x in results.leftovers]
        parts.append("</ul>")
    parts.append('<h2 id="all-tests">All tests</h2><table><thead><tr><th>Test</th><th>Area'
                 "</th><th>Clauses</th><th>Status</th><th>Note</th></tr></thead><tbody>")
    for t in results.tests.values():
        anchor = "" if t.status in ("failed", "error", "skipped") or t.warnings else \
            f' id="t-{_e(t.nodeid)}"'
        parts.append(f"<tr{anchor}><td>{_e(t.name)}<br><span class=\"muted\">{_e(t.doc)}"
                     f"</span></td><td>{_e(t.area)}</td><td>{_e(' '.join(t.clauses))}</td>"
                     f"<td>{_badge(t.status)}</td><td>{_e(t.message)}</td></tr>")
    parts.append("</tbody></table>")
    parts.append('<h2 id="not-observable">Not checked (not observable over HTTP)</h2><ul>')
    parts += [f"<li>{_e(s)}: {_e(t)}</li>" for s, t in clauses.NOT_OBSERVABLE]
    parts += ["</ul>", "</body></html>", ""]
    return "\n".join(parts)


def _test_block(t):
    items = [f'<div class="test" id="t-{_e(t.nodeid)}"><h3>{_badge(t.status)} '
             f"<code>{_e(t.nodeid)}</code></h3>"]
    if t.doc:
        items.append(f"<p>{_e(t.doc)}</p>")
    if t.violations or t.warnings:
        items.append("<ul>")
        for x in t.violations:
            clause = clauses.CLAUSES.get(x["clause"])
            quote = f'<br><span class="muted">{_e(clause.level)}: {_e(clause.text)}</span>' \
                if clause else ""
            evidence = ""
            index = x.get("exchange")
            if index is not None and 0 <= index < len(t.exchanges):
                evidence = ("<br>The exchange that shows it:<pre>"
                            f"{_e(exchange_text(t.exchanges[index]))}</pre>")
            items.append(f'<li>{_badge("failed")} <a href="#c-{_e(x["clause"])}"><code>'
                         f"{_e(x['clause'])}</code></a> {_e(x['message'])}{quote}"
                         f"{evidence}</li>")
        for x in t.warnings:
            items.append(f'<li>{_badge("warned")} <code>{_e(x["clause"])}</code> '
                         f"{_e(x['message'])}</li>")
        items.append("</ul>")
    elif t.message:
        items.append(f"<p>{_e(t.message)}</p>")
    if t.exchanges:
        shown = t.exchanges[-40:]
        cut = f" (the last 40 of {len(t.exchanges)})" if len(t.exchanges) > 40 else ""
        items.append(f"<details><summary>All HTTP exchanges of this test: {len(shown)}{cut}"
                     "</summary>")
        items += [f"<pre>{_e(exchange_text(x))}</pre>" for x in shown]
        items.append("</details>")
    items.append("</div>")
    return "\n".join(items)
