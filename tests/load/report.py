"""`python -m tests.load report`: from results.json, the report folder — index.html (one
self-contained page: the plots inlined as PNG data, every table, the thresholds' verdict, the
driver's and the machine's health), summary.json (every figure), endpoints.csv, windows.csv,
endpoint_windows.csv (each endpoint in each window), steps.csv and the PNG plots beside them."""

from __future__ import annotations

import base64
import csv
import html
import json
from pathlib import Path
from typing import Any

from tests.load.analysis import Analysis, analyse
from tests.load.histograms import PERCENTILES, label

COLUMNS = ["count", *(label(p) for p in PERCENTILES), "max_ms", "throughput_per_s", "errors"]
PLOTS = (
    ("latency_over_time.png", "latency_over_time", "Latency percentiles over time"),
    ("latency_vs_load.png", "latency_vs_load", "Latency against offered load"),
    ("distribution.png", "distribution", "Latency distribution: open loop against service time"),
)
STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#212529;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #dee2e6}
table{border-collapse:collapse;margin:8px 0;font-size:12.5px}
td,th{border:1px solid #dee2e6;padding:3px 7px;text-align:right}
th{background:#f1f3f5}td:first-child,th:first-child{text-align:left}.pass{color:#2b8a3e;font-weight:600}
.fail{color:#c92a2a;font-weight:600}.warn{background:#fff3bf;padding:6px 10px;border-radius:4px}
img{max-width:100%;border:1px solid #e9ecef;margin:6px 0}code{background:#f1f3f5;padding:1px 4px}
"""
CHECK = """<script>
// Counts the plots the browser decoded (the report test reads it back from the DOM).
window.addEventListener('load', () => {
  const shown = [...document.images].filter(i => i.complete && i.naturalWidth > 0).length;
  document.body.dataset.plotsLoaded = String(shown);
});
</script>"""


def _table(rows: list[dict[str, Any]], columns: list[str], first: str, table_id: str) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in [first, *columns])
    body = []
    for row in rows:
        cells = "".join(f"<td>{html.escape(_fmt(row.get(c)))}</td>" for c in [first, *columns])
        body.append(f"<tr>{cells}</tr>")
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return "" if value is None else str(value)


def _csv(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> None:
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: (json.dumps(row[c]) if isinstance(row.get(c), dict) else row.get(c)) for c in columns})


def _verdict(judged: list[dict[str, Any]]) -> str:
    if not judged:
        return "<p>No thresholds were set (<code>--threshold p99&lt;20ms@2000</code>).</p>"
    rows = []
    for j in judged:
        mark = '<span class="pass">PASS</span>' if j["passed"] else '<span class="fail">FAIL</span>'
        value = "—" if j["value"] is None else _fmt(round(j["value"], 4))
        rows.append(
            f"<tr><td>{html.escape(j['threshold'])}</td><td>{value}</td><td>{html.escape(j['where'])}</td>"
            f"<td>{mark} {html.escape(j['note'])}</td></tr>"
        )
    passed = all(j["passed"] for j in judged)
    title = (
        '<p class="pass">Every threshold held.</p>'
        if passed
        else '<p class="fail">A threshold failed: exit status 1.</p>'
    )
    head = "<tr><th>threshold</th><th>measured</th><th>on</th><th>verdict</th></tr>"
    return f'{title}<table id="thresholds">{head}{"".join(rows)}</table>'


def _health(a: Analysis) -> str:
    notes = []
    if a.driver["busy"]:
        notes.append(
            "A driver process used more than 85% of a core: the driver may have been the bottleneck"
            " (add --processes, or run it on another machine)."
        )
    if a.overall["dropped"]:
        notes.append(
            f"{a.overall['dropped']} requests were dropped: more were due than the backlog allows;"
            " the server did not keep up."
        )
    if a.overall["late"]:
        notes.append(
            f"{a.overall['late']} sends left more than 10 ms after their due moment (send lag p99"
            f" {a.overall['send_lag']['p99_ms']} ms): their latency still counts from the due moment."
        )
    cpu = ", ".join(f"process {d['process']}: {d['cpu_share']:.0%} of a core" for d in a.driver["processes"])
    server = (
        ", ".join(f"pid {p}: {s:.0%}" for p, s in a.server_cpu_share.items())
        or "not measured (the target is not on this machine)"
    )
    m = a.machine
    warn = "".join(f'<p class="warn">{html.escape(n)}</p>' for n in notes)
    return (
        f"{warn}<p>Driver CPU: {cpu}. Server CPU (processes on the target port): {server}.<br>"
        f"Machine: {m['cpus']} CPUs, load average {m['load_before']} before and {m['load_after']} after, "
        f"busy {m['busy_share_mean']} of its capacity during the run.</p>"
    )


def write(results: dict[str, Any], out: Path, judged: list[dict[str, Any]] | None = None) -> Analysis:
    from tests.load import plots  # matplotlib: seconds to import, only where a report is drawn

    out.mkdir(parents=True, exist_ok=True)
    a = analyse(results)
    judged = judged or []
    images = []
    for name, draw, title in PLOTS:
        getattr(plots, draw)(a, out / name)
        data = base64.b64encode((out / name).read_bytes()).decode()
        images.append(f'<h3>{title}</h3><img id="{name[:-4]}" alt="{title}" src="data:image/png;base64,{data}">')
    window_columns = ["from_s", "target_per_s", "scheduled_per_s", "achieved_per_s", "dropped", *COLUMNS]
    step_columns = ["target_per_s", "achieved_per_s", "achieved_share", "dropped", *COLUMNS]
    endpoint_columns = [*COLUMNS, "error_share", "statuses", "service_p99_ms"]
    _csv(out / "endpoints.csv", a.endpoints, ["endpoint", *endpoint_columns])
    _csv(out / "windows.csv", a.windows, ["window", *window_columns])
    _csv(out / "steps.csv", a.steps, ["step", *step_columns])
    per_endpoint = [
        {"window": w["window"], "from_s": w["from_s"], "endpoint": name, **figures}
        for w in a.windows
        for name, figures in w["by_endpoint"].items()
    ]
    _csv(out / "endpoint_windows.csv", per_endpoint, ["window", "from_s", "endpoint", *COLUMNS[:-2], "max_ms"])
    summary = {**a.as_dict(), "thresholds": judged, "passed": all(j["passed"] for j in judged)}
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    o, plan = a.overall, a.plan
    statuses = sorted({s for e in a.endpoints for s in e["statuses"]})
    error_rows = [{"endpoint": e["endpoint"], **{s: e["statuses"].get(s, 0) for s in statuses}} for e in a.endpoints]
    title = html.escape(plan["scenario"])
    heads = "".join(f"<th>{label(p)}</th>" for p in PERCENTILES)
    cells = "".join(f"<td>{o[label(p)]}</td>" for p in PERCENTILES)
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>Bahi load test: {title}</title>
<style>{STYLE}</style></head><body>
<h1>Bahi read side under load: {html.escape(plan["scenario"])}</h1>
<p>Target <code>{html.escape(plan["target"])}</code>, started {html.escape(a.started_at)}, {plan["mode"]} loop,
{len(plan["steps"])} rate step(s) over {sum(s for _, s in plan["steps"]):g} s, {plan["processes"]} driver process(es),
up to {plan["connections"]} connections each. Every latency is counted from the request's <b>scheduled</b> send
moment{" (closed loop: from the actual send)" if plan["mode"] == "closed" else ""},
in HdrHistograms (3 significant digits).</p>
<h2>Verdict</h2>{_verdict(judged)}
<h2>Whole run</h2>
<table id="overall"><tr><th>requests</th><th>target/s</th><th>achieved/s</th>{heads}
<th>max_ms</th><th>errors</th><th>dropped</th><th>late sends</th><th>service p99 (ms)</th></tr>
<tr><td>{o["count"]}</td><td>{o["target_per_s"]}</td><td>{o["achieved_per_s"]}</td>{cells}
<td>{o["max_ms"]}</td><td>{o["errors"]}</td><td>{o["dropped"]}</td><td>{o["late"]}</td>
<td>{o["service_time"]["p99_ms"]}</td></tr></table>
<h2>Driver and machine</h2>{_health(a)}
<h2>Plots</h2>{"".join(images)}
<h2>Per rate step (offered load)</h2>{_table(a.steps, step_columns, "step", "steps")}
<h2>Per endpoint</h2>{_table(a.endpoints, endpoint_columns, "endpoint", "endpoints")}
<h2>Errors by status</h2>{_table(error_rows, statuses, "endpoint", "statuses")}
<h2>Per time window ({plan["window"]:g} s)</h2>{_table(a.windows, window_columns, "window", "windows")}
<p>Files beside this page: summary.json, endpoints.csv, windows.csv, endpoint_windows.csv, steps.csv
and the PNG plots.</p>
{CHECK}</body></html>"""
    (out / "index.html").write_text(page)
    return a
