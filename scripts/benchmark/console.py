"""The console: every page loaded with a signed-in session against the JSON route it draws
from, on the server `measure_http` started over the big store.

Each page is a GET with the console's session cookie (the key cookie the sign-in form
sets), drawn on the server from the JSON views it calls in-process; its baseline is the
plain JSON route the page draws its main table from, asked with the same key through
`X-API-Key` (first page of 20 rows, as the page asks it). Page and route alternate,
sequentially, so load from other processes weighs on both alike; the server's CPU time
per load (from /proc, summed over the loads of one kind) is reported next to the wall
time, as it is what a loaded machine inflates least.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from adapters.bulk.generator import START
from benchmark.common import CPU_MS, Figure, Run, pct, record, say

TARGET_P95_MS = 300.0
ROWS = {"limit": 20, "offset": 0}


@dataclass(frozen=True)
class Page:
    """A console page, and the JSON route (with its parameters) it draws its table from."""

    name: str
    path: str
    route: str
    params: dict[str, Any]


def pages(document: str, as_of_day: str) -> list[Page]:
    """Every page of interfaces/console/ a reader opens, the pipeline also as of a day."""
    as_of = f"{as_of_day}T23:59:59.999999Z"
    weighted = {"order_by": "weighted_amount", "descending": "true", **ROWS}
    return [
        Page("pipeline", "/console/pipeline", "/views/pipeline", weighted),
        Page(
            "pipeline as of",
            f"/console/pipeline?as_of={as_of_day}",
            "/views/pipeline",
            {**weighted, "as_of": as_of},
        ),
        Page("forecast", "/console/forecast", "/views/forecast", forecast_months()),
        Page("quote validity", "/console/quotes", "/views/quote-validity", {}),
        Page("budget", "/console/budget", "/views/budget-vs-actual", ROWS),
        Page(
            "orders, receivables",
            "/console/orders",
            "/views/orders",
            {"order_by": "created_at", "descending": "true", **ROWS},
        ),
        Page(
            "orders as of",
            f"/console/orders?as_of={as_of_day}",
            "/views/orders",
            {"order_by": "created_at", "descending": "true", "as_of": as_of, **ROWS},
        ),
        Page(
            "contracts",
            "/console/contracts",
            "/views/contracts",
            {"order_by": "next_billing_date", **ROWS},
        ),
        Page("warranties, service", "/console/service", "/views/warranty", ROWS),
        Page("audit", "/console/audit", "/views/audit", ROWS),
        Page(
            "document timeline",
            f"/console/documents/order/{document}",
            f"/orders/{document}/history",
            {},
        ),
    ]


def forecast_months() -> dict[str, str]:
    """The forecast page's window: five months back to six ahead of today (the server's)."""
    today = date.today()
    index = today.year * 12 + today.month - 1

    def month(shift: int) -> str:
        return f"{(index + shift) // 12:04d}-{(index + shift) % 12 + 1:02d}"

    return {"from_month": month(-5), "to_month": month(6), "group_by": "stage"}


def server_cpu_ms(pid: int) -> float:
    """User and system CPU time of a process so far, in milliseconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def set_cookie(response: Any, name: str) -> str:
    """The value a response sets for cookie `name` ("" if none)."""
    for header in response.headers.get_list("set-cookie"):
        found = re.match(rf"{name}=([^;]*)", header)
        if found:
            return found.group(1).strip('"')
    return ""


def session_cookie(client: Any, key: str) -> str:
    """Sign in through the console's form, as a browser does; the session cookie's value.

    The cookies are `Secure` and the server is reached over plain http here, so they are
    carried by hand rather than by the client's cookie jar.
    """
    form = client.get("/console/sign-in")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    if form.status_code != 200 or token is None:
        raise RuntimeError(f"console sign-in page: {form.status_code}")
    csrf = token.group(1)  # the form's token is the CSRF cookie's value (double submit)
    signed = client.post(
        "/console/sign-in",
        data={"csrf": csrf, "api_key": key},
        headers={"Cookie": f"comptoir_console_csrf={csrf}"},
        follow_redirects=False,
    )
    cookie = set_cookie(signed, "comptoir_console")
    if signed.status_code != 303 or not cookie:
        raise RuntimeError(f"console sign-in: {signed.status_code} {signed.text[:200]}")
    return cookie


def a_document(client: Any, key: str) -> str:
    """An order of the dataset (its first in the log), whose timeline the page draws."""
    found = client.get(
        "/views/audit", params={"limit": 1, "document_type": "Order"}, headers={"X-API-Key": key}
    )
    items = found.json().get("items", []) if found.status_code == 200 else []
    if not items:
        raise RuntimeError(f"no order in the audit log: {found.status_code} {found.text[:300]}")
    return str(items[0]["document_id"])


def timed_get(client: Any, pid: int, path: str, **kw: Any) -> tuple[float, float]:
    """Wall and server CPU milliseconds of one GET, which must answer 200."""
    cpu, started = server_cpu_ms(pid), time.perf_counter()
    response = client.get(path, **kw)
    wall = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
    return wall, server_cpu_ms(pid) - cpu


def page_latencies(run: Run, reps: int) -> dict[str, dict[str, float]]:
    """Each page and its JSON route `reps` times, alternating; p95 and mean CPU of each."""
    import httpx

    assert run.server is not None
    pid = run.server.pid
    as_of_day = (START + timedelta(days=365 * 3 // 2)).date().isoformat()
    with httpx.Client(base_url=f"http://127.0.0.1:{run.port}", timeout=60) as client:
        cookie = {"Cookie": f"comptoir_console={session_cookie(client, run.key)}"}
        key = {"X-API-Key": run.key}
        listed = pages(a_document(client, run.key), as_of_day)
        walls: dict[str, list[float]] = {p.name: [] for p in listed}
        bases: dict[str, list[float]] = {p.name: [] for p in listed}
        cpus: dict[str, float] = dict.fromkeys(walls, 0.0)
        base_cpus: dict[str, float] = dict.fromkeys(walls, 0.0)
        for page in listed:  # warm: templates compiled, first queries planned
            timed_get(client, pid, page.path, headers=cookie)
            timed_get(client, pid, page.route, params=page.params, headers=key)
        for _ in range(reps):
            for page in listed:
                wall, cpu = timed_get(client, pid, page.path, headers=cookie)
                walls[page.name].append(wall)
                cpus[page.name] += cpu
                wall, cpu = timed_get(client, pid, page.route, params=page.params, headers=key)
                bases[page.name].append(wall)
                base_cpus[page.name] += cpu
    return {
        p.name: {
            "p95": pct(walls[p.name], 95),
            "p50": pct(walls[p.name], 50),
            "json_p95": pct(bases[p.name], 95),
            "cpu_ms": cpus[p.name] / reps,
            "json_cpu_ms": base_cpus[p.name] / reps,
        }
        for p in listed
    }


def measure_console(run: Run) -> None:
    """6. The console: each page's p95 (signed in), against the JSON route it draws from."""
    reps = 20 if run.args.quick else 30
    say(f"console pages (signed in, sequential, {reps} loads each, against their JSON route)")
    found = page_latencies(run, reps)
    for name, f in found.items():
        say(
            f"  {name:<22} p95 {f['p95']:7.1f} ms (p50 {f['p50']:6.1f}; server CPU "
            f"{f['cpu_ms']:6.1f} ms) | JSON route p95 {f['json_p95']:6.1f} ms "
            f"(CPU {f['json_cpu_ms']:5.1f} ms)"
        )
        CPU_MS[f"console {name}"] = round(f["cpu_ms"], 1)
        CPU_MS[f"console {name} (JSON route)"] = round(f["json_cpu_ms"], 1)
    worst = max(found, key=lambda name: found[name]["p95"])
    w = found[worst]
    load = os.getloadavg()[0]
    record(
        "console_page_p95_ms",
        Figure(
            w["p95"],
            "ms",
            w["json_p95"],
            f"its JSON route ({worst})",
            f"<= {TARGET_P95_MS:.0f} ms",
            note=f"(worst page: {worst}, server CPU {w['cpu_ms']:.0f} ms a load; "
            f"{len(found)} pages, {reps} loads each; load {load:.1f})",
        ),
    )
