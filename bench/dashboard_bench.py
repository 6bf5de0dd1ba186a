"""Dashboard benchmark: how long each page takes to render, on the reference congress and
on a congress ten times its size.

Protocol, per scale: a new SQLite store; the congress imported and planned (the
reference by CP-SAT, 10 s, as the dashboard's first start does; ×10, generated with
seed 0, by the greedy planner, since CP-SAT needs minutes there and the pages read a
plan of the same size either way); a full congress log appended (the disruptions a
rehearsal run draws, seed 0, and the work the plan orders: units set up, patrols, sweeps,
clean-ups, bags weighed, documents found, destruction); a commander signed in through
Streamlit's AppTest, which runs the real app script. Each page is then opened ``--repeat``
times in turn; the first opening of a page is "cold" (caches empty for that page), the
median of the rest "warm". The clock is fixed at the middle of the congress's busiest day
at 10:00, so sessions are in progress. Times are the app script's run for the page, on this
machine; the browser then draws what it is sent. Run by hand:

    .venv/bin/python -m bench.dashboard_bench                 # scales 1 and 10
    .venv/bin/python -m bench.dashboard_bench --scales 1 --repeat 5 --json rows.json
    .venv/bin/python -m bench.dashboard_bench --browser   # also in Chromium (Debian's)
    .venv/bin/python -m bench.dashboard_bench --scales "" --phone 5   # a phone only

With ``--browser`` each page is also timed in Chromium against ``streamlit run`` on the same
store: from the click on the menu to the page's title shown and the app no longer running
(the browser's drawing included, up to the first chart drawn on pages that open with one;
the clock is the congress's, not fixed). The first chart of a browser tab waits for the
chart library (plotly.js, 4.6 MB) to load; the sign-in page loads it out of sight while
the form is filled in, and the clock starts once that page is drawn (as a person takes a
few seconds to type), at the click on 登录, until the overview's first chart is drawn;
sign-in is timed ``--repeat`` times, each in a new browser tab (the first on the server
just started is "cold").

With ``--phone N`` a technician's phone is timed (Chromium at 390×844, touch) on a new
store with the reference planned and nothing logged: N staff members with orders, each on
a phone of their own, sign in once (staying signed in); then, for each of their first two
orders, from opening the room's QR address to "reported" shown: one tap (完成).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "scenarios" / "provincial_congress"
PAGES = ("overview", "coverage", "equipment", "staff", "live_log", "tonnage", "rehearsal",
         "report", "admin")
PASSWORD = "bench-password-1"


def prepare(scale: int, folder: Path) -> tuple[str, int, dt.datetime]:
    """The store for one scale; returns (database URL, events logged, the clock)."""
    from planner.events.apply import apply_events
    from planner.io.generate import write
    from planner.live.store import Store
    from planner.ops import accounts
    from planner.ops import congress as ops
    from planner.rehearse.disruptions import draw
    from planner.rehearse.runs import work_log

    source = REFERENCE if scale == 1 else write(folder / "scenario", scale, 0)
    url = f"sqlite:///{folder / 'planner.db'}"
    store = Store(url)
    clock = time.perf_counter()
    name, _ = ops.import_scenario(store, source, "bench",
                                  method="cpsat" if scale == 1 else "greedy")
    print(f"  ×{scale}: imported and planned in {time.perf_counter() - clock:.1f} s")
    snap = ops.snapshot(store, name)
    rng = np.random.default_rng([0, 0])
    events = draw(snap.scenario, snap.plan, snap.scenario.disruptions, rng)
    live = apply_events(snap.scenario, events)
    log = sorted(events + work_log(live, snap.plan, snap.scenario.disruptions, rng),
                 key=lambda e: e["at"])
    store.append(name, log, "bench")
    accounts.create_user(store, "chief", "chief", "commander", PASSWORD, "bench", first=True)
    store.close()
    busiest = Counter(s.start.date() for s in snap.scenario.sessions.values()).most_common(1)
    return url, len(log), dt.datetime.combine(busiest[0][0], dt.time(10, 0))


def measure(url: str, clock: dt.datetime, repeat: int) -> dict[str, list[float]]:
    from streamlit.testing.v1 import AppTest

    os.environ["PLANNER_DB"] = url
    at = AppTest.from_file(str(ROOT / "dashboards" / "app.py"), default_timeout=300).run()
    at.text_input(key="login_username").input("chief")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    at.toggle(key="fix_clock").set_value(True).run()
    at.date_input(key="clock_day").set_value(clock.date())
    at.time_input(key="clock_time").set_value(clock.time()).run()
    times: dict[str, list[float]] = {page: [] for page in PAGES}
    for _ in range(repeat):
        for page in PAGES:
            at.switch_page(f"views/{page}.py")
            start = time.perf_counter()
            at.run()
            times[page].append(time.perf_counter() - start)
            if at.exception:
                raise SystemExit(f"{page}: {at.exception[0].message}")
    # a new event: the next refresh reads the store again (the view is rebuilt)
    from planner.live.store import Store
    from planner.ops import congress as ops

    store = Store(url)
    name = store.scenario_names()[0]
    room = min(ops.snapshot(store, name).scenario.rooms)
    store.append(name, [{"at": f"{clock:%Y-%m-%dT%H:%M}", "type": "booster_found",
                         "room_id": room}], "bench")
    store.close()
    at.switch_page("views/overview.py")
    start = time.perf_counter()
    at.run()
    times["overview after a new event"] = [time.perf_counter() - start]
    at.switch_page("views/report.py").run()
    start = time.perf_counter()
    at.button(key="rp_make").click().run()
    times["report: make the three files"] = [time.perf_counter() - start]
    return times


TITLES = {"overview": "总览", "coverage": "保障覆盖", "equipment": "设备", "staff": "人员",
          "live_log": "现场记录", "tonnage": "文件回收", "rehearsal": "推演", "report": "统计报告",
          "admin": "账户与场景"}


CHARTED = ("overview", "coverage", "equipment", "staff", "tonnage")  # draw charts at once


def browser(url: str, folder: Path, repeat: int) -> dict[str, list[float]]:
    """The same pages in Debian's Chromium against ``streamlit run``: from the click on
    the menu to the page drawn (its title shown and the app no longer running)."""
    import shutil

    from playwright.sync_api import sync_playwright

    from dashboards.server import running

    with running({"PLANNER_DB": url, "PLANNER_DATA": str(folder)}, wait=120) as base:
        times: dict[str, list[float]] = {page: [] for page in PAGES}
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=shutil.which("chromium"),
                                         args=["--no-sandbox"])
            signing = "sign-in to the overview (the chart library loads)"
            times[signing] = []
            for n in range(repeat):  # each in a new browser tab: nothing loaded before
                context = chromium.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                page.set_default_timeout(120_000)
                times[signing].append(sign_in(page, base))
                if n < repeat - 1:  # an open tab's session keeps refreshing: close it
                    context.close()
            busy = page.locator('[data-testid="stStatusWidget"]')
            charts = page.locator(".js-plotly-plot .main-svg")
            for _ in range(repeat):
                for name in PAGES:
                    start = time.perf_counter()
                    page.locator('[data-testid="stTopNav"] a, [data-testid="stSidebarNav"] a',
                                 has_text=TITLES[name]).first.click()
                    page.get_by_role("heading", name=TITLES[name], exact=True).first.wait_for()
                    page.wait_for_timeout(100)
                    busy.wait_for(state="hidden")
                    if name in CHARTED:
                        charts.first.wait_for()
                    times[name].append(time.perf_counter() - start)
            chromium.close()
        return times


def sign_in(page, base: str) -> float:
    """From the click on 登录 to the overview's first chart drawn, in seconds."""
    page.goto(base)
    # the sign-in page drawn, with the chart library it loads while one types
    page.locator(".js-plotly-plot").first.wait_for(state="attached")
    page.get_by_label("用户名").fill("chief")
    page.get_by_label("密码").fill(PASSWORD)
    start = time.perf_counter()
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="总览").wait_for()
    page.locator(".js-plotly-plot .main-svg").first.wait_for()
    return time.perf_counter() - start


def phone_bench(people: int) -> dict[str, list[float]]:
    """A technician's phone (Chromium at 390×844) on a new store with the reference
    planned and nothing logged: each of ``people`` staff members, on a phone of their own,
    signs in once staying signed in; then for each of their first two orders, from opening
    its room's QR address to the order reported: the taps it takes and the seconds."""
    import shutil

    from playwright.sync_api import sync_playwright

    from dashboards.server import running
    from planner.live.store import Store
    from planner.ops import accounts, doors, views
    from planner.ops import congress as ops

    folder = Path(tempfile.mkdtemp(prefix="dashbench-phone-"))
    url = f"sqlite:///{folder / 'planner.db'}"
    store = Store(url)
    name, _ = ops.import_scenario(store, REFERENCE, "bench")
    snap = ops.snapshot(store, name)
    now = views.congress_clock(snap)
    staff = [p for p in sorted(snap.scenario.staff) if views.my_orders(snap, p, now)][:people]
    accounts.create_user(store, "chief", "chief", "commander", PASSWORD, "bench", first=True)
    for n, person in enumerate(staff):
        accounts.create_user(store, f"tech{n}", f"技术{n}", "field", PASSWORD, "bench")
        accounts.link_staff(store, f"tech{n}", person, "bench")
    store.close()
    times: dict[str, list[float]] = {
        "QR address to the order reported (1 tap)": [],
        "  of which: the address to the order shown": [],
        "  of which: the tap to reported": [],
        "first sign-in on the phone, staying signed in": []}
    with running({"PLANNER_DB": url, "PLANNER_DATA": str(folder)}, wait=120) as base, \
            sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=shutil.which("chromium"),
                                     args=["--no-sandbox"])
        for n, person in enumerate(staff):
            page = chromium.new_context(viewport={"width": 390, "height": 844},
                                        is_mobile=True, has_touch=True).new_page()
            page.set_default_timeout(120_000)
            store = Store(url)
            orders = views.my_orders(ops.snapshot(store, name), person, now)[:2]
            store.close()
            start = time.perf_counter()
            page.goto(doors.room_address(orders[0].room_id, base))
            page.get_by_label("用户名").fill(f"tech{n}")
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_text("在此设备上保持登录").click()
            page.get_by_role("button", name="登录").click()
            page.get_by_role("heading", name="我的任务").wait_for()
            times["first sign-in on the phone, staying signed in"].append(
                time.perf_counter() - start)
            for order in orders:
                start = time.perf_counter()
                page.goto(doors.room_address(order.room_id, base))  # the scan
                done = page.get_by_role("button", name="完成").first
                done.wait_for()
                shown = time.perf_counter()
                done.click()  # the one tap
                page.get_by_text("已报告：", exact=False).first.wait_for()
                end = time.perf_counter()
                times["QR address to the order reported (1 tap)"].append(end - start)
                times["  of which: the address to the order shown"].append(shown - start)
                times["  of which: the tap to reported"].append(end - shown)
            page.context.close()
        chromium.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", help="write the rows here too")
    parser.add_argument("--browser", action="store_true",
                        help="also time each page in Chromium against streamlit run")
    parser.add_argument("--phone", type=int, default=0, metavar="PEOPLE",
                        help="also time reporting an order from a room's QR address on a "
                             "phone in Chromium, for this many staff members")
    args = parser.parse_args()
    rows = []
    if args.phone:
        for what, values in phone_bench(args.phone).items():
            row = {"scale": 1, "page": what, "in": "chromium 390x844", "n": len(values),
                   "median_s": round(statistics.median(values), 2),
                   "max_s": round(max(values), 2)}
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False))
    for scale in (int(x) for x in args.scales.split(",") if x):
        folder = Path(tempfile.mkdtemp(prefix=f"dashbench-{scale}-"))
        os.environ["PLANNER_DATA"] = str(folder)
        url, logged, clock = prepare(scale, folder)
        times = measure(url, clock, args.repeat)
        for page, values in times.items():
            row = {"scale": scale, "page": page, "events": logged,
                   "cold_s": round(values[0], 2),
                   "warm_s": round(statistics.median(values[1:] or values), 2),
                   "max_s": round(max(values), 2)}
            rows.append(row)
            print(json.dumps(row))
        if args.browser:
            for page, values in browser(url, folder, args.repeat).items():
                row = {"scale": scale, "page": page, "in": "chromium",
                       "cold_s": round(values[0], 2),
                       "warm_s": round(statistics.median(values[1:] or values), 2),
                       "max_s": round(max(values), 2)}
                rows.append(row)
                print(json.dumps(row))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
