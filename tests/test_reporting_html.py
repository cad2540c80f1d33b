"""The monthly HTML report (issue #16): structure, privacy, and a real browser.

The demo's ``report.html`` is rendered in **headless Chromium** driven through
the DevTools protocol over ``--remote-debugging-pipe`` (no extra package): the
page must load with no console error and no request leaving the file, the
screenshot must not be blank, and the verdict text and all 18 table rows must
be in the DOM. Chromium comes from the Debian package
(``scripts/install_system_deps.sh``); without it the test FAILS, it never skips.

References other than the code under test: the statuses and the 18 form
labels come from :class:`SpotCheckResult` / ``statistics_table.ROWS`` (copied
from the seed form), the rank-interval check uses the closed form
:math:`P(\\text{A above B}) = \\Phi((\\mu_A-\\mu_B)/\\sqrt{s_A^2+s_B^2})` of two
independent normals, and the progress counts are counted by hand.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
import queue
import re
import shutil
import subprocess
import threading
import time
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import beian_audit as ba
from beian_audit.errors import ArgumentError
from beian_audit.estimation import estimate_proportion, monthly_panel
from beian_audit.privacy import leaked_values
from beian_audit.reporting import (
    ROWS,
    render_html_report,
    unfiled_rank_intervals,
    verification_by_stratum,
    write_html_report,
)
from beian_audit.reporting.svg import cjk_font

PERSONAL = (
    "sponsor_cert_number",
    "sponsor_principal_id_number",
    "sponsor_principal_mobile",
    "sponsor_principal_phone",
    "sponsor_principal_email",
    "website_principal_id_number",
    "website_principal_mobile",
    "website_principal_phone",
    "website_principal_email",
)
STATUS_ZH = {"met": "达标", "not_met": "未达标", "inconclusive": "尚无法证明"}
STATUS_EN = {"met": "met", "not_met": "not met", "inconclusive": "not yet provable"}
INSTALL_HINT = "run scripts/install_system_deps.sh (apt-get install chromium fonts-noto-cjk)"


# --------------------------------------------------------------------------- helpers
class Page(HTMLParser):
    """The parts of a page the tests look at."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.svg_titles: list[str] = []
        self._in_svg_title = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "title" and "svg" in self.stack:
            self._in_svg_title = True
            self.svg_titles.append("")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass
        if tag == "title":
            self._in_svg_title = False

    def handle_data(self, data: str) -> None:
        if self._in_svg_title:
            self.svg_titles[-1] += data

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def statistics_rows(text: str) -> list[str]:
    body = text.split('id="statistics-table"', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr data-row=\"(\d+)\"", body)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """The demo (``make demo`` runs ``beian-audit demo``, which calls ``run_demo``)."""
    from beian_audit.demo import run_demo

    out = tmp_path_factory.mktemp("demo") / "reports"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_demo(out)
    return result, out / "report.html"


# --------------------------------------------------------------------------- structure
def test_demo_writes_report_html_with_verdicts_and_the_18_rows(demo: tuple[Any, Path]) -> None:
    result, path = demo
    assert path.exists()
    assert "report.html" in ba.spotcheck.REPORT_FILES
    text = path.read_text("utf-8")
    page = Page(text)
    assert text.startswith("<!DOCTYPE html>")
    assert page.all("html")[0]["lang"] == "zh-CN"
    # 1) verdicts: every assessed measure shows its status in Chinese
    verdicts = text.split('id="statistics"', 1)[0]
    for name, assessment in result.assessments.items():
        card = verdicts.split(f'id="card-{name}"', 1)[1].split("</article>", 1)[0]
        assert f'class="badge {assessment.status}"' in card
        assert STATUS_ZH[assessment.status] in card
    assert "目标 99.5%" in verdicts and "目标 75.0%" in verdicts
    # 2) the 18 rows of the form, numbered 1..18 and labelled as the seed form
    assert statistics_rows(text) == [str(i) for i in range(1, 19)]
    form = text.split('id="statistics-table"', 1)[1].split("</table>", 1)[0]
    for row in ROWS:
        assert html.escape(row.item_zh) in form
    assert "网站备案管理工作情况统计表" in form and "<caption>" in form
    # sections in the order of the issue
    order = [text.index(f'<section id="{s}"') for s in
             ("verdicts", "statistics", "forest", "unfiled", "trend", "progress",
              "methodology")]  # fmt: skip
    assert order == sorted(order)
    # 4) top ten: at most ten ranks (census, so no rank interval)
    unfiled = text.split('id="unfiled-ranking"', 1)[1].split("</table>", 1)[0]
    assert 1 <= unfiled.count("<tr>") - 1 <= 10
    # 5) the ledger's two months: the trend is drawn, too few months to extrapolate
    trend = text.split('<section id="trend"', 1)[1].split("</section>", 1)[0]
    assert "尚无多月面板" not in trend
    assert "面板仅有 2 个月" in trend and "<svg" in trend
    # 7) methodology: seed, fingerprints, version
    method = text.split('<section id="methodology"', 1)[1]
    manifest = result.sample.manifest
    for value in (str(manifest["seed"]), manifest["frame_fingerprint"],
                  manifest["sample_fingerprint"], f"beian_audit {ba.__version__}"):
        assert html.escape(value) in method


def test_accessibility_and_self_containment(demo: tuple[Any, Path]) -> None:
    text = demo[1].read_text("utf-8")
    page = Page(text)
    tables = page.all("table")
    assert len(tables) >= 5
    assert text.count("<caption>") == len(tables)
    ths = page.all("th")
    assert ths and all(th.get("scope") in {"col", "row", "rowgroup"} for th in ths)
    svgs = page.all("svg")
    assert len(svgs) >= 2  # forest plots of both accuracies
    assert all(s.get("role") == "img" and s.get("aria-label") for s in svgs)
    assert len(page.svg_titles) == len(svgs) and all(page.svg_titles)
    assert len(page.all("desc")) == len(svgs)
    assert len(page.all("figcaption")) == len(svgs)
    # nothing from outside: no external src/href, no script file, no stylesheet link
    for _, attrs in page.tags:
        for name in ("src", "href", "xlink:href", "action", "data"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith(("#", "data:")), (name, value)
    assert all("src" not in s for s in page.all("script"))
    assert not [link for link in page.all("link") if link.get("rel") == "stylesheet"]
    assert "@import" not in text and "url(http" not in text
    assert "default-src 'none'" in text  # the CSP forbids every request
    ids = [a["id"] for _, a in page.tags if a.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids across the inline figures"


def test_english_report_and_language_check(demo: tuple[Any, Path]) -> None:
    result = demo[0]
    text = render_html_report(result, language="en")
    assert Page(text).all("html")[0]["lang"] == "en"
    for name, assessment in result.assessments.items():
        card = text.split(f'id="card-{name}"', 1)[1].split("</article>", 1)[0]
        assert STATUS_EN[assessment.status] in card
    assert "No statistics table" in text  # table= not given
    with pytest.raises(ArgumentError, match="language"):
        render_html_report(result, language="fr")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="month"):
        render_html_report(object())


def test_figures_have_chinese_glyphs_without_tofu(demo: tuple[Any, Path]) -> None:
    assert cjk_font() is not None, f"no CJK font for the figures: {INSTALL_HINT}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        text = render_html_report(demo[0])
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert not missing, missing[:3]
    # glyphs are paths: the figures hold no <text> element needing a font at view time
    svg = text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "<text" not in svg and "<path" in svg
    assert "主体信息准确率" in Page(text).svg_titles[0]


# --------------------------------------------------------------------------- privacy
def test_the_report_holds_no_unmasked_personal_value(demo: tuple[Any, Path]) -> None:
    reg = ba.load_synthetic_registry()
    raw: set[str] = set()
    for col in PERSONAL:
        raw |= {v for v in reg[col].dropna() if len(v) >= 8}
    assert raw
    text = demo[1].read_text("utf-8")
    assert leaked_values(text, raw) == []
    assert leaked_values(html.unescape(text), raw) == []


def test_personal_values_in_cells_are_masked_and_escaped(tmp_path: Path) -> None:
    """Personal values put where a report shows free text come out masked."""
    phone, ident, email = "13812345678", "11010519900307451X", "zhang.san@example.cn"
    frame = pd.DataFrame({"provider_id": [f"P-{phone}"] * 30 + ["<b>P2</b>"] * 30,
                          "ok": [1] * 25 + [0] * 5 + [1] * 20 + [0] * 10})  # fmt: skip
    est = estimate_proportion(frame, "ok", by="provider_id")
    month = SimpleNamespace(
        month="2013-06",
        estimates={"sponsor_accuracy": est},
        assessments={"sponsor_accuracy": ba.assess_target(est, 0.75)},
        targets={"sponsor_accuracy": 0.75},
        filings=pd.DataFrame({"provider_id": [f"P-{phone}", "<b>P2</b>"],
                              "provider_name": [f"张三 {email}", f"id {ident}"]}),
    )
    progress = pd.DataFrame({"stratum": [f"P-{phone}"], "n_drawn": [30],
                             "verified_sponsor_ok": [29], "nonresponse": [1],
                             "nonresponse_rate": [1 / 30]})  # fmt: skip
    path = write_html_report(month, tmp_path / "r.html", progress=progress)
    text = path.read_text("utf-8")
    assert leaked_values(html.unescape(text), {phone, ident, email}) == []
    assert "138****5678" in text
    assert "<b>P2</b>" not in text and "&lt;b&gt;P2&lt;/b&gt;" in text


# --------------------------------------------------------------------------- pieces
def test_inconclusive_and_partial_month_say_what_is_missing() -> None:
    from beian_audit.sampling import VerificationProgress

    frame = pd.DataFrame({"provider_id": ["A"] * 20 + ["B"] * 20, "ok": [1] * 31 + [0] * 9})
    est = estimate_proportion(frame, "ok", by="provider_id")
    assessment = ba.assess_target(est, 0.75)
    assert assessment.status == "inconclusive"  # 31/40 = 0.775, interval straddles 0.75
    month = SimpleNamespace(
        month="2013-07", estimates={"sponsor_accuracy": est},
        assessments={"sponsor_accuracy": assessment}, targets={"sponsor_accuracy": 0.75},
        progress={"sponsor_ok": VerificationProgress(outcome="sponsor_ok", n_drawn=45,
                                                     n_verified=40, missing_keys=("W1",) * 5)},
    )  # fmt: skip
    text = render_html_report(month)
    card = text.split('id="card-sponsor_accuracy"', 1)[1].split("</article>", 1)[0]
    assert "尚无法证明" in card
    need = int(np.ceil(assessment.additional_n_needed))
    assert f"还需追加样本约 {need:,} 个" in card
    assert "部分结果：已核验 40 / 45" in card
    assert "2013-07" in text and "未提供统计表" in text and "未提供接入网站名单" in text


def test_unfiled_rank_intervals_match_the_two_normal_closed_form() -> None:
    # A above B with probability Phi(d / sqrt(sA^2 + sB^2)), from two independent normals
    def prob_a_first(d: float, s: float) -> float:
        return float(stats.norm.cdf(d / np.sqrt(2 * s**2)))

    sure = pd.DataFrame({"provider_id": ["A", "B"], "unfiled": [130.0, 100.0], "se": [10.0] * 2})
    assert prob_a_first(30, 10) > 0.98  # 0.983: A is first in more than 97.5 % of draws
    out = unfiled_rank_intervals(sure, rng=7, n_sim=20000)
    assert out[["rank_low", "rank_high"]].values.tolist() == [[1, 1], [2, 2]]
    close = sure.assign(unfiled=[115.0, 100.0])
    assert 0.025 < 1 - prob_a_first(15, 10) < 0.975  # 0.144: B first in some draws
    out = unfiled_rank_intervals(close, rng=7, n_sim=20000)
    assert out[["rank_low", "rank_high"]].values.tolist() == [[1, 2], [1, 2]]
    assert out["rank"].tolist() == [1, 2]


def test_sampled_accessed_sites_give_rank_intervals(demo: tuple[Any, Path]) -> None:
    result = demo[0]
    accessed = ba.load_accessed_sites().drop(columns=["truth_filed"])
    rate = ba.filing_rate(accessed, result.filings, sample_size=1500, seed=11)
    assert rate.mode == "sample"
    month = SimpleNamespace(**{k: getattr(result, k) for k in
                               ("month", "estimates", "assessments", "targets", "sample",
                                "outcomes", "filings", "progress")}, filing_rate=rate)  # fmt: skip
    text = render_html_report(month)
    table = text.split('id="unfiled-ranking"', 1)[1].split("</table>", 1)[0]
    assert "名次区间" in table and "随机种子 2013" in text
    intervals = re.findall(r"<td>(\d+)–(\d+)</td>", table)
    assert intervals and all(int(a) <= int(b) for a, b in intervals)


def test_verification_by_stratum_counts_by_hand() -> None:
    outcomes = pd.DataFrame({
        "stratum": ["A", "A", "A", "B", "B"],
        "sponsor_ok": pd.array([True, None, False, None, True], dtype="boolean"),
        "access_ok": pd.array([True, True, None, None, None], dtype="boolean"),
    })  # fmt: skip
    sizes = pd.DataFrame({"stratum": ["A", "B", "C"], "N": [30, 20, 5], "n": [3, 2, 1]})
    got = verification_by_stratum(outcomes, sizes=sizes).set_index("stratum")
    # A: 3 drawn, sponsor 2, access 2, no outcome at all: none; B: 2 drawn, 1, 0, one
    assert got.loc["A", ["n_drawn", "verified_sponsor_ok", "verified_access_ok",
                         "nonresponse"]].tolist() == [3, 2, 2, 0]  # fmt: skip
    assert got.loc["B", ["n_drawn", "verified_sponsor_ok", "verified_access_ok",
                         "nonresponse"]].tolist() == [2, 1, 0, 1]  # fmt: skip
    assert got.loc["B", "nonresponse_rate"] == 0.5
    assert got.loc["C", "n_planned"] == 1 and pd.isna(got.loc["C", "n_drawn"])


def test_trend_section_with_a_panel_projects_to_the_year_end() -> None:
    result = SimpleNamespace(month="2013-05", estimates={}, assessments={},
                             targets={"sponsor_accuracy": 0.75})  # fmt: skip
    months = {f"2013-{m:02d}": pd.DataFrame({"ok": [1] * (60 + 2 * m) + [0] * (40 - 2 * m)})
              for m in range(1, 6)}  # fmt: skip
    panel = monthly_panel({k: estimate_proportion(v, "ok") for k, v in months.items()})
    text = render_html_report(result, panels={"sponsor_accuracy": panel})
    trend = text.split('<section id="trend"', 1)[1].split("</section>", 1)[0]
    projection = panel.projection(0.75, month="2013-12")
    verdict = {"on_track": "有望达标", "off_track": "难以达标", "uncertain": "不确定"}
    assert "2013-12" in trend and verdict[projection.verdict] in trend
    assert 'id="trend-sponsor_accuracy"' in trend and "<svg" in trend
    assert trend.count("<tr>") == 1 + 5  # header + five months
    short = monthly_panel({k: estimate_proportion(v, "ok") for k, v in
                           list(months.items())[:2]})  # fmt: skip
    assert "少于 3 个月" in render_html_report(result, panels={"sponsor_accuracy": short})
    with pytest.raises(ArgumentError, match="panels"):
        render_html_report(result, panels=[panel])  # type: ignore[arg-type]


def test_report_cli_option_writes_report_html(tmp_path: Path) -> None:
    from beian_audit.cli import main

    registry = ba.generate_registry(800, seed=5)
    path = tmp_path / "registry.parquet"
    ba.write_filings(registry, path, reveal=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["report", "--registry", str(path), "--out", str(tmp_path / "out"),
                     "--html", "--language", "en"]) == 0  # fmt: skip
        assert main(["report", "--registry", str(path), "--out", str(tmp_path / "plain")]) == 0
    text = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert '<html lang="en">' in text and "Sponsor-information accuracy" in text
    assert not (tmp_path / "plain" / "report.html").exists()


# --------------------------------------------------------------------------- Chromium
def chromium_path() -> str:
    for name in (os.environ.get("BEIAN_CHROMIUM"), "chromium", "chromium-browser",
                 "google-chrome"):  # fmt: skip
        found = shutil.which(name) if name else None
        if found:
            return found
    pytest.fail(f"Chromium is not installed: {INSTALL_HINT}", pytrace=False)


class DevTools:
    """Chromium's DevTools protocol over --remote-debugging-pipe (fd 3 in, fd 4 out)."""

    def __init__(self, executable: str, profile: Path) -> None:
        read_cmd, self._write = os.pipe()
        self._read, write_res = os.pipe()

        def child_fds() -> None:
            a, b = os.dup(read_cmd), os.dup(write_res)
            os.dup2(a, 3, inheritable=True)
            os.dup2(b, 4, inheritable=True)

        self.proc = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu",
             "--remote-debugging-pipe", f"--user-data-dir={profile}", "--no-first-run",
             "--no-default-browser-check", "--hide-scrollbars", "--mute-audio",
             "--window-size=1280,2000", "about:blank"],
            preexec_fn=child_fds, close_fds=False, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(read_cmd)
        os.close(write_res)
        self.inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.events: list[dict[str, Any]] = []
        self._id = 0
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self) -> None:
        buffer = b""
        while chunk := os.read(self._read, 1 << 16):
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                self.inbox.put(json.loads(raw))
        self.inbox.put(None)

    def _next(self, deadline: float) -> dict[str, Any]:
        message = self.inbox.get(timeout=max(0.05, deadline - time.monotonic()))
        if message is None:
            raise RuntimeError("Chromium exited")
        return message

    def send(self, method: str, params: dict[str, Any] | None = None, *,
             session: str | None = None, timeout: float = 20.0) -> dict[str, Any]:
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._next(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply["result"])
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 20.0) -> None:
        if any(e.get("method") == method for e in self.events):
            return
        deadline = time.monotonic() + timeout
        while True:
            event = self._next(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                event = self.inbox.get(timeout=0.05)
            except queue.Empty:
                continue
            if event is not None:
                self.events.append(event)

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except (RuntimeError, queue.Empty):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._write)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    tools = DevTools(chromium_path(), tmp_path_factory.mktemp("profile"))
    yield tools
    tools.close()


def load(tools: DevTools, path: Path) -> tuple[str, dict[str, Any]]:
    """Open ``path`` in a new tab: the session and what the page did."""
    target = tools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = tools.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
        "sessionId"]
    for domain in ("Runtime", "Log", "Network", "Page"):
        tools.send(f"{domain}.enable", session=session)
    tools.send("Emulation.setDeviceMetricsOverride",
               {"width": 1280, "height": 2000, "deviceScaleFactor": 1, "mobile": False},
               session=session)  # fmt: skip
    start = len(tools.events)
    tools.send("Page.navigate", {"url": path.resolve().as_uri()}, session=session)
    tools.wait_for("Page.loadEventFired")
    tools.drain(0.5)  # late console messages and requests
    mine = [e for e in tools.events[start:] if e.get("sessionId") == session]
    errors = [e["params"] for e in mine if
              e["method"] == "Runtime.exceptionThrown"
              or (e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] in
                  {"error", "assert"})
              or (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")]
    requests = [e["params"]["request"]["url"] for e in mine
                if e["method"] == "Network.requestWillBeSent"]  # fmt: skip
    failed = [e["params"] for e in mine if e["method"] == "Network.loadingFailed"]
    return session, {"errors": errors, "requests": requests, "failed": failed}


def evaluate(tools: DevTools, session: str, expression: str) -> Any:
    reply = tools.send("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                       session=session)  # fmt: skip
    assert "exceptionDetails" not in reply, reply
    return reply["result"].get("value")


def test_detector_sees_console_errors_and_outside_requests(browser: DevTools,
                                                           tmp_path: Path) -> None:
    """The browser checks below would catch a bad page (so their silence means something)."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html lang='en'><head><title>x</title></head><body>"
                   "<img src='http://192.0.2.1/x.png' alt=''><script>console.error('boom')"
                   "</script></body></html>", "utf-8")  # fmt: skip
    _, seen = load(browser, bad)
    assert any("boom" in json.dumps(e) for e in seen["errors"])
    assert any(url.startswith("http://192.0.2.1") for url in seen["requests"])


def test_demo_report_in_headless_chromium(browser: DevTools, demo: tuple[Any, Path],
                                          tmp_path: Path) -> None:
    from PIL import Image

    result, path = demo
    session, seen = load(browser, path)
    assert seen["errors"] == []
    assert seen["requests"] == [path.resolve().as_uri()]  # the file itself, nothing else
    assert all(u.startswith(("file://", "data:")) for u in seen["requests"])
    assert seen["failed"] == []
    dom = evaluate(browser, session, """JSON.stringify({
        lang: document.documentElement.lang,
        rows: Array.from(document.querySelectorAll('#statistics-table tbody tr'))
                   .map(r => r.getAttribute('data-row')),
        labels: Array.from(document.querySelectorAll('#statistics-table tbody th[scope=row]'))
                   .map(th => th.textContent),
        verdicts: Object.fromEntries(Array.from(document.querySelectorAll('.card'))
                   .map(c => [c.querySelector('h3').id, c.querySelector('.badge').textContent])),
        svgs: document.querySelectorAll('svg[role=img][aria-label]').length,
        height: document.documentElement.scrollHeight})""")
    dom = json.loads(dom)
    assert dom["lang"] == "zh-CN"
    assert dom["rows"] == [str(i) for i in range(1, 19)]
    assert dom["labels"] == [row.item_zh for row in ROWS]
    for name, assessment in result.assessments.items():
        assert dom["verdicts"][f"card-{name}"] == STATUS_ZH[assessment.status]
    assert dom["svgs"] >= 2 and dom["height"] > 2000
    # the inline script sorts: two clicks on "未备案网站数" put the largest count first
    order = evaluate(browser, session, """(() => {
        const t = document.querySelector('#unfiled-ranking');
        const col = Array.from(t.tHead.rows[0].cells).findIndex(
            th => th.textContent.includes('未备案网站数'));
        const b = t.tHead.rows[0].cells[col].querySelector('button');
        b.click(); b.click();
        return [t.tHead.rows[0].cells[col].getAttribute('aria-sort'),
                Array.from(t.tBodies[0].rows).map(r => Number(r.cells[col].dataset.sort))];
    })()""")
    assert order[0] == "descending" and order[1] == sorted(order[1], reverse=True)
    shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
    png = base64.b64decode(shot["data"])
    (tmp_path / "report.png").write_bytes(png)
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    assert pixels.shape == (2000, 1280)
    assert pixels.std() > 10  # not blank
    assert (pixels < 128).mean() > 0.01  # text and figures drawn, not an empty white page
