"""The monthly statistics table 网站备案管理工作情况统计表 and its national roll-up.

Each provincial communications administration reports the 18-row table of the
2013 special-action plan every month. :func:`statistics_table` builds it from
the inputs the rows are defined on (registry, accessed-site list, review log,
providers, spot-check sample and estimates, enforcement log); every number is
traceable to one documented input (see :data:`ROWS` and ``docs/reporting.md``).
A row whose input is not given is empty (``NA``) and listed in
``missing_inputs`` — never a silent zero. Rows 12 and 13 (accuracy rates) come
only from design-based estimates, with their interval beside them, never from
averaged percentages; :func:`national_roll_up` sums the counts of the
provincial tables and takes the rates from the pooled national estimates.

Examples
--------
>>> import pandas as pd
>>> providers = pd.DataFrame({"provider_id": ["P1", "P2", "P3"],
...                           "home_province": ["浙江省", "浙江省", "上海市"],
...                           "integration_passed": [True, False, True]})
>>> registry = pd.DataFrame({"website_id": ["W1", "W2", "W3"], "domain": ["a.cn", "b.cn", "c.cn"],
...                          "provider_id": ["P1", "P2", "P3"],
...                          "material_uploaded": [True, False, True]})
>>> table = statistics_table(province="浙江", month=5, registry=registry, providers=providers)
>>> table.subtitle
'（2013年  5月  浙江省通信管理局）'
>>> table.value("filed_websites"), table.value("providers_integrated")
(2, 1)
>>> table.missing_inputs[:3]
('unfiled_websites', 'filings_reviewed', 'enquiries_handled')
"""

from __future__ import annotations

import calendar
import dataclasses
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from beian_audit._results import SCHEMA_VERSION, ResultMixin, jsonable
from beian_audit.errors import (
    ArgumentError,
    ArgumentKeyError,
    DataQualityWarning,
    EstimationError,
    RollUpWarning,
    SchemaError,
)
from beian_audit.estimation import ConfidenceInterval, ProportionEstimate
from beian_audit.reporting._common import (
    as_frame,
    check_choice,
    count_rows,
    province_codes,
    require_columns,
    resolve_province,
)

__all__ = [
    "ENFORCEMENT_ACTIONS",
    "NATIONAL_LABEL",
    "PERIODS",
    "PROVINCE_BY",
    "REVIEW_KINDS",
    "ROWS",
    "SUBTITLE_TEMPLATE",
    "TITLE_ZH",
    "Period",
    "ProvinceBy",
    "RollUpWarning",
    "RowDefinition",
    "StatisticsTable",
    "national_roll_up",
    "row_definitions",
    "statistics_table",
]

Period = Literal["month", "year_to_date"]
ProvinceBy = Literal["provider", "none"]
PERIODS: tuple[str, ...] = get_args(Period)
PROVINCE_BY: tuple[str, ...] = get_args(ProvinceBy)

#: The form's title, as in the seed document's attachment.
TITLE_ZH = "网站备案管理工作情况统计表"
#: The subtitle template. The seed prints ``（2013年  ××月  ××通信管理局）`` with two
#: spaces before the month and before the administration; they are kept, and the
#: ``××`` are replaced by the month number (no leading zero) and the province's
#: full name (``浙江省``), giving ``（2013年  5月  浙江省通信管理局）``.
SUBTITLE_TEMPLATE = "（{year}年  {month}月  {authority}）"
#: What replaces ``××通信管理局`` in the national roll-up's subtitle.
NATIONAL_LABEL = "全国汇总"

#: ``kind`` values of a review log (rows 3 and 4).
REVIEW_KINDS: tuple[str, ...] = ("review", "enquiry")
#: ``action`` values of an enforcement log (rows 14 to 18).
ENFORCEMENT_ACTIONS: tuple[str, ...] = (
    "closed_local",
    "closed_ministry",
    "blacklisted",
    "interview",
    "notice",
    "penalty",
)


@dataclass(frozen=True, slots=True)
class RowDefinition:
    """One row of the form: its labels, unit and the input it is computed from."""

    no: int
    key: str
    task_zh: str
    item_zh: str
    task_en: str
    item_en: str
    unit: str
    form_cell: str
    source: str


_T1 = ("网站备案总体情况", "Overall website filing")
_T2 = ("网站备案审核", "Filing review")
_T3 = (
    "推进网站备案信息真实性核验材料电子化处理",
    "Electronic processing of authenticity-verification material",
)
_T4 = ("清理备案信息不完整和虚假备案网站", "Clean-up of incomplete and false filings")
_T5 = ("加强违法违规网站黑名单管理", "Blacklist management of illegal and non-compliant websites")
_T6 = ("加大对违规行为处罚力度", "Stronger penalties for violations")
_PCT = "（百分比）"


def _row(no: int, key: str, task: tuple[str, str], item_zh: str, item_en: str, unit: str,
         source: str, form_cell: str = "") -> RowDefinition:  # fmt: skip
    return RowDefinition(no, key, task[0], item_zh, task[1], item_en, unit, form_cell, source)


#: The 18 rows of the form, labels copied character for character from the seed
#: (``tests/data/seed_statistics_table.csv``), with the input each one is computed from.
ROWS: tuple[RowDefinition, ...] = (
    _row(1, "filed_websites", _T1, "已备案网站数量", "Filed websites", "websites",
         "registry: filings whose access provider belongs to the province"),
    _row(2, "unfiled_websites", _T1, "未备案网站数量", "Unfiled websites accessed", "websites",
         "accessed_sites of the province's providers whose registered domain has no filing "
         "(column 'filed', else matched against registry)"),
    _row(3, "filings_reviewed", _T2, "网站备案审核量", "Filings reviewed", "filings",
         "review_log rows with kind 'review' in the period"),
    _row(4, "enquiries_handled", _T2, "网站备案咨询受理数量", "Filing enquiries handled",
         "enquiries", "review_log rows with kind 'enquiry' in the period"),
    _row(5, "providers_in_province", _T3, "属地持证或备案接入企业数量",
         "Licensed or filed access providers in the province", "providers",
         "providers whose home_province is the province"),
    _row(6, "providers_integrated", _T3, "已通过联调的企业数量",
         "Providers that passed system integration", "providers",
         "providers of the province with integration_passed true"),
    _row(7, "providers_not_integrated", _T3, "未通过联调的企业数量",
         "Providers that have not passed system integration", "providers",
         "providers of the province with integration_passed false"),
    _row(8, "websites_material_uploaded", _T3, "已完成真实性核验材料电子化上传网站数量",
         "Websites with verification material uploaded electronically", "websites",
         "registry filings of the province with material_uploaded true"),
    _row(9, "websites_material_missing", _T3, "未完成真实性核验材料电子化上传网站数量",
         "Websites without verification material uploaded electronically", "websites",
         "registry filings of the province with material_uploaded false"),
    _row(10, "providers_spot_checked", _T4, "抽查属地接入企业数量",
         "Access providers of the province spot-checked", "providers",
         "sample: distinct provider_id of the province's sampled filings"),
    _row(11, "websites_spot_checked", _T4, "抽查网站数量", "Websites spot-checked", "websites",
         "sample: the province's sampled filings"),
    _row(12, "sponsor_accuracy_pct", _T4, "属地接入企业网站备案主体信息准确率抽查结果",
         "Sponsor-information accuracy of the province's access providers, spot check",
         "percent", "sponsor_accuracy: design-based estimate x 100, interval beside it", _PCT),
    _row(13, "access_accuracy_pct", _T4, "属地接入企业网站备案接入信息准确率抽查结果",
         "Access-information accuracy of the province's access providers, spot check",
         "percent", "access_accuracy: design-based estimate x 100, interval beside it", _PCT),
    _row(14, "closed_with_local_authorities", _T5, "配合当地相关互联网管理部门关闭网站数量",
         "Websites closed together with local internet authorities", "websites",
         "enforcement rows with action 'closed_local' in the period"),
    _row(15, "closed_with_ministry", _T5, "配合部电信管理局关闭网站数量",
         "Websites closed together with the Ministry's Telecommunications Administration",
         "websites", "enforcement rows with action 'closed_ministry' in the period"),
    _row(16, "websites_blacklisted", _T5, "列入黑名单管理的违规网站数量",
         "Non-compliant websites put on the blacklist", "websites",
         "enforcement rows with action 'blacklisted' in the period"),
    _row(17, "interviews_and_notices", _T6, "约谈、通报违规企业次数",
         "Interviews with and notices of non-compliant providers", "times",
         "enforcement rows with action 'interview' or 'notice' in the period"),
    _row(18, "administrative_penalties", _T6, "行政处罚违法违规企业次数",
         "Administrative penalties on providers", "times",
         "enforcement rows with action 'penalty' in the period"),
)  # fmt: skip

_BY_KEY = {r.key: r for r in ROWS}
_RATE_KEYS = ("sponsor_accuracy_pct", "access_accuracy_pct")
_FRAME_COLUMNS = (
    "no", "key", "task_zh", "item_zh", "task_en", "item_en", "value", "unit",
    "ci_low", "ci_high", "confidence_level", "method", "n", "source", "missing",
    "missing_input",
)  # fmt: skip


def row_definitions() -> pd.DataFrame:
    """The 18 rows as a table: labels (Chinese and English), unit and data source.

    Examples
    --------
    >>> defs = row_definitions()
    >>> len(defs), defs.loc[11, "item_zh"]
    (18, '属地接入企业网站备案主体信息准确率抽查结果')
    """
    return pd.DataFrame([dataclasses.asdict(r) for r in ROWS])


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class StatisticsTable(ResultMixin):
    """The 18-row monthly statistics table of one province (or the national roll-up).

    Attributes
    ----------
    year, month : int
        Reporting year and month.
    province : str
        Full Chinese name (``"浙江省"``), or :data:`NATIONAL_LABEL` for a roll-up.
    province_code : str or None
        GB/T 2260 code; ``None`` for the roll-up.
    title, subtitle : str
        :data:`TITLE_ZH` and the filled-in :data:`SUBTITLE_TEMPLATE`.
    period : {"month", "year_to_date"}
        Window of the flow rows (3, 4, 14–18).
    province_by : {"provider", "none"}
        How inputs were restricted to the province.
    rows : pandas.DataFrame
        One row per form row: ``no``, ``key``, ``task_zh``, ``item_zh``,
        ``task_en``, ``item_en``, ``value`` (counts; percent for rows 12–13),
        ``unit``, ``ci_low`` / ``ci_high`` (percent, rows 12–13),
        ``confidence_level``, ``method``, ``n`` (observations behind a rate),
        ``source``, ``missing`` and ``missing_input`` (the input that would
        fill an empty row).
    missing_inputs : tuple of str
        Keys of the rows left empty because their input was not given.
    notes : tuple of str
        Data-quality remarks (undetermined values, one-sided intervals …).
    provinces : tuple of str
        Province codes rolled up (national table only).
    """

    year: int
    month: int
    province: str
    province_code: str | None
    title: str
    subtitle: str
    period: str
    province_by: str
    rows: pd.DataFrame
    missing_inputs: tuple[str, ...]
    notes: tuple[str, ...] = ()
    provinces: tuple[str, ...] = field(default_factory=tuple)

    @property
    def national(self) -> bool:
        """Whether this is a national roll-up."""
        return self.province_code is None

    def value(self, key: str | int) -> int | float | None:
        """The value of one row by key (``"filed_websites"``) or number (1–18).

        Counts are returned as ``int``, rates (percent) as ``float``, a missing
        row as ``None``.
        """
        row = self.rows.loc[self.rows["no"] == _row_no(key)].iloc[0]
        value = row["value"]
        if pd.isna(value):
            return None
        return float(value) if row["unit"] == "percent" else int(value)

    def to_frame(self) -> pd.DataFrame:
        """The rows with labels, values, intervals and sources (a copy)."""
        return self.rows.copy()

    def form_frame(self) -> pd.DataFrame:
        """The table as printed on the form: 序号, 主要任务 (first row of each task),
        项目, 数量 (counts; rates as ``71.23%``), plus 备注 with intervals / missing inputs.
        """
        from beian_audit.reporting.exports import form_cells

        return form_cells(self)

    def _summary(self) -> str:
        text = f"province={self.province!r}, year={self.year}, month={self.month}"
        filled = int((~self.rows["missing"]).sum())
        text += f", rows_filled={filled}/18"
        for key in _RATE_KEYS:
            v = self.value(key)
            if v is not None:
                text += f", {key.removesuffix('_pct')}={v:.2f}%"
        return text

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready document following ``statistics_table.schema.json``.

        Keys: ``schema_version``, ``kind``, ``summary``, ``title``, ``subtitle``,
        ``year``, ``month``, ``province`` (``code``, ``name_zh``), ``national``,
        ``provinces``, ``period`` (``type``, ``start``, ``end``),
        ``province_by``, ``missing_inputs``, ``notes`` and ``records`` (the 18
        rows; counts as integers, rates in percent, ``null`` when missing).
        """
        start, end = _period_bounds(self.year, self.month, self.period)
        records = []
        for rec in self.rows.to_dict(orient="records"):
            rec = jsonable(rec)
            if rec["value"] is not None and rec["unit"] != "percent":
                rec["value"] = int(rec["value"])
            if rec["n"] is not None:
                rec["n"] = int(rec["n"])
            rec["missing"] = bool(rec["missing"])
            records.append(rec)
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": type(self).__name__,
            "summary": self._summary(),
            "title": self.title,
            "subtitle": self.subtitle,
            "year": self.year,
            "month": self.month,
            "province": {"code": self.province_code, "name_zh": self.province},
            "national": self.national,
            "provinces": list(self.provinces),
            "period": {
                "type": self.period,
                "start": start.isoformat(),
                "end": (end - pd.Timedelta(days=1)).date().isoformat(),
            },
            "province_by": self.province_by,
            "missing_inputs": list(self.missing_inputs),
            "notes": list(self.notes),
            "records": records,
        }

    def to_csv(
        self, path: str | Path, *, encoding: str = "utf-8-sig", overwrite: bool = True
    ) -> Path:
        """Write :meth:`to_frame` (plus year, month, province) as CSV.

        The default encoding writes a byte-order mark so that spreadsheet
        programs show the Chinese labels; pandas reads it back transparently.
        Written atomically and safe to open
        (:func:`~beian_audit.reporting.exports.write_csv`); ``overwrite=False``
        refuses to replace an existing file.
        """
        from beian_audit.reporting.exports import write_csv

        frame = self.to_frame()
        # counts as integers, rates as floats, empty when missing
        frame["value"] = pd.Series(
            [
                None if pd.isna(v) else (float(v) if u == "percent" else int(v))
                for v, u in zip(frame["value"], frame["unit"], strict=True)
            ],
            index=frame.index,
            dtype=object,
        )
        frame.insert(0, "province_code", self.province_code)
        frame.insert(0, "province", self.province)
        frame.insert(0, "month", self.month)
        frame.insert(0, "year", self.year)
        return write_csv(frame, path, encoding=encoding, overwrite=overwrite)

    def to_excel(self, path: str | Path, *, overwrite: bool = True) -> Path:
        """Write the table laid out like the form (see
        :func:`~beian_audit.reporting.exports.write_statistics_table_xlsx`)."""
        from beian_audit.reporting.exports import write_statistics_table_xlsx

        return write_statistics_table_xlsx(self, path, overwrite=overwrite)


def _row_no(key: str | int) -> int:
    if isinstance(key, int | np.integer) and not isinstance(key, bool):
        if 1 <= int(key) <= 18:
            return int(key)
    elif isinstance(key, str) and key in _BY_KEY:
        return _BY_KEY[key].no
    raise ArgumentKeyError(f"row ({key!r}) must be a row number 1-18 or one of {list(_BY_KEY)}")


# --------------------------------------------------------------------------- inputs
def _period_bounds(year: int, month: int, period: str) -> tuple[date, pd.Timestamp]:
    start = date(year, 1 if period == "year_to_date" else month, 1)
    end = pd.Timestamp(year, month, calendar.monthrange(year, month)[1]) + pd.Timedelta(days=1)
    return start, end


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | np.integer)
        or not (low <= int(value) <= high)
    ):
        raise ArgumentError(f"{name} ({value!r}) must be an integer from {low} to {high}")
    return int(value)


def _in_period(log: pd.DataFrame, name: str, start: date, end: pd.Timestamp) -> np.ndarray:
    dates = pd.to_datetime(log["date"], errors="coerce")
    bad = dates.isna() & log["date"].notna()
    if bool(bad.any()) or bool(log["date"].isna().any()):
        rows = np.flatnonzero((bad | log["date"].isna()).to_numpy())
        cases = pd.DataFrame(
            {
                "row": rows,
                "column": "date",
                "value": log["date"].iloc[rows].astype(str).to_numpy(),
                "reason": "not_a_date",
            }
        )
        raise SchemaError(f"{name}: {len(rows)} row(s) have no readable date", cases)
    dates = dates.dt.tz_localize(None) if dates.dt.tz is not None else dates
    return ((dates >= pd.Timestamp(start)) & (dates < end)).to_numpy()


def _province_mask(log: pd.DataFrame, name: str, code: str) -> np.ndarray:
    if "province" not in log.columns:
        return np.ones(len(log), dtype=bool)
    codes = province_codes(log["province"])
    unknown = codes.isna() & log["province"].notna()
    if bool(unknown.any()):
        warnings.warn(
            f"{name}: {int(unknown.sum())} row(s) name an unknown province and are not counted",
            DataQualityWarning,
            stacklevel=5,
        )
    return (codes == code).to_numpy()


def _check_categories(log: pd.DataFrame, name: str, column: str, allowed: Sequence[str]) -> None:
    bad = ~log[column].isin(allowed)
    if bool(bad.any()):
        rows = np.flatnonzero(bad.to_numpy())
        cases = pd.DataFrame(
            {
                "row": rows,
                "column": column,
                "value": log[column].iloc[rows].astype(str).to_numpy(),
                "reason": f"unknown_{column}",
            }
        )
        listed = ", ".join(repr(a) for a in allowed)
        raise SchemaError(
            f"{name}: column {column!r} must hold one of {listed}; {len(rows)} row(s) do not",
            cases,
        )


def _rate(estimate: object, name: str) -> dict[str, Any]:
    """Percent value, interval and provenance from a design-based estimate."""
    n: float
    if isinstance(estimate, ProportionEstimate):
        p, low, high = estimate.estimate, estimate.ci.low, estimate.ci.high
        level, method, n, alt = (
            estimate.confidence_level,
            estimate.method,
            estimate.n,
            estimate.alternative,
        )
    elif isinstance(estimate, ConfidenceInterval):
        p, low, high = estimate.estimate, estimate.low, estimate.high
        level, method, n, alt = (
            estimate.confidence_level,
            estimate.method,
            estimate.n,
            estimate.alternative,
        )
    else:
        raise EstimationError(
            f"{name} must be a ProportionEstimate (from estimate_proportion) or a "
            f"ConfidenceInterval, not {type(estimate).__name__}: rates are reported from "
            "design-based estimates with their interval, never typed in or averaged"
        )
    if not math.isfinite(p):
        return {}
    return {
        "value": 100.0 * p,
        "ci_low": 100.0 * low,
        "ci_high": 100.0 * high,
        "confidence_level": level,
        "method": method,
        "n": None if not math.isfinite(float(n)) else int(n),
        "alternative": alt,
    }


def _check_counts(counts: Mapping[str | int, object] | None) -> dict[str, int]:
    if counts is None:
        return {}
    if not isinstance(counts, Mapping):
        raise ArgumentError(f"counts must be a mapping of row key -> count, not {type(counts)}")
    out: dict[str, int] = {}
    for key, value in counts.items():
        no = _row_no(key)
        row = ROWS[no - 1]
        if row.key in _RATE_KEYS:
            raise EstimationError(
                f"counts[{key!r}]: row {no} is a rate; pass sponsor_accuracy / access_accuracy "
                "as a design-based estimate instead of a number"
            )
        if (
            isinstance(value, bool)
            or not isinstance(value, int | np.integer | float | np.floating)
            or not math.isfinite(float(value))
            or float(value) < 0
            or float(value) % 1 != 0
        ):
            raise ArgumentError(f"counts[{key!r}] ({value!r}) must be a non-negative integer")
        out[row.key] = int(value)
    return out


def _distinct(frame: pd.DataFrame, mask: np.ndarray, key: str) -> int:
    if key in frame.columns:
        return int(frame.loc[mask, key].nunique(dropna=True))
    return int(mask.sum())


# --------------------------------------------------------------------------- entry point
def statistics_table(
    *,
    province: str | int,
    month: int,
    year: int = 2013,
    registry: pd.DataFrame | None = None,
    accessed_sites: pd.DataFrame | None = None,
    review_log: pd.DataFrame | None = None,
    providers: pd.DataFrame | None = None,
    sample: object | None = None,
    sponsor_accuracy: ProportionEstimate | ConfidenceInterval | None = None,
    access_accuracy: ProportionEstimate | ConfidenceInterval | None = None,
    enforcement: pd.DataFrame | None = None,
    counts: Mapping[str | int, int] | None = None,
    province_by: ProvinceBy = "provider",
    period: Period = "month",
) -> StatisticsTable:
    """Build the monthly statistics table (网站备案管理工作情况统计表) of one province.

    Parameters
    ----------
    province : str or int
        GB/T 2260 code, full name, short name or filing-number prefix
        (``"330000"``, ``"浙江省"``, ``"浙江"``, ``"浙"``).
    month : int
        1–12.
    year : int, default 2013
    registry : DataFrame, optional
        The filing registry at the reporting date (canonical columns; at least
        ``website_id``, ``provider_id``; ``domain`` to match accessed sites;
        ``material_uploaded`` for rows 8–9). Rows 1, 8, 9.
    accessed_sites : DataFrame, optional
        Sites the providers report hosting (``site_id``, ``domain``,
        ``provider_id``), with an observed boolean ``filed`` column, or
        matched against ``registry`` by registered domain (see
        :func:`~beian_audit.reporting.match_accessed_sites`). The synthetic
        ``truth_filed`` column is never used. Row 2.
    review_log : DataFrame, optional
        One row per review or enquiry: ``date``, ``kind`` in
        :data:`REVIEW_KINDS`; optional ``count`` (rows that aggregate several)
        and ``province`` (rows of other provinces are ignored). Rows 3–4.
    providers : DataFrame, optional
        Access providers (``provider_id``, ``home_province``; optional
        ``integration_passed``). Rows 5–7, and the province scope of every
        other row when ``province_by="provider"``.
    sample : Sample or DataFrame, optional
        The month's spot-check sample (``provider_id``; ``website_id``). Rows 10–11.
    sponsor_accuracy, access_accuracy : ProportionEstimate or ConfidenceInterval, optional
        The province's design-based estimates (from
        :func:`~beian_audit.estimation.estimate_proportion`); the overall
        (total) estimate is used, so pass the province's estimate, not a
        national one. Rows 12–13, in percent, with ``ci_low`` / ``ci_high``.
    enforcement : DataFrame, optional
        One row per action: ``date``, ``action`` in
        :data:`ENFORCEMENT_ACTIONS`; optional ``count`` and ``province``.
        Rows 14–18 (row 17 counts ``interview`` and ``notice``).
    counts : mapping, optional
        Row key or number -> count, for counts known from elsewhere; they
        override the computed value (source ``"counts"``). Not allowed for the
        rate rows 12–13.
    province_by : {"provider", "none"}
        ``"provider"`` (default): a filing, accessed site or sampled filing
        belongs to the province when its access provider's ``home_province``
        is the province — the form's 属地接入企业 (providers located in the
        province, which the administration supervises). Needs ``providers``.
        ``"none"``: the inputs are already the province's.
    period : {"month", "year_to_date"}
        Window for the flow rows 3, 4 and 14–18: the reporting month
        (default) or 1 January to the end of the month.

    Returns
    -------
    StatisticsTable

    Raises
    ------
    ValueError
        Unknown province, month out of range, invalid options or counts.
    SchemaError
        An input lacks a needed column, or holds unreadable dates, unknown
        ``kind`` / ``action`` codes or invalid ``count`` values
        (``failure_cases`` lists them).
    EstimationError
        A rate given as a plain number instead of an estimate.

    Warns
    -----
    DataQualityWarning
        Log rows naming an unknown province; undetermined flags (``NA``) that
        are left out of rows 2, 6–9.

    Notes
    -----
    Rows computed from a frame count distinct ``website_id`` (registry,
    sample) or ``site_id`` (accessed sites) or ``provider_id``; a row whose
    input or column is missing is ``NA`` and named in ``missing_inputs``.
    Flags that are ``NA`` (integration status, material upload, a site whose
    domain cannot be parsed) are counted in neither of the paired rows and a
    note says how many. The registry is taken as the snapshot at the
    reporting date (rows 1, 8, 9 are stocks); rows 3, 4, 14–18 are flows over
    ``period``.

    Examples
    --------
    >>> import pandas as pd
    >>> from beian_audit.estimation import estimate_proportion
    >>> sample = pd.DataFrame({"website_id": list("abcdefgh"), "provider_id": ["P1"] * 8,
    ...                        "ok": [1, 1, 1, 0, 1, 1, 0, 1]})
    >>> est = estimate_proportion(sample, "ok", method="wilson")
    >>> log = pd.DataFrame({"date": ["2013-05-02", "2013-05-20", "2013-04-30"],
    ...                     "kind": ["review", "enquiry", "review"]})
    >>> t = statistics_table(province="浙江省", month=5, sample=sample, sponsor_accuracy=est,
    ...                      review_log=log, province_by="none")
    >>> t.value("websites_spot_checked"), t.value("filings_reviewed"), t.value(12)
    (8, 1, 75.0)
    >>> row = t.rows.loc[11]
    >>> round(float(row["ci_low"]), 2), round(float(row["ci_high"]), 2), row["method"]
    (32.98, 94.82, 'wilson')
    """
    code, name = resolve_province(province)
    year = _check_int("year", year, 1990, 2100)
    month = _check_int("month", month, 1, 12)
    province_by = check_choice("province_by", province_by, PROVINCE_BY)  # type: ignore[assignment]
    period = check_choice("period", period, PERIODS)  # type: ignore[assignment]
    overrides = _check_counts(counts)
    start, end = _period_bounds(year, month, period)

    prov, scope_ids = _scope(providers, province_by, code)
    found = _Rows(province_by=province_by, scope_ids=scope_ids)
    reg = _registry_rows(found, registry)  # rows 1, 8, 9
    _unfiled_row(found, accessed_sites, reg)  # row 2
    _review_rows(found, review_log, start, end, code)  # rows 3, 4
    _provider_rows(found, prov)  # rows 5, 6, 7
    _sample_rows(found, sample)  # rows 10, 11
    _estimate_rows(found, sponsor_accuracy, access_accuracy)  # rows 12, 13
    _enforcement_rows(found, enforcement, start, end, code)  # rows 14-18

    # ---- explicit counts win
    values, missing = found.values, found.missing
    sources = {r.key: r.source for r in ROWS}
    for key, value in overrides.items():
        values[key] = {"value": value}
        missing.pop(key, None)
        sources[key] = "counts"

    rows = _build_rows(values, missing, sources)
    return StatisticsTable(
        year=year,
        month=month,
        province=name,
        province_code=code,
        title=TITLE_ZH,
        subtitle=SUBTITLE_TEMPLATE.format(year=year, month=month, authority=f"{name}通信管理局"),
        period=period,
        province_by=province_by,
        rows=rows,
        missing_inputs=tuple(r.key for r in ROWS if r.key in missing),
        notes=tuple(found.notes),
    )


# --------------------------------------------------------------------------- rows, by source


@dataclass
class _Rows:
    """The rows found so far: values, inputs missing (key -> what is missing), notes."""

    province_by: str
    scope_ids: set[str] | None
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def scope_mask(self, frame: pd.DataFrame, what: str) -> np.ndarray | None:
        """Rows of the province's providers (``None``: the providers are not known)."""
        if self.province_by == "none":
            return np.ones(len(frame), dtype=bool)
        require_columns(frame, ["provider_id"], name=what)
        if self.scope_ids is None:
            return None
        return frame["provider_id"].astype(object).isin(self.scope_ids).to_numpy()

    def flag_pair(self, frame: pd.DataFrame, mask: np.ndarray, column: str,
                  keys: tuple[str, str], unique: str, what: str) -> None:  # fmt: skip
        """Two rows counting the distinct ``unique`` with ``column`` true, and false."""
        flags = frame.loc[mask, column].astype("boolean")
        unit = frame.loc[mask]
        yes = _distinct(unit, flags.fillna(False).to_numpy(bool), unique)
        no = _distinct(unit, (~flags).fillna(False).to_numpy(bool), unique)
        self.values[keys[0]] = {"value": yes}
        self.values[keys[1]] = {"value": no}
        n_na = int(flags.isna().sum())
        if n_na:
            self.notes.append(f"{what}: {n_na} row(s) with {column} unknown are in neither row")
            warnings.warn(
                f"{what}: {n_na} row(s) have {column} missing; they are counted in neither "
                f"row {ROWS[[r.key for r in ROWS].index(keys[0])].no} nor the next",
                DataQualityWarning,
                stacklevel=4,
            )


def _scope(
    providers: pd.DataFrame | None, province_by: str, code: str
) -> tuple[pd.DataFrame | None, set[str] | None]:
    """The province's providers and their ids (``None`` when no provider table is given)."""
    if providers is None:
        return None, None
    prov = as_frame(providers, "providers")
    require_columns(prov, ["provider_id", "home_province"], name="providers")
    if province_by == "provider":
        prov = prov.loc[(province_codes(prov["home_province"]) == code).to_numpy()]
    return prov, set(prov["provider_id"].dropna().astype(str))


def _registry_rows(found: _Rows, registry: pd.DataFrame | None) -> pd.DataFrame | None:
    """Rows 1, 8, 9 from the registry; returns the registry as a frame."""
    missing = found.missing
    reg = None if registry is None else as_frame(registry, "registry")
    reg_mask = None if reg is None else found.scope_mask(reg, "registry")
    if reg is None or reg_mask is None:
        why = "registry" if reg is None else "providers"
        for key in ("filed_websites", "websites_material_uploaded", "websites_material_missing"):
            missing[key] = why
    else:
        found.values["filed_websites"] = {"value": _distinct(reg, reg_mask, "website_id")}
        if "material_uploaded" in reg.columns:
            found.flag_pair(reg, reg_mask, "material_uploaded",
                            ("websites_material_uploaded", "websites_material_missing"),
                            "website_id", "registry")  # fmt: skip
        else:
            missing["websites_material_uploaded"] = "registry.material_uploaded"
            missing["websites_material_missing"] = "registry.material_uploaded"
    return reg


def _unfiled_row(
    found: _Rows, accessed_sites: pd.DataFrame | None, reg: pd.DataFrame | None
) -> None:
    """Row 2 from the accessed sites (matched against the registry unless ``filed`` is given)."""
    missing = found.missing
    if accessed_sites is None:
        missing["unfiled_websites"] = "accessed_sites"
        return
    acc = as_frame(accessed_sites, "accessed_sites")
    acc_mask = found.scope_mask(acc, "accessed_sites")
    if acc_mask is None:
        missing["unfiled_websites"] = "providers"
    elif "filed" in acc.columns:
        filed = acc["filed"].astype("boolean")
    elif reg is not None:
        from beian_audit.reporting.rankings import match_accessed_sites

        filed = match_accessed_sites(acc, reg)["filed"]
    else:
        missing["unfiled_websites"] = "registry (or accessed_sites.filed)"
    if "unfiled_websites" not in missing and acc_mask is not None:
        in_scope = filed[acc_mask]
        unfiled_mask = np.zeros(len(acc), dtype=bool)
        unfiled_mask[acc_mask] = (~in_scope).fillna(False).to_numpy(bool)
        found.values["unfiled_websites"] = {"value": _distinct(acc, unfiled_mask, "site_id")}
        n_na = int(in_scope.isna().sum())
        if n_na:
            found.notes.append(
                f"accessed_sites: {n_na} site(s) whose domain could not be parsed are "
                "not counted as unfiled"
            )


def _review_rows(found: _Rows, review_log: pd.DataFrame | None, start: date,
                 end: pd.Timestamp, code: str) -> None:  # fmt: skip
    """Rows 3, 4 from the review log."""
    if review_log is None:
        found.missing["filings_reviewed"] = found.missing["enquiries_handled"] = "review_log"
        return
    log = as_frame(review_log, "review_log")
    require_columns(log, ["date", "kind"], name="review_log")
    _check_categories(log, "review_log", "kind", REVIEW_KINDS)
    mask = _in_period(log, "review_log", start, end) & _province_mask(log, "review_log", code)
    kind = log["kind"].to_numpy(object)
    found.values["filings_reviewed"] = {"value": count_rows(log, mask & (kind == "review"))}
    found.values["enquiries_handled"] = {"value": count_rows(log, mask & (kind == "enquiry"))}


def _provider_rows(found: _Rows, prov: pd.DataFrame | None) -> None:
    """Rows 5, 6, 7 from the province's providers."""
    if prov is None:
        for key in ("providers_in_province", "providers_integrated", "providers_not_integrated"):
            found.missing[key] = "providers"
        return
    all_rows = np.ones(len(prov), dtype=bool)
    found.values["providers_in_province"] = {"value": _distinct(prov, all_rows, "provider_id")}
    if "integration_passed" in prov.columns:
        found.flag_pair(prov, all_rows, "integration_passed",
                        ("providers_integrated", "providers_not_integrated"),
                        "provider_id", "providers")  # fmt: skip
    else:
        found.missing["providers_integrated"] = "providers.integration_passed"
        found.missing["providers_not_integrated"] = "providers.integration_passed"


def _sample_rows(found: _Rows, sample: object | None) -> None:
    """Rows 10, 11 from the sample."""
    missing = found.missing
    if sample is None:
        missing["providers_spot_checked"] = missing["websites_spot_checked"] = "sample"
        return
    sam = as_frame(sample, "sample")
    require_columns(sam, ["provider_id"], name="sample")
    sam_mask = found.scope_mask(sam, "sample")
    if sam_mask is None:
        missing["providers_spot_checked"] = missing["websites_spot_checked"] = "providers"
    else:
        found.values["providers_spot_checked"] = {
            "value": _distinct(sam, sam_mask, "provider_id")
        }
        found.values["websites_spot_checked"] = {"value": _distinct(sam, sam_mask, "website_id")}


def _estimate_rows(
    found: _Rows,
    sponsor_accuracy: ProportionEstimate | ConfidenceInterval | None,
    access_accuracy: ProportionEstimate | ConfidenceInterval | None,
) -> None:
    """Rows 12, 13 from the design-based estimates."""
    for key, est, arg in (
        ("sponsor_accuracy_pct", sponsor_accuracy, "sponsor_accuracy"),
        ("access_accuracy_pct", access_accuracy, "access_accuracy"),
    ):
        if est is None:
            found.missing[key] = arg
            continue
        rate = _rate(est, arg)
        if not rate:
            found.missing[key] = f"{arg} (estimate undefined)"
            continue
        if rate.pop("alternative") != "two-sided":
            found.notes.append(f"{arg}: the interval is one-sided")
        found.values[key] = rate


#: Rows 14-18 and the enforcement actions each counts.
_ENFORCEMENT_KEYS = (
    ("closed_with_local_authorities", ("closed_local",)),
    ("closed_with_ministry", ("closed_ministry",)),
    ("websites_blacklisted", ("blacklisted",)),
    ("interviews_and_notices", ("interview", "notice")),
    ("administrative_penalties", ("penalty",)),
)


def _enforcement_rows(found: _Rows, enforcement: pd.DataFrame | None, start: date,
                      end: pd.Timestamp, code: str) -> None:  # fmt: skip
    """Rows 14-18 from the enforcement log."""
    if enforcement is None:
        for key, _ in _ENFORCEMENT_KEYS:
            found.missing[key] = "enforcement"
        return
    log = as_frame(enforcement, "enforcement")
    require_columns(log, ["date", "action"], name="enforcement")
    _check_categories(log, "enforcement", "action", ENFORCEMENT_ACTIONS)
    mask = _in_period(log, "enforcement", start, end) & _province_mask(log, "enforcement", code)
    action = log["action"].to_numpy(object)
    for key, actions in _ENFORCEMENT_KEYS:
        found.values[key] = {"value": count_rows(log, mask & np.isin(action, actions))}


def _build_rows(
    values: Mapping[str, Mapping[str, Any]], missing: Mapping[str, str], sources: Mapping[str, str]
) -> pd.DataFrame:
    records = []
    for r in ROWS:
        v = values.get(r.key, {}) if r.key not in missing else {}
        records.append(
            {
                "no": r.no,
                "key": r.key,
                "task_zh": r.task_zh,
                "item_zh": r.item_zh,
                "task_en": r.task_en,
                "item_en": r.item_en,
                "value": v.get("value"),
                "unit": r.unit,
                "ci_low": v.get("ci_low"),
                "ci_high": v.get("ci_high"),
                "confidence_level": v.get("confidence_level"),
                "method": v.get("method"),
                "n": v.get("n"),
                "source": sources[r.key],
                "missing": r.key in missing,
                "missing_input": missing.get(r.key),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=list(_FRAME_COLUMNS))
    for col in ("value", "ci_low", "ci_high", "confidence_level"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Float64")
    frame["n"] = pd.to_numeric(frame["n"], errors="coerce").astype("Int64")
    for col in ("method", "missing_input"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    frame["missing"] = frame["missing"].astype(bool)
    return frame


# --------------------------------------------------------------------------- roll-up
def national_roll_up(
    tables: Sequence[StatisticsTable],
    *,
    sponsor_accuracy: ProportionEstimate | ConfidenceInterval | None = None,
    access_accuracy: ProportionEstimate | ConfidenceInterval | None = None,
) -> StatisticsTable:
    """Roll provincial tables up into the national table.

    Parameters
    ----------
    tables : sequence of StatisticsTable
        One table per province, same year, month, period and ``province_by``.
    sponsor_accuracy, access_accuracy : ProportionEstimate or ConfidenceInterval, optional
        The national rates re-estimated from the **pooled** design (all
        provinces' samples in one :func:`~beian_audit.estimation.estimate_proportion`
        call, strata kept). Percentages of the provincial tables are never
        averaged: without these, rows 12–13 are empty.

    Returns
    -------
    StatisticsTable
        ``province`` = :data:`NATIONAL_LABEL`, ``province_code`` = ``None``,
        subtitle ``（2013年  5月  全国汇总）``.

    Raises
    ------
    ValueError
        No tables, a duplicate province, a national table among them, or
        tables of different months, periods or scopes.
    EstimationError
        Rates given as numbers or per-province collections instead of pooled
        estimates.

    Warns
    -----
    RollUpWarning
        When the provincial tables carry rates but no pooled estimate is
        given (rows 12–13 are then left empty rather than averaged).

    Notes
    -----
    Count rows are sums over the provinces. A row missing in any province is
    missing nationally (a partial sum would silently undercount); the notes
    name the provinces. Because every provider has one home province, the
    provider counts (rows 5–7, 10) add up without double counting when the
    provincial tables used ``province_by="provider"``.

    Examples
    --------
    >>> a = statistics_table(province="浙江", month=5, counts={1: 10, 2: 1}, province_by="none")
    >>> b = statistics_table(province="上海", month=5, counts={1: 5, 2: 2}, province_by="none")
    >>> nat = national_roll_up([a, b])
    >>> nat.subtitle, nat.value(1), nat.value(2)
    ('（2013年  5月  全国汇总）', 15, 3)
    """
    tables = list(tables)
    if not tables:
        raise ArgumentError("tables must hold at least one StatisticsTable")
    for t in tables:
        if not isinstance(t, StatisticsTable):
            raise ArgumentError(f"tables must hold StatisticsTable objects, not {type(t).__name__}")
        if t.national:
            raise ArgumentError("tables must be provincial tables, not a national roll-up")
    first = tables[0]
    for attr in ("year", "month", "period", "province_by"):
        seen = sorted({str(getattr(t, attr)) for t in tables})
        if len(seen) > 1:
            raise ArgumentError(f"tables must share one {attr}; got {seen}")
    codes = [t.province_code for t in tables]
    dupes = sorted({c for c in codes if codes.count(c) > 1})  # type: ignore[type-var]
    if dupes:
        raise ArgumentError(f"tables hold province(s) {dupes} more than once")
    for arg, est in (("sponsor_accuracy", sponsor_accuracy), ("access_accuracy", access_accuracy)):
        if est is not None and not isinstance(est, ProportionEstimate | ConfidenceInterval):
            raise EstimationError(
                f"{arg} must be the pooled national estimate (a ProportionEstimate or "
                f"ConfidenceInterval), not {type(est).__name__}: provincial percentages are "
                "never averaged; estimate the rate once from all provinces' samples"
            )

    values: dict[str, dict[str, Any]] = {}
    missing: dict[str, str] = {}
    notes: list[str] = []
    stacked = np.array([t.rows["value"].to_numpy(dtype=float, na_value=np.nan) for t in tables])
    for i, r in enumerate(ROWS):
        if r.key in _RATE_KEYS:
            continue
        col = stacked[:, i]
        absent = [tables[j].province for j in np.flatnonzero(np.isnan(col))]
        if absent:
            missing[r.key] = "provincial tables"
            notes.append(f"{r.key}: missing in {', '.join(absent)}")
        else:
            values[r.key] = {"value": int(col.sum())}
    for key, est, arg in (
        ("sponsor_accuracy_pct", sponsor_accuracy, "sponsor_accuracy"),
        ("access_accuracy_pct", access_accuracy, "access_accuracy"),
    ):
        if est is None:
            missing[key] = f"{arg} (pooled national estimate)"
            if any(t.value(key) is not None for t in tables):
                warnings.warn(
                    f"national_roll_up: row {_BY_KEY[key].no} is left empty; provincial "
                    f"percentages are never averaged — pass {arg}= estimated from the pooled "
                    "national sample",
                    RollUpWarning,
                    stacklevel=2,
                )
            continue
        rate = _rate(est, arg)
        if not rate:
            missing[key] = f"{arg} (estimate undefined)"
            continue
        if rate.pop("alternative") != "two-sided":
            notes.append(f"{arg}: the interval is one-sided")
        values[key] = rate

    sources = {r.key: f"sum of provincial tables ({r.source})" for r in ROWS}
    sources["sponsor_accuracy_pct"] = "sponsor_accuracy: pooled national design-based estimate"
    sources["access_accuracy_pct"] = "access_accuracy: pooled national design-based estimate"
    return StatisticsTable(
        year=first.year,
        month=first.month,
        province=NATIONAL_LABEL,
        province_code=None,
        title=TITLE_ZH,
        subtitle=SUBTITLE_TEMPLATE.format(
            year=first.year, month=first.month, authority=NATIONAL_LABEL
        ),
        period=first.period,
        province_by=first.province_by,
        rows=_build_rows(values, missing, sources),
        missing_inputs=tuple(r.key for r in ROWS if r.key in missing),
        notes=tuple(notes),
        provinces=tuple(sorted(str(c) for c in codes)),
    )
