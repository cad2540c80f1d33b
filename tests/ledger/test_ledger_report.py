"""The monthly report written from a ledger month (#14 ``report``, #16).

A small two-month world of one province (广西, its two access providers; a
month of 60 drawn filings each) is recorded in a ledger once on SQLite and
once on PostgreSQL and shared by the tests of this module: April verified in
full and closed; May with three unreachable filings, one refusal and a batch
still pending. The month of June is opened and drawn, nothing more.

References other than the code under test:

* the verdicts and estimates on the page are :meth:`Ledger.status`'s (the
  brief's contract), and the MAR estimate is recomputed here from the
  outcomes this module wrote by the weighting-class adjustment (Lohr 2019,
  §8.5.1) in ratio form: respondents of stratum h weighted
  (N_h / n_h) · (m_h / r_h), m_h the filings with a final outcome and r_h the
  respondents, pending filings left out;
* the filing rate and the top-ten ranking are recomputed from the
  accessed-site list itself (never through the ledger): each site matched
  against the registry with :func:`~beian_audit.reporting.match_accessed_sites`,
  then counted by hand per provider; the rate is 1 − unfiled / accessed;
* progress per stratum is counted by hand from the outcomes written;
* the 18 rows are :meth:`Ledger.statistics_table`'s and the 18 labels those
  of the seed form (``statistics_table.ROWS``);
* the privacy scan looks for every raw ID number, mobile and e-mail of the
  registry (≥ 8 characters) in every file written, the XLSX unzipped.

The browser check drives headless Chromium through the DevTools protocol with
the helpers of ``tests/test_reporting_html.py`` (loaded by path: the suite
runs with ``--import-mode=importlib``).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import importlib.util
import io
import json
import re
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import beian_audit as ba
from beian_audit.cli import main
from beian_audit.errors import ArgumentError, OutputExistsError, PeriodStateError
from beian_audit.ledger import Ledger
from beian_audit.ledger.monthly_report import write_month_report
from beian_audit.privacy import leaked_values
from beian_audit.reporting import ROWS, write_html_report
from beian_audit.reporting.rankings import match_accessed_sites

PROVINCE, CODE = "广西", "450000"
LOCAL = ("P0019", "P0020")
SEED = 7
STATUS_ZH = {"met": "达标", "not_met": "未达标", "inconclusive": "尚无法证明",
             "no_target": "未设目标"}
PERSONAL = ("sponsor_cert_number", "sponsor_principal_id_number", "sponsor_principal_mobile",
            "sponsor_principal_phone", "sponsor_principal_email", "website_principal_id_number",
            "website_principal_mobile", "website_principal_phone", "website_principal_email")


def _load(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: The browser, page and privacy helpers of the HTML report's tests.
H = _load(Path(__file__).resolve().parents[1] / "test_reporting_html.py", "_report_html_helpers")
#: ``fill_worksheet`` of this directory's conftest (a module-scoped fixture needs it directly).
C = _load(Path(__file__).resolve().parent / "conftest.py", "_ledger_conftest_helpers")


# ----------------------------------------------------------------------------- the world
@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    registry = ba.load_synthetic_registry()
    registry = registry[registry["provider_id"].astype(str).isin(LOCAL)].reset_index(drop=True)
    accessed = ba.load_accessed_sites().drop(columns=["truth_filed"])
    accessed = accessed[accessed["provider_id"].astype(str).isin(LOCAL)].reset_index(drop=True)
    return {"registry": registry, "accessed": accessed}


def _keys(path: Path) -> list[str]:
    import openpyxl

    ws = openpyxl.load_workbook(path, read_only=True)["抽查核验"]
    return [str(r[0]) for r in ws.iter_rows(min_row=3, values_only=True) if r[0] is not None]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def month_ledger(request: pytest.FixtureRequest, world: dict[str, Any],
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two months of 广西 in a ledger (April complete and closed, May in progress)."""
    base = tmp_path_factory.mktemp("report")
    location = (str(base / "audit.db") if request.param == "sqlite"
                else request.getfixturevalue("postgres_server").create_database())
    registry, accessed = world["registry"], world["accessed"]
    truth = registry.set_index("website_id")[["truth_sponsor_ok", "truth_access_ok"]]
    written: dict[str, dict[str, tuple[Any, Any, str | None]]] = {}
    with Ledger.open(location) as ledger, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for provider in LOCAL:
            ledger.set_integration_status(provider, "integrated", "2013-01-15",
                                          province=PROVINCE, actor="test")
        for month, day, seed in (("2013-04", 20, SEED), ("2013-05", 21, SEED + 1)):
            handle = ledger.open_month(registry, month, PROVINCE, n=60, actor="test")
            handle.record_accessed_sites(accessed, registry=registry)
            drawn = handle.draw(seed=seed, out_dir=base / month, actor="test")
            sheet = Path(drawn.worksheets["file"].iloc[0])
            keys = _keys(sheet)
            outcomes = {k: (bool(truth.loc[k, "truth_sponsor_ok"]),
                            bool(truth.loc[k, "truth_access_ok"]), None) for k in keys}
            if month == "2013-05":  # 3 unreachable, 1 refused, the last 8 pending
                for k in keys[:3]:
                    outcomes[k] = (None, None, "phone_unreachable")
                outcomes[keys[3]] = (None, None, "refused")
                for k in keys[-8:]:
                    del outcomes[k]
            written[month] = outcomes
            C.fill_worksheet(sheet, outcomes, checked_on=dt.date(2013, int(month[-2:]), day))
            handle.import_outcomes(sheet, actor="test")
            ledger.add_review("review", f"{month}-10", quantity=40, province=PROVINCE)
            ledger.add_review("enquiry", f"{month}-11", quantity=7, province=PROVINCE)
            ledger.add_enforcement_event("interview", f"{month}-12", province=PROVINCE,
                                         provider_id=LOCAL[0])
            ledger.add_enforcement_event("penalty", f"{month}-13", province=PROVINCE,
                                         provider_id=LOCAL[1])
            ledger.add_enforcement_event("closure_local", f"{month}-14", province=PROVINCE)
            ledger.add_enforcement_event("closure_ministry", f"{month}-15", province=PROVINCE)
            ledger.add_blacklist_entry("domain", f"bad{month[-2:]}.example.cn",
                                       listed_on=f"{month}-16", month=month,
                                       province=PROVINCE, reason="违规网站")
            if month == "2013-04":
                handle.close(actor="test")
        ledger.open_month(registry, "2013-06", PROVINCE, n=30).draw(seed=SEED + 2,
                                                                   out_dir=base / "2013-06")
    with Ledger.open(location) as ledger:
        yield {"ledger": ledger, "location": location, "written": written, "base": base}


@pytest.fixture(scope="module")
def may(month_ledger: dict[str, Any]) -> dict[str, Any]:
    """The report of May (in progress) written once per backend."""
    ledger = month_ledger["ledger"]
    out = month_ledger["base"] / "may"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = ledger.report_data("2013-05", PROVINCE)
        report = write_month_report(data, out)
    return {"report": report, "data": data, "out": out,
            "status": ledger.status("2013-05", PROVINCE),
            "text": (out / "report.html").read_text("utf-8")}


def _card(text: str, name: str) -> str:
    return text.split(f'id="card-{name}"', 1)[1].split("</article>", 1)[0]


# ----------------------------------------------------------------------------- the files
def test_the_report_writes_every_file_and_lists_them(may: dict[str, Any]) -> None:
    report, out = may["report"], may["out"]
    assert sorted(report.files) == ["html", "statistics_csv", "statistics_json",
                                    "statistics_xlsx", "status", "unfiled_ranking"]
    assert {p.name for p in out.iterdir()} == {Path(p).name for p in report.files.values()}
    assert all(p.parent == out and p.stat().st_size > 0 for p in report.files.values())
    assert not report.complete  # May still has pending filings
    assert report.to_frame()["name"].tolist() == list(report.files)
    status = json.loads((out / "status.json").read_text("utf-8"))
    assert status["verdicts"] == may["status"].verdicts
    assert status["report"]["verdicts"] == report.verdicts
    assert status["complete"] is False
    table = json.loads((out / "statistics_table.json").read_text("utf-8"))
    assert [r["no"] for r in table["records"]] == list(range(1, 19))
    csv = pd.read_csv(out / "statistics_table.csv")
    assert len(csv) == 18


def test_the_18_rows_are_the_ledgers_table(may: dict[str, Any],
                                          month_ledger: dict[str, Any]) -> None:
    table = month_ledger["ledger"].statistics_table("2013-05", PROVINCE)
    assert table.missing_inputs == ()
    written = json.loads((may["out"] / "statistics_table.json").read_text("utf-8"))
    assert written == json.loads(json.dumps(table.to_dict()))
    assert H.statistics_rows(may["text"]) == [str(i) for i in range(1, 19)]
    form = may["text"].split('id="statistics-table"', 1)[1].split("</table>", 1)[0]
    for row in ROWS:
        assert html.escape(row.item_zh) in form
    # rows 3, 4, 14–18 from the logs this module recorded (May only)
    values = {r["no"]: r["value"] for r in written["records"]}
    assert (values[3], values[4], values[14], values[15], values[16], values[17],
            values[18]) == (40, 7, 1, 1, 1, 1, 1)


# ----------------------------------------------------------------------------- verdicts
def test_the_verdicts_on_the_page_are_the_status(may: dict[str, Any],
                                                month_ledger: dict[str, Any]) -> None:
    status, text = may["status"], may["text"]
    assert status.verdicts  # the sponsor target (0.75) is assessed
    for aspect, verdict in status.verdicts.items():
        card = _card(text, f"{aspect}_accuracy")
        assert f'class="badge {verdict}"' in card and STATUS_ZH[verdict] in card
        estimate = status.estimates[aspect]
        assert f"{estimate.estimate * 100:.2f}%" in card
        assert f"[{estimate.ci.low * 100:.2f}%, {estimate.ci.high * 100:.2f}%]" in card
    assert may["report"].verdicts["sponsor_accuracy"] == status.verdicts["sponsor"]
    # pending filings, nonresponse and the stopping advice are said on the card
    sponsor = _card(text, "sponsor_accuracy")
    assert "尚有 8 / 60 个抽中网站待核验" in sponsor
    assert "无应答（无法联系或拒绝）4 个" in sponsor
    # under another rule the page follows the status again
    data = month_ledger["ledger"].report_data("2013-05", PROVINCE, nonresponse="worst")
    worst = month_ledger["ledger"].status("2013-05", PROVINCE, nonresponse="worst")
    assert data.verdicts["sponsor_accuracy"] == worst.verdicts["sponsor"]
    assert data.estimates["sponsor_accuracy"].estimate == pytest.approx(
        worst.estimates["sponsor"].estimate, abs=1e-12)


def test_the_mar_estimate_is_the_weighting_class_closed_form(
        may: dict[str, Any], month_ledger: dict[str, Any]) -> None:
    ledger, written = month_ledger["ledger"], month_ledger["written"]["2013-05"]
    sample = ledger.sample("2013-05", PROVINCE)
    sizes = sample.groupby("stratum")["population_size"].first()
    # Respondents of stratum h carry the whole stratum, N_h / r_h each (r_h:
    # respondents): its nonrespondents (missing at random within the stratum) and
    # its pending filings (verification runs in PRN order, so the resolved filings
    # of a stratum are a simple random sample of it). Lohr 2019, sect. 8.5.1.
    top = bottom = 0.0
    for stratum, keys in sample.groupby("stratum")["website_id"]:
        words = [written.get(k) for k in keys]
        answered = [w[0] for w in words if w is not None and w[0] is not None]
        weight = sizes[stratum] / len(answered)
        top += weight * sum(answered)
        bottom += weight * len(answered)
    data = may["data"]
    assert data.estimates["sponsor_accuracy"].estimate == pytest.approx(top / bottom, abs=1e-12)
    assert may["status"].estimates["sponsor"].estimate == pytest.approx(top / bottom,
                                                                        abs=1e-12)
    # the forest plot's providers are the sampled ones
    by = data.estimates["sponsor_accuracy"].by
    assert sorted(by["provider_id"].astype(str)) == sorted(LOCAL)


def test_the_filing_rate_and_ranking_come_from_the_accessed_sites(
        may: dict[str, Any], world: dict[str, Any]) -> None:
    matched = match_accessed_sites(world["accessed"], world["registry"])
    flags = pd.DataFrame({"provider_id": world["accessed"]["provider_id"].astype(str),
                          "unfiled": (~matched["filed"].astype("boolean")).fillna(False)})
    per = flags.groupby("provider_id")["unfiled"].agg(["size", "sum"])
    rate = 1 - per["sum"].sum() / per["size"].sum()
    card = _card(may["text"], "filing_rate")
    assert f"{rate * 100:.2f}%" in card and "全量统计" in card
    verdict = "met" if rate >= 0.995 else "not_met"  # a census: no sampling error
    assert f'class="badge {verdict}"' in card
    ranking = pd.read_csv(may["out"] / "unfiled_ranking.csv")
    expected = per[per["sum"] > 0].sort_values("sum", ascending=False)
    assert ranking["provider_id"].tolist() == expected.index.tolist()
    assert ranking["n_unfiled"].tolist() == expected["sum"].tolist()
    assert ranking["n_accessed"].tolist() == expected["size"].tolist()
    section = may["text"].split('<section id="unfiled"', 1)[1].split("</section>", 1)[0]
    assert 'id="unfiled-ranking"' in section


def test_progress_and_nonresponse_per_stratum(may: dict[str, Any],
                                             month_ledger: dict[str, Any]) -> None:
    ledger, written = month_ledger["ledger"], month_ledger["written"]["2013-05"]
    sample = ledger.sample("2013-05", PROVINCE)
    section = may["text"].split('<section id="progress"', 1)[1].split("</section>", 1)[0]
    table = section.split('id="verification-progress-sponsor"', 1)[1].split("</table>", 1)[0]
    for stratum, keys in sample.groupby("stratum")["website_id"]:
        words = [written.get(k) for k in keys]
        unreachable = sum(w is not None and w[2] == "phone_unreachable" for w in words)
        refused = sum(w is not None and w[2] == "refused" for w in words)
        pending = sum(w is None for w in words)
        verified = len(keys) - unreachable - refused - pending
        row = table.split(f">{stratum}</th>", 1)[1].split("</tr>", 1)[0]
        cells = [int(c.replace(",", "")) for c in re.findall(r">([\d,]+)</td>", row)]
        # N, n, verified, correct, incorrect, unreachable, refused, pending
        assert cells[1:3] == [len(keys), verified], stratum
        assert cells[5:8] == [unreachable, refused, pending], stratum
    assert "主体信息：抽中 60 个" in section and "待核验 8 个" in section


def test_the_trend_reads_the_months_up_to_the_report(may: dict[str, Any],
                                                    month_ledger: dict[str, Any]) -> None:
    trend = may["text"].split('<section id="trend"', 1)[1].split("</section>", 1)[0]
    assert "2013-04" in trend and "2013-05" in trend and "面板仅有 2 个月" in trend
    april = month_ledger["ledger"].report_data("2013-04", PROVINCE)
    assert {tuple(p.months) for p in april.panels.values()} == {("2013-04",)}
    assert april.period_status == "closed" and april.month_status.complete


def test_the_methodology_is_the_recorded_manifest(may: dict[str, Any],
                                                 month_ledger: dict[str, Any]) -> None:
    manifest = month_ledger["ledger"].manifest("2013-05", PROVINCE)
    snapshot = month_ledger["ledger"].snapshots()
    snapshot = snapshot[snapshot["month"] == "2013-05"].iloc[0]
    method = may["text"].split('<section id="methodology"', 1)[1]
    for value in (str(manifest["seed"]), manifest["frame_fingerprint"],
                  manifest["sample_fingerprint"], manifest["library_version"],
                  snapshot["fingerprint"], "provider_id", "层内加权调整"):
        assert html.escape(str(value)) in method, value


# ----------------------------------------------------------------------------- privacy
def _texts(out: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(out.iterdir()):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                for name in book.namelist():
                    yield f"{path.name}:{name}", book.read(name).decode("utf-8", "replace")
        else:
            yield path.name, path.read_text("utf-8")


def test_no_unmasked_personal_value_in_any_file(may: dict[str, Any],
                                               world: dict[str, Any]) -> None:
    raw: set[str] = set()
    for column in PERSONAL:
        raw |= {str(v) for v in world["registry"][column].dropna() if len(str(v)) >= 8}
    assert len(raw) > 1000
    seen = 0
    for name, text in _texts(may["out"]):
        seen += 1
        assert leaked_values(text, raw) == [], name
        assert leaked_values(html.unescape(text), raw) == [], name
    assert seen >= 6


# ----------------------------------------------------------------------------- other months
def test_a_month_without_counts_or_outcomes_says_so(month_ledger: dict[str, Any],
                                                   tmp_path: Path) -> None:
    ledger = month_ledger["ledger"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = ledger.report("2013-06", PROVINCE, tmp_path, language="en")
    assert "unfiled_ranking" not in report.files
    text = (tmp_path / "report.html").read_text("utf-8")
    assert text.count("No accessed-site counts are recorded") == 2  # verdicts and ranking
    assert 'id="card-filing_rate"' not in text
    assert report.verdicts == {"sponsor_accuracy": "inconclusive"}
    assert '<html lang="en">' in text and H.statistics_rows(text) == [str(i)
                                                                     for i in range(1, 19)]


def test_write_html_report_takes_a_ledger_month(month_ledger: dict[str, Any],
                                               tmp_path: Path) -> None:
    ledger = month_ledger["ledger"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = write_html_report(ledger.month("2013-04", PROVINCE), tmp_path / "april.html")
    text = path.read_text("utf-8")
    status = ledger.status("2013-04", PROVINCE)
    card = _card(text, "sponsor_accuracy")
    assert f'class="badge {status.verdicts["sponsor"]}"' in card
    assert "待核验" not in card  # April is complete
    assert "审计账本：2013-04 广西壮族自治区（已结束）" in text


def test_bad_arguments_are_refused(month_ledger: dict[str, Any], tmp_path: Path) -> None:
    ledger = month_ledger["ledger"]
    with pytest.raises(ArgumentError, match="language"):
        ledger.report("2013-05", PROVINCE, tmp_path, language="fr")
    with pytest.raises(ArgumentError, match="unknown measure"):
        ledger.report_data("2013-05", PROVINCE, targets={"speed": 0.9})
    with pytest.raises(ArgumentError, match="nonresponse"):
        ledger.report_data("2013-05", PROVINCE, nonresponse="ignore")
    with pytest.raises(PeriodStateError, match="2013-09"):
        ledger.report("2013-09", PROVINCE, tmp_path)
    (tmp_path / "status.json").write_text("{}")
    with pytest.raises(OutputExistsError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ledger.report("2013-04", PROVINCE, tmp_path, overwrite=False, html=False)
    assert (tmp_path / "status.json").read_text() == "{}"  # nothing was moved
    assert not (tmp_path / "statistics_table.csv").exists()


# ----------------------------------------------------------------------------- CLI
def test_month_report_on_the_command_line(month_ledger: dict[str, Any], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    def call(*args: str) -> tuple[int, Any, str]:
        code = main(["month", "report", "--ledger", month_ledger["location"], *args])
        captured = capsys.readouterr()
        return code, json.loads(captured.out) if code == 0 else None, captured.err

    out = tmp_path / "reports"
    code, doc, err = call("--month", "2013-05", "--province", PROVINCE, "--out", str(out))
    assert code == 0, err
    assert set(doc["files"]) >= {"html", "statistics_xlsx", "statistics_csv",
                                 "statistics_json", "status"}
    assert all(Path(p).exists() and Path(p).parent == out for p in doc["files"].values())
    assert doc["verdicts"]["sponsor_accuracy"] == month_ledger["ledger"].status(
        "2013-05", PROVINCE).verdicts["sponsor"]
    assert "provisional" in err and not list(tmp_path.glob(".*"))  # no staging left
    before = (out / "status.json").read_text("utf-8")
    code, _, err = call("--month", "2013-04", "--province", PROVINCE, "--out", str(out))
    assert code == 2 and "--force" in err
    assert (out / "status.json").read_text("utf-8") == before
    code, doc, _ = call("--month", "2013-04", "--province", PROVINCE, "--out", str(out),
                        "--no-html", "--nonresponse", "worst", "--force")
    assert code == 0 and "html" not in doc["files"] and doc["complete"] is True
    assert json.loads((out / "status.json").read_text("utf-8"))["month"] == "2013-04"
    assert json.loads((out / "status.json").read_text("utf-8"))["nonresponse"] == "worst"
    code, _, err = call("--month", "2013-09", "--province", PROVINCE, "--out",
                        str(tmp_path / "none"))
    assert code == 2 and "2013-09" in err and not (tmp_path / "none").exists()


# ----------------------------------------------------------------------------- Chromium
@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    tools = H.DevTools(H.chromium_path(), tmp_path_factory.mktemp("profile"))
    yield tools
    tools.close()


def test_the_ledger_report_in_headless_chromium(browser: Any, may: dict[str, Any],
                                                tmp_path: Path) -> None:
    from PIL import Image

    path = may["out"] / "report.html"
    session, seen = H.load(browser, path)
    assert seen["errors"] == []
    assert seen["requests"] == [path.resolve().as_uri()]  # the file itself, nothing else
    assert seen["failed"] == []
    dom = json.loads(H.evaluate(browser, session, """JSON.stringify({
        lang: document.documentElement.lang,
        rows: Array.from(document.querySelectorAll('#statistics-table tbody tr'))
                   .map(r => r.getAttribute('data-row')),
        labels: Array.from(document.querySelectorAll('#statistics-table tbody th[scope=row]'))
                   .map(th => th.textContent),
        verdicts: Object.fromEntries(Array.from(document.querySelectorAll('.card'))
                   .map(c => [c.querySelector('h3').id, c.querySelector('.badge').textContent])),
        svgs: document.querySelectorAll('svg[role=img][aria-label]').length})"""))
    assert dom["lang"] == "zh-CN"
    assert dom["rows"] == [str(i) for i in range(1, 19)]
    assert dom["labels"] == [row.item_zh for row in ROWS]
    for aspect, verdict in may["status"].verdicts.items():
        assert dom["verdicts"][f"card-{aspect}_accuracy"] == STATUS_ZH[verdict]
    assert dom["verdicts"]["card-filing_rate"] in (STATUS_ZH["met"], STATUS_ZH["not_met"])
    assert dom["svgs"] >= 3  # two forest plots and the trend
    shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
    png = base64.b64decode(shot["data"])
    (tmp_path / "report.png").write_bytes(png)
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    assert pixels.std() > 10 and (pixels < 128).mean() > 0.01  # not blank


def test_the_filing_rate_trend_is_the_census_of_each_recorded_month(
        may: dict[str, Any], month_ledger: dict[str, Any], world: dict[str, Any]) -> None:
    # recomputed from the accessed-site list matched against the registry, not the ledger
    matched = match_accessed_sites(world["accessed"], world["registry"])
    rate = float(matched["filed"].astype("boolean").fillna(False).mean())
    panels = month_ledger["ledger"].panels(PROVINCE, until="2013-05")
    assert next(iter(panels)) == "filing_rate"  # in the order of the headline verdicts
    frame = panels["filing_rate"].to_frame()
    total = frame[frame["level"] == "total"]
    assert total["month"].astype(str).tolist() == ["2013-04", "2013-05"]
    np.testing.assert_allclose(total["estimate"].to_numpy(float), rate, rtol=1e-12)
    assert (total["note"] == "census").all()
    trend = may["text"].split('<section id="trend"', 1)[1].split("</section>", 1)[0]
    assert trend.index('id="trend-filing_rate"') < trend.index("<h3>主体信息准确率")
