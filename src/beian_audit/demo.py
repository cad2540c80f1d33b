"""The main job on the bundled synthetic registry (``make demo``, ``beian-audit demo``).

Runs :func:`beian_audit.spotcheck.run_spot_check` on the bundled registry, its
provider table and accessed-site list, with the verification outcomes taken from
the synthetic ground truth, and writes every report file under ``out``, the
one-page ``report.html`` included.

The province's month also runs through an audit ledger
(:class:`~beian_audit.ledger.Ledger`, the SQLite file ``beian-audit.db`` under
``out``): the previous month and the reporting month are opened on the
registry as it stood at the end of each
(:func:`~beian_audit.synthetic.operations.registry_history`), drawn, their
worksheets filled by two verifiers from the synthetic truth (a few sites
unreachable) and imported; the province's review and enquiry log,
enforcement events, blacklist and providers' integration status
(:func:`~beian_audit.synthetic.operations.operations_log`) are recorded. The
statistics table is then read from the ledger, every one of its 18 rows
filled, and ``report.html`` shows the two months' trend
(:meth:`Ledger.panels <beian_audit.ledger.Ledger.panels>`).

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     result = run_demo(d)
...     sorted(p.name for p in Path(d).iterdir())[:3]
['beian-audit.db', 'check_summary.csv', 'estimates_by_provider.csv']
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from beian_audit.spotcheck import REPORT_FILES, SpotCheckResult, run_spot_check, write_spot_check

__all__ = ["DEMO_FILES", "DEMO_LEDGER", "VERIFIERS", "demo_province", "run_demo"]

#: The ledger file the demo writes under its output directory.
DEMO_LEDGER = "beian-audit.db"
#: Every file the demo writes.
DEMO_FILES: tuple[str, ...] = (*REPORT_FILES, DEMO_LEDGER)
#: The demo's two verifiers (one worksheet each).
VERIFIERS: tuple[str, ...] = ("张核查", "李核查")


def run_demo(
    out: str | Path = "reports",
    *,
    seed: int = 2013,
    month: str = "2013-05",
    province: str | None = None,
    progress: bool = False,
) -> SpotCheckResult:
    """Run the monthly spot check on the bundled registry and write the reports.

    Parameters
    ----------
    out : path, default "reports"
        Output directory (created).
    seed : int, default 2013
        Seed of the sample draw (and of the synthetic operations).
    month : str, default "2013-05"
        Reporting month; the ledger also holds the month before it.
    province : str, optional
        Province of the statistics table and of the ledger (default:
        :func:`demo_province`, the province with the most access providers).
    progress : bool, default False
        Progress bars.

    Returns
    -------
    SpotCheckResult
    """
    from beian_audit.synthetic import load_accessed_sites, load_providers, load_synthetic_registry

    registry = load_synthetic_registry()
    providers = load_providers()
    accessed = load_accessed_sites().drop(columns=["truth_filed"])  # what a centre observes
    result = run_spot_check(
        registry,
        providers=providers,
        accessed_sites=accessed,
        seed=seed,
        month=month,
        progress=progress,
    )
    if province is None:
        province = demo_province(result.filings, providers)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{DEMO_LEDGER}.", suffix=".tmp", dir=out)
    os.close(fd)
    staged = Path(name)
    staged.unlink()  # the ledger creates it, owner-only
    try:
        table, panels = record_demo_ledger(
            staged, registry, providers, accessed, province=province, month=month, seed=seed)
        write_spot_check(result, out, providers=providers, accessed_sites=accessed,
                         province=province, html=True, table=table, panels=panels)
        os.replace(staged, out / DEMO_LEDGER)
    finally:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{staged}{suffix}").unlink()
    return result


def demo_province(registry: pd.DataFrame, providers: pd.DataFrame) -> str:
    """The demo's province: the one with the most access providers at home.

    Rows 5–7 and 10 of the statistics table count the province's providers
    (integrated or not, spot-checked), so the demo shows a province with
    several of them: the most providers hosting filings of ``registry``;
    among equals, the one whose providers host the most filings (then the
    name, for a fixed choice).

    Returns the province's name as in ``providers["home_province"]``.

    Examples
    --------
    >>> from beian_audit.synthetic import load_providers, load_synthetic_registry
    >>> demo_province(load_synthetic_registry(), load_providers())
    '上海市'
    """
    homes = registry["provider_id"].astype(str).map(
        providers.assign(provider_id=providers["provider_id"].astype(str))
        .set_index("provider_id")["home_province"])
    hosting = pd.DataFrame({"province": homes, "provider_id": registry["provider_id"]}).dropna()
    ranked = (hosting.groupby("province", sort=False)
              .agg(providers=("provider_id", "nunique"), filings=("provider_id", "size"))
              .reset_index()
              .sort_values(["providers", "filings", "province"],
                           ascending=[False, False, True], kind="stable"))
    return str(ranked["province"].iloc[0])


def record_demo_ledger(
    path: str | Path,
    registry: pd.DataFrame,
    providers: pd.DataFrame,
    accessed_sites: pd.DataFrame,
    *,
    province: str,
    month: str = "2013-05",
    seed: int = 2013,
    n_months: int = 2,
) -> tuple[Any, dict[str, Any]]:
    """Record ``n_months`` months of a province (ending with ``month``) in a ledger.

    Returns the reporting month's statistics table and the panels, both read
    from the ledger at ``path``.
    """
    from beian_audit.ledger import Ledger
    from beian_audit.synthetic.operations import operations_log, registry_history

    last = pd.Period(month, freq="M")
    months = [str(last - k) for k in range(n_months - 1, -1, -1)]
    history = registry_history(registry, months)
    ops = operations_log(providers, province, months, seed=seed, registry=registry)
    from beian_audit._provinces import province_codes

    homes = province_codes(providers["home_province"].astype(object))
    local = set(providers.loc[(homes == ops.province).to_numpy(), "provider_id"].astype(str))
    with Ledger.open(path) as ledger, tempfile.TemporaryDirectory() as sheets:
        for row in _records(ops.integration):
            ledger.set_integration_status(row["provider_id"], row["status"], row["as_of"],
                                          province=row["province"], actor="demo")
        for i, m in enumerate(months):
            frame = history[m]
            handle = ledger.open_month(frame[frame["provider_id"].astype(str).isin(local)], m,
                                       ops.province, source=f"synthetic registry at the end "
                                       f"of {m}", strata="provider_id", allocation="tianjin",
                                       actor="demo")
            handle.record_accessed_sites(accessed_sites, registry=frame)
            drawn = handle.draw(seed=seed, out_dir=Path(sheets) / m, split="verifier",
                                verifiers=list(VERIFIERS), actor="demo")
            for j, sheet in enumerate(drawn.worksheets["file"]):
                _fill_from_truth(Path(sheet), registry, month=m, seed=seed + 100 * i + j,
                                 verifier=VERIFIERS[j % len(VERIFIERS)])
                handle.import_outcomes(sheet, actor="demo")
            _record_logs(ledger, ops, m)
            if m != months[-1]:
                handle.close(actor="demo")
        table = ledger.statistics_table(months[-1], ops.province)
        panels = ledger.panels(ops.province)
    return table, panels


def _record_logs(ledger: Any, ops: Any, month: str) -> None:
    """The month's review log, enforcement events and blacklist entries."""
    period = pd.Period(month, freq="M")

    def within(dates: pd.Series) -> pd.Series:
        return pd.to_datetime(dates).dt.to_period("M") == period

    for row in _records(ops.review_log[within(ops.review_log["date"])]):
        ledger.add_review(row["kind"], row["date"], quantity=int(row["quantity"]),
                          province=row["province"], actor="demo")
    for row in _records(ops.enforcement[within(ops.enforcement["date"])]):
        ledger.add_enforcement_event(row["kind"], row["date"], province=row["province"],
                                     provider_id=row["provider_id"], unit_key=row["unit_key"],
                                     authority=row["authority"], actor="demo")
    for row in _records(ops.blacklist[ops.blacklist["month"] == month]):
        ledger.add_blacklist_entry(row["kind"], row["value"], listed_on=row["listed_on"],
                                   month=month, province=row["province"], reason="违规网站",
                                   actor="demo")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): (None if v is None or v is pd.NA or (isinstance(v, float) and v != v)
                      else v) for k, v in r.items()} for r in frame.to_dict(orient="records")]


def _fill_from_truth(path: Path, registry: pd.DataFrame, *, month: str, seed: int,
                     verifier: str) -> None:
    """Fill a worksheet as its verifier would: 是/否 from the truth, a few unreachable."""
    import openpyxl

    from beian_audit.sampling.worksheet import DATA_START_ROW, MAIN_SHEET
    from beian_audit.synthetic.operations import verification_outcomes

    book = openpyxl.load_workbook(path)
    sheet = book[MAIN_SHEET]
    header = {c.value: c.column for c in sheet[1] if c.value}
    keys = [sheet.cell(row=r, column=1).value for r in range(DATA_START_ROW, sheet.max_row + 1)]
    rows = [(r, str(k)) for r, k in enumerate(keys, start=DATA_START_ROW) if k is not None]
    found = verification_outcomes(pd.DataFrame({"website_id": [k for _, k in rows]}), registry,
                                  seed=seed, month=month).set_index("website_id")

    def word(value: Any) -> str | None:
        return None if value is pd.NA or value is None else ("是" if value else "否")

    for r, key in rows:
        got = found.loc[key]
        sheet.cell(row=r, column=header["sponsor_info_correct"]).value = word(got["sponsor_ok"])
        sheet.cell(row=r, column=header["access_info_correct"]).value = word(got["access_ok"])
        sheet.cell(row=r, column=header["reason"]).value = got["reason"]
        sheet.cell(row=r, column=header["checked_by"]).value = verifier
        day = got["checked_on"]
        sheet.cell(row=r, column=header["checked_on"]).value = (
            day if isinstance(day, dt.date) else None)
    book.save(path)
