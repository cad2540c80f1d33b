"""Run every field check and cross-field rule over a canonical filing table.

:func:`check_filings` is the automatic half of a spot check: it runs the field
checkers on every contact and identity column, then the cross-field rules, and
returns a :class:`CheckReport` with one boolean flag per check (``True`` = the
check found a problem), a long table of failures with reasons, and an automatic
``sponsor_info_ok`` / ``access_info_ok`` verdict per filing for the parts a
machine can decide.

Checks and the block they count against (``error`` checks decide the verdict;
``warning`` checks are reported but never decide it):

========================  ===========  ========  ==============================================
check                     block        severity  rule
========================  ===========  ========  ==============================================
``phone:<column>``        sponsor      error     :func:`~beian_audit.check_phone`
``email:<column>``        sponsor      error     :func:`~beian_audit.check_email`
``resident_id:<column>``  sponsor      error     :func:`~beian_audit.check_resident_id`
``credit_code:<column>``  sponsor      error     :func:`~beian_audit.check_credit_code`
``org_code:<column>``     sponsor      error     :func:`~beian_audit.check_org_code`
``address:<column>``      sponsor      error     :func:`~beian_audit.checks.address.check_address`
``icp:<column>``          sponsor      error     :func:`~beian_audit.checks.icp.check_icp_number`
``icp_province``          sponsor      error     ICP prefix province = declared sponsor province
``address_province``      sponsor      error     address province = declared sponsor province
``nature_certificate``    sponsor      error     nature agrees with certificate type and name
``shared_mobile``         sponsor      error     a mobile shared by ``ring_threshold`` or more
                                                 unrelated sponsors (fake-filing ring)
``area_code_province``    sponsor      warning   fixed-line area code province = sponsor province
``domain``                website      error     :func:`~beian_audit.checks.network.check_domain`
``access_unresolved``     access       error     the domain does not resolve (``resolved_ip`` empty)
``access_ip_not_filed``   access       error     ``resolved_ip`` is not one of ``ip_addresses``
``access_wrong_provider`` access       error     ``resolved_ip`` is not in the filed provider's
                                                 announced ranges (needs ``providers``)
========================  ===========  ========  ==============================================

This follows the ministry's checking standard (DOMAIN.md §2): sponsor
information = identity and contact details of the sponsor and its principals;
access information = the resolved IP equals a filed IP and belongs to the filed
provider's announced ranges.

Examples
--------
>>> import beian_audit as ba
>>> report = check_filings(ba.load_synthetic_registry().head(200),
...                        providers=ba.load_providers())
>>> report.flags.shape[0]
200
>>> sorted(report.verdict.columns)
['access_info_ok', 'sponsor_info_ok']
"""

from __future__ import annotations

import functools
import html
import io
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from beian_audit import _engine
from beian_audit._arrow import take_rows
from beian_audit._results import ResultMixin
from beian_audit.checks._common import (
    _distinct_text,
    _str_array,
    as_text,
    check_bool,
    check_date,
)
from beian_audit.errors import (
    ArgumentError,
    ArgumentTypeError,
    SchemaError,
    SkippedCheckWarning,
)
from beian_audit.privacy import mask_personal, mask_series
from beian_audit.schema import FILING_SCHEMA, STRING_DTYPE

__all__ = ["CHECKS", "CHECK_LABELS_ZH", "CheckReport", "check_filings", "reason_label_zh"]

Block = Literal["sponsor", "website", "access"]
Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class _Check:
    name: str
    block: Block
    severity: Severity
    column: str | None
    description: str


_PRINCIPALS = ("sponsor_principal", "website_principal")
#: Distinct values handed to a field checker at once (bounds its working memory).
_SLICE = 1 << 19

#: Every check :func:`check_filings` can run: name -> (block, severity, column, description)
CHECKS: dict[str, _Check] = {}


def _register(name: str, block: Block, severity: Severity, column: str | None, text: str) -> None:
    CHECKS[name] = _Check(name, block, severity, column, text)


for _p in _PRINCIPALS:
    _register(f"phone:{_p}_mobile", "sponsor", "error", f"{_p}_mobile", "mobile number")
    _register(f"phone:{_p}_phone", "sponsor", "error", f"{_p}_phone", "office phone")
    _register(f"email:{_p}_email", "sponsor", "error", f"{_p}_email", "email address")
    _register(f"resident_id:{_p}_id_number", "sponsor", "error", f"{_p}_id_number", "ID card")
_register("resident_id:sponsor_cert_number", "sponsor", "error", "sponsor_cert_number", "ID card")
_register("credit_code:sponsor_cert_number", "sponsor", "error", "sponsor_cert_number", "USCC")
_register("org_code:sponsor_cert_number", "sponsor", "error", "sponsor_cert_number", "org code")
_register("address:sponsor_address", "sponsor", "error", "sponsor_address", "postal address")
_register("address:sponsor_cert_address", "sponsor", "error", "sponsor_cert_address", "address")
_register("icp:sponsor_icp_number", "sponsor", "error", "sponsor_icp_number", "sponsor number")
_register("icp:website_icp_number", "sponsor", "error", "website_icp_number", "website number")
_register("icp_province", "sponsor", "error", "website_icp_number", "prefix vs province")
_register("address_province", "sponsor", "error", "sponsor_address", "address vs province")
_register("nature_certificate", "sponsor", "error", "sponsor_cert_type", "nature vs certificate")
_register("shared_mobile", "sponsor", "error", "sponsor_principal_mobile", "fake-filing ring")
_register("area_code_province", "sponsor", "warning", "sponsor_principal_phone", "area code")
_register("domain", "website", "error", "domain", "domain syntax and public suffix")
_register("access_unresolved", "access", "error", "resolved_ip", "domain does not resolve")
_register("access_ip_not_filed", "access", "error", "resolved_ip", "resolved IP not filed")
_register("access_wrong_provider", "access", "error", "resolved_ip", "IP of another provider")

#: Columns each check needs (besides ``CHECKS[name].column``). A check whose
#: columns are absent does not run and is listed in ``CheckReport.skipped``.
_NEEDS: dict[str, tuple[str, ...]] = {
    "resident_id:sponsor_cert_number": ("sponsor_cert_number", "sponsor_cert_type"),
    "credit_code:sponsor_cert_number": ("sponsor_cert_number", "sponsor_cert_type"),
    "org_code:sponsor_cert_number": ("sponsor_cert_number", "sponsor_cert_type"),
    "icp_province": ("website_icp_number", "sponsor_province"),
    "address_province": ("sponsor_address", "sponsor_province"),
    "nature_certificate": ("sponsor_nature", "sponsor_cert_type", "sponsor_name"),
    "shared_mobile": ("sponsor_principal_mobile", "sponsor_id|sponsor_name"),
    "area_code_province": ("sponsor_principal_phone", "sponsor_province"),
    "access_ip_not_filed": ("resolved_ip", "ip_addresses"),
    "access_wrong_provider": ("resolved_ip", "provider_id"),
}
SKIPPED_COLUMNS = ("check", "block", "reason", "missing_columns")

#: Chinese label of every check (worksheet headings, Chinese reports).
CHECK_LABELS_ZH: dict[str, str] = {
    "phone:sponsor_principal_mobile": "主体负责人手机号码",
    "phone:sponsor_principal_phone": "主体负责人办公电话",
    "email:sponsor_principal_email": "主体负责人电子邮箱",
    "resident_id:sponsor_principal_id_number": "主体负责人身份证号码",
    "phone:website_principal_mobile": "网站负责人手机号码",
    "phone:website_principal_phone": "网站负责人办公电话",
    "email:website_principal_email": "网站负责人电子邮箱",
    "resident_id:website_principal_id_number": "网站负责人身份证号码",
    "resident_id:sponsor_cert_number": "主办者身份证号码",
    "credit_code:sponsor_cert_number": "主办者统一社会信用代码",
    "org_code:sponsor_cert_number": "主办者组织机构代码",
    "address:sponsor_address": "主办者通信地址",
    "address:sponsor_cert_address": "主办者证件住所",
    "icp:sponsor_icp_number": "主体备案号",
    "icp:website_icp_number": "网站备案号",
    "icp_province": "备案号省份与主办者省份",
    "address_province": "通信地址省份与主办者省份",
    "nature_certificate": "主办单位性质与证件",
    "shared_mobile": "手机号码被多个主体共用",
    "area_code_province": "电话区号与主办者省份",
    "domain": "网站域名",
    "access_unresolved": "域名解析",
    "access_ip_not_filed": "解析IP与备案IP",
    "access_wrong_provider": "解析IP与接入服务商",
}

#: Chinese labels of the reason codes of the cross-field rules (the field
#: checkers' codes are in their modules' ``REASONS``).
_RULE_REASONS_ZH: dict[str, str] = {
    "province_mismatch": "与所填省份不一致",
    "organisation_filed_as_person": "单位以个人性质备案",
    "person_with_organisation_certificate": "个人备案使用单位证件",
    "organisation_with_id_card": "单位备案使用个人身份证",
    "shared_by_unrelated_sponsors": "同一手机号码被多个无关主体使用",
    "area_code_province_mismatch": "电话区号与所填省份不一致",
    "domain_unresolved": "域名无法解析",
    "resolved_ip_not_filed": "解析IP不在备案IP中",
    "ip_outside_provider_ranges": "解析IP不属于备案的接入服务商",
}


def reason_label_zh(check: str, reason: str) -> str:
    """The Chinese label of a failure's reason code (the code itself when unknown).

    Examples
    --------
    >>> reason_label_zh("phone:sponsor_principal_mobile", "wrong_length")
    '号码位数不对'
    >>> reason_label_zh("icp_province", "province_mismatch")
    '与所填省份不一致'
    """
    import importlib

    kind = check.split(":", 1)[0]
    module = {
        "phone": "phone", "email": "email", "resident_id": "identity",
        "credit_code": "identity", "org_code": "identity", "address": "address",
        "icp": "icp", "domain": "network",
    }.get(kind)
    if module is not None:
        table = importlib.import_module(f"beian_audit.checks.{module}").REASONS
        if reason in table:
            return str(table[reason][0])
    return _RULE_REASONS_ZH.get(reason, reason)


def _skipped_checks(
    columns: list[str], ran: set[str], *, providers_given: bool
) -> pd.DataFrame:
    """One row per check that did not run, or ran without some of its columns."""
    present = set(columns)
    rows = []
    for name, check in CHECKS.items():
        needs = _NEEDS.get(name, (check.column,) if check.column else ())
        missing = [
            need for need in needs
            if not any(alt in present for alt in need.split("|"))
        ]
        if name not in ran:
            if name == "access_wrong_provider" and not providers_given and not missing:
                reason, missing = "no_providers", ["--providers"]
            else:
                reason = "missing_column"
        elif missing:
            reason = "partial"
        else:
            continue
        rows.append({"check": name, "block": check.block, "reason": reason,
                     "missing_columns": ", ".join(missing)})
    return pd.DataFrame(rows, columns=list(SKIPPED_COLUMNS)).astype(STRING_DTYPE)


def _no_skipped() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=STRING_DTYPE) for c in SKIPPED_COLUMNS})


_ID_CARD = {"居民身份证", "身份证", "resident_id"}
_CREDIT = {"统一社会信用代码", "统一社会信用代码证书", "营业执照(统一社会信用代码)", "credit_code"}
_ORG = {"组织机构代码", "组织机构代码证", "org_code"}
_ORG_NAME = (
    r"(?:公司|有限|集团|工作室|中心|协会|学会|研究院|研究所|学校|大学|学院|医院|委员会|局|厅|厂|店"
    r"|社|门市部|经营部|商行|事务所|合作社|酒店|超市|商店)$"
)


def _province_code_of_name(names: pd.Series) -> pd.Series:
    """Map declared province names (北京市 / 北京 / 110000) to GB/T 2260 province codes."""
    from beian_audit.checks.address import load_divisions

    divisions = load_divisions()
    provinces = divisions[divisions["level"] == "province"]
    lookup: dict[str, str] = {}
    for code, name in zip(provinces["code"], provinces["name"], strict=True):
        lookup[str(name)] = str(code)
        lookup[str(code)] = str(code)
    from importlib import resources

    text = (resources.files("beian_audit") / "data" / "provinces.csv").read_text(encoding="utf-8")
    table = pd.read_csv(io.StringIO(text), dtype=str)
    for code, short in zip(table["gb2260_code"], table["province_short_zh"], strict=True):
        lookup.setdefault(short, code)
    return names.map(lookup, na_action="ignore").astype(STRING_DTYPE)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class CheckReport(ResultMixin):
    """Result of :func:`check_filings`.

    Attributes
    ----------
    flags : DataFrame
        One boolean column per check that ran, same index as the input frame;
        ``True`` means the check found a problem in that row.
    failures : DataFrame
        Long form, one row per problem: ``website_id``, ``check``, ``column``,
        ``reason``, ``severity``, ``block`` and ``value`` (masked unless
        ``reveal=True`` was passed).
    verdict : DataFrame
        ``sponsor_info_ok`` and ``access_info_ok`` (nullable boolean, same index);
        ``access_info_ok`` is NA for every row when the frame has no
        ``resolved_ip`` column (nothing was observed); an empty ``resolved_ip``
        in a row means the domain did not resolve, which is incorrect access
        information (``access_unresolved``), not an unknown.
    groups : DataFrame
        Columns of the input kept for :meth:`summary` (``provider_id`` …).
    checks_run : tuple of str
        The checks that ran.
    skipped : DataFrame
        One row per check that did not run, or ran only in part: ``check``,
        ``block``, ``reason`` (``missing_column``: a column it needs is absent
        or its header was not recognised; ``no_providers``: no provider table
        was given; ``partial``: it ran without some rules) and
        ``missing_columns``. Empty when every check ran in full; then
        :attr:`complete` is ``True``.
    """

    flags: pd.DataFrame
    failures: pd.DataFrame
    verdict: pd.DataFrame
    groups: pd.DataFrame
    checks_run: tuple[str, ...]
    skipped: pd.DataFrame = field(default_factory=_no_skipped)

    @property
    def complete(self) -> bool:
        """``True`` when every check ran in full (``skipped`` is empty)."""
        return len(self.skipped) == 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready output; ``complete`` and ``skipped`` say whether the verdict is partial."""
        from beian_audit._results import jsonable

        out = ResultMixin.to_dict(self)
        out["complete"] = self.complete
        out["skipped"] = jsonable(self.skipped.to_dict(orient="records"))
        return out

    @property
    def n(self) -> int:
        """Number of filings checked."""
        return len(self.flags)

    def to_frame(self) -> pd.DataFrame:
        """One row per check: block, severity, number and share of filings flagged."""
        n = max(self.n, 1)
        rows = []
        for name in self.checks_run:
            check = CHECKS[name]
            count = int(self.flags[name].sum())
            rows.append(
                {
                    "check": name,
                    "block": check.block,
                    "severity": check.severity,
                    "flagged": count,
                    "share": count / n,
                }
            )
        return pd.DataFrame(rows, columns=["check", "block", "severity", "flagged", "share"])

    def summary(self, by: str | list[str] = "provider_id") -> pd.DataFrame:
        """Per group: filings, machine verdict rates and flags per block.

        Parameters
        ----------
        by : str or list of str, default "provider_id"
            Columns of the checked frame to group by.
        """
        keys = [by] if isinstance(by, str) else list(by)
        missing = [k for k in keys if k not in self.groups.columns]
        if missing:
            raise ArgumentError(
                f"by ({missing!r}) must be among the kept columns {list(self.groups.columns)!r}"
            )
        data = self.groups[keys].copy()
        data["filings"] = 1
        data["sponsor_info_ok"] = self.verdict["sponsor_info_ok"].astype("Float64")
        data["access_info_ok"] = self.verdict["access_info_ok"].astype("Float64")
        for block in ("sponsor", "website", "access"):
            cols = [c for c in self.checks_run if CHECKS[c].block == block]
            data[f"{block}_flags"] = self.flags[cols].sum(axis=1) if cols else 0
        out = data.groupby(keys, dropna=False, observed=True).agg(
            filings=("filings", "sum"),
            sponsor_info_ok=("sponsor_info_ok", "mean"),
            access_info_ok=("access_info_ok", "mean"),
            sponsor_flags=("sponsor_flags", "sum"),
            website_flags=("website_flags", "sum"),
            access_flags=("access_flags", "sum"),
        )
        return out.reset_index()

    def _summary(self) -> str:
        ok = self.verdict["sponsor_info_ok"].mean()
        acc = self.verdict["access_info_ok"].mean()
        partial = "" if self.complete else f"; PARTIAL: {len(self.skipped)} checks skipped"
        return (
            f"{self.n} filings, {len(self.checks_run)} checks, {len(self.failures)} failures; "
            f"machine verdict sponsor ok {ok:.1%}, access ok {acc:.1%}{partial}"
        )

    def _repr_html_(self) -> str:
        title = html.escape(f"CheckReport: {self._summary()}")
        table = self.to_frame().to_html(index=False, float_format=lambda x: f"{x:.2%}")
        failures = self.failures.head(20).to_html(index=False)
        skipped = (
            "" if self.complete
            else "<p>Skipped checks (the verdict is partial)</p>"
            + self.skipped.to_html(index=False)
        )
        return (
            f"<div><p><strong>{title}</strong></p>{table}{skipped}"
            f"<p>First failures</p>{failures}</div>"
        )


@dataclass(frozen=True, slots=True)
class _Gathered:
    """A checker's result on distinct values and the row -> distinct-value codes."""

    result: pd.DataFrame
    codes: np.ndarray
    index: pd.Index

    def __getitem__(self, column: str) -> pd.Series:
        """One output column at full length, with the frame's index."""
        values = self.result[column]
        return pd.Series(values.array.take(self.codes), index=self.index, name=column)


def ring_numbers(e164: pd.Series, reason: pd.Series) -> pd.Series:
    """The numbers ring detection compares: E.164 forms, without placeholders.

    A placeholder (13800000000) shared by many sponsors is already flagged as
    such; it is no evidence of one person behind many filings.
    """
    return e164.mask(reason.eq("placeholder").fillna(False).to_numpy(dtype=bool))


def _run_steps(steps: list[Callable[[], None]], *, workers: int | None, progress: bool) -> None:
    """Run independent steps on ``workers`` threads (all of them, errors re-raised)."""
    if workers is None:
        workers = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                      else os.cpu_count() or 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ArgumentError(f"workers ({workers!r}) must be a positive integer")
    bar: Any = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(steps), desc="check_filings", unit="step")
    try:
        if workers == 1:
            for step in steps:
                step()
                if bar is not None:
                    bar.update()
            return
        from concurrent.futures import ThreadPoolExecutor, as_completed

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="check_filings") as pool:
            futures = [pool.submit(step) for step in steps]
            for future in as_completed(futures):
                future.result()
                if bar is not None:
                    bar.update()
    finally:
        if bar is not None:
            bar.close()


def _in_ranges(ips: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Whether each address lies in ``[first, last]`` (same IP version), per item.

    Dotted-decimal IPv4 triples are compared as integers, vectorised; the rest
    (IPv6, other spellings) with :mod:`ipaddress`.
    """
    import ipaddress

    import pyarrow as pa

    from beian_audit.checks._common import _match
    from beian_audit.checks.network import _STRICT_V4, _ipv4_ints

    out = np.zeros(len(ips), dtype=bool)
    texts = [pa.array(list(x), type=pa.large_string()) for x in (ips, first, last)]
    strict = np.ones(len(ips), dtype=bool)
    for text in texts:
        strict &= _match(text, f"^{_STRICT_V4}$")
    if strict.any():
        value, low, high = (_ipv4_ints(text.filter(pa.array(strict))) for text in texts)
        out[strict] = (low <= value) & (value <= high)
    rest = np.flatnonzero(~strict)
    ips, first, last = ips[rest], first[rest], last[rest]

    @functools.cache
    def parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        try:
            return ipaddress.ip_address(text.strip())
        except ValueError:
            return None

    for i, ip_text, lo_text, hi_text in zip(rest, ips, first, last, strict=True):
        ip, lo, hi = parse(ip_text), parse(lo_text), parse(hi_text)
        if ip is not None and lo is not None and hi is not None:
            out[i] = ip.version == lo.version == hi.version and lo <= ip <= hi  # type: ignore[operator]
    return out


def _check_entry(frame: Any, providers: Any, *, reveal: object, progress: object) -> None:
    """Types of :func:`check_filings`' arguments; duplicate column labels."""
    if not isinstance(frame, pd.DataFrame) and not _engine.handled(frame):
        raise ArgumentTypeError(
            f"frame must be a DataFrame (e.g. from read_filings), not {type(frame).__name__}"
        )
    if providers is not None and not isinstance(providers, pd.DataFrame):
        raise ArgumentTypeError(
            f"providers must be a DataFrame or None, not {type(providers).__name__}"
        )
    check_bool("reveal", reveal)
    check_bool("progress", progress)
    for name, table in (("frame", frame), ("providers", providers)):
        if table is None:
            continue
        labels = pd.Index(table.columns)
        if labels.has_duplicates:
            dup = sorted({str(c) for c in labels[labels.duplicated()]})
            raise SchemaError(
                f"{name} has duplicate column labels {dup}; keep one of each",
                pd.DataFrame(
                    {"row": pd.array([pd.NA] * len(dup), dtype="Int64"), "column": dup,
                     "value": [None] * len(dup), "reason": ["duplicate_column"] * len(dup)}
                ),
            )


def _column(frame: pd.DataFrame, name: str) -> pd.Series | None:
    return frame[name] if name in frame.columns else None


def _cert_kind(frame: pd.DataFrame) -> pd.Series:
    """What the sponsor certificate is: "id", "credit", "org" or NA (not machine-checkable)."""
    out = pd.Series(pd.NA, index=frame.index, dtype=STRING_DTYPE)
    ctype = _column(frame, "sponsor_cert_type")
    if ctype is not None:
        out[ctype.isin(_ID_CARD).fillna(False).astype(bool)] = "id"
        out[ctype.isin(_CREDIT).fillna(False).astype(bool)] = "credit"
        out[ctype.isin(_ORG).fillna(False).astype(bool)] = "org"
    return out


def check_filings(
    frame: pd.DataFrame,
    *,
    providers: pd.DataFrame | None = None,
    ring_threshold: int = 3,
    reveal: bool = False,
    progress: bool = False,
    as_of: Any = None,
    workers: int | None = None,
) -> CheckReport:
    """Validate every filing: field checks, cross-field rules and access checks.

    Parameters
    ----------
    frame : DataFrame
        Canonical filings (see :func:`beian_audit.read_filings`); the checks of
        absent columns do not run and are listed in ``CheckReport.skipped``
        (with a :class:`~beian_audit.errors.SkippedCheckWarning`). Must have
        ``website_id``.
    providers : DataFrame, optional
        Provider table with ``provider_id`` and ``ip_ranges`` (announced CIDR
        blocks); enables ``access_wrong_provider``.
    ring_threshold : int, default 3
        A mobile shared by this many distinct sponsors (``sponsor_id``, else
        ``sponsor_name``) or more is flagged as a fake-filing ring.
    reveal : bool, default False
        Keep raw personal values in ``failures`` (masked by default).
    progress : bool, default False
        Show a progress bar (``tqdm``) over the checks.
    as_of : date, optional
        Reference date for "birth date not in the future" and ICP serial years.
    workers : int, optional
        Threads that run the independent checks side by side (the vectorised
        kernels of pyarrow and numpy release the GIL). Default: the number of CPU
        cores this process may use, at most 4; ``1`` runs them one after another.
        The report is the same for any number. For a Dask DataFrame the
        scheduler decides the parallelism and each partition uses one thread.

    Returns
    -------
    CheckReport
        ``.flags``, ``.failures``, ``.verdict``, ``.summary(by=)``, ``.to_frame()``.

    Raises
    ------
    SchemaError
        ``website_id`` is missing, or ``providers`` lacks its columns.

    Warns
    -----
    SkippedCheckWarning
        When a check cannot run (a column is absent or unmapped, or no
        ``providers`` table for ``access_wrong_provider``); the report then
        lists it in ``skipped`` and ``complete`` is ``False``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"website_id": ["W1", "W2"],
    ...                    "sponsor_principal_mobile": ["13912345670", "1391234"]})
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     report = check_filings(df)
    >>> report.flags["phone:sponsor_principal_mobile"].tolist()
    [False, True]
    >>> report.complete, caught[0].category.__name__
    (False, 'SkippedCheckWarning')
    >>> report.skipped.query("check == 'domain'")[["reason", "missing_columns"]].values.tolist()
    [['missing_column', 'domain']]
    >>> print(report.failures[["website_id", "check", "reason", "value"]].to_string(index=False))
    website_id                          check       reason   value
            W2 phone:sponsor_principal_mobile wrong_length 1******
    """
    from beian_audit.checks.address import check_address
    from beian_audit.checks.email import check_email
    from beian_audit.checks.icp import check_icp_number
    from beian_audit.checks.identity import check_credit_code, check_org_code, check_resident_id
    from beian_audit.checks.network import check_domain
    from beian_audit.checks.phone import check_phone

    _check_entry(frame, providers, reveal=reveal, progress=progress)
    as_of = check_date("as_of", as_of)
    engine = _engine.dispatch("check_filings", frame)  # e.g. Dask: beian_audit.scale
    if engine is not None:
        report: CheckReport = engine(frame, providers=providers, ring_threshold=ring_threshold,
                                     reveal=reveal, progress=progress, as_of=as_of)
        return report
    if "website_id" not in frame.columns:
        raise SchemaError(
            "check_filings needs a 'website_id' column",
            pd.DataFrame(
                {"row": [pd.NA], "column": ["website_id"], "value": [None],
                 "reason": ["missing_column"]}
            ),
        )
    if isinstance(ring_threshold, bool) or not isinstance(ring_threshold, int | np.integer):
        raise ArgumentTypeError(f"ring_threshold ({ring_threshold!r}) must be an integer >= 2")
    if ring_threshold < 2:
        raise ArgumentError(f"ring_threshold ({ring_threshold!r}) must be an integer >= 2")

    index = frame.index
    flags: dict[str, np.ndarray] = {}
    reasons: dict[str, np.ndarray | str] = {}  # the reason of each flagged row, in row order
    declared = (
        _province_code_of_name(frame["sponsor_province"])
        if "sponsor_province" in frame.columns
        else None
    )
    cert_kind = _cert_kind(frame)

    def record(name: str, bad: pd.Series | np.ndarray, why: pd.Series | str) -> None:
        bad_array = np.asarray(bad, dtype=bool)
        flags[name] = bad_array
        # reasons are only kept for the flagged rows (memory: a few checks flag most
        # rows, most flag few) and only read there, by _failures
        reasons[name] = why if isinstance(why, str) else why.to_numpy(dtype=object)[bad_array]

    def fields(
        run: Callable[[pd.Series], pd.DataFrame],
        requests: list[tuple[str, str, pd.Series | None]],
    ) -> dict[str, _Gathered]:
        """``field`` for several (check, column, applies) at once, on distinct values.

        Values repeat across rows and columns (the sponsor's and the website's
        principal are often one person), so the requested columns are stacked, the
        checker runs once on their distinct values (plus one missing value) and
        the verdicts are gathered back by integer codes; only ``valid`` and, at
        flagged rows, ``reason`` are expanded to full length. Each check sees only
        the rows it applies to. Returns, for the requests without ``applies``, the
        distinct results and the row codes, by column.
        """
        parts = []
        for name, column, applies in requests:
            values = _column(frame, column)
            if values is None:
                continue
            rows = (
                None if applies is None
                else np.flatnonzero(applies.fillna(False).to_numpy(dtype=bool))
            )
            parts.append((name, column, values if rows is None else values.iloc[rows], rows))
        if not parts:
            return {}
        stacked = (
            pd.concat([v for _, _, v, _ in parts], ignore_index=True)
            if len(parts) > 1 else parts[0][2]
        )
        _, codes, uniques = _distinct_text(stacked, always=True)
        probe = pd.Series(_str_array(uniques)).reindex(range(len(uniques) + 1))  # + missing
        # in slices: a checker's temporaries grow with its input, the verdicts do not
        result = pd.concat(
            [run(probe.iloc[a : a + _SLICE]) for a in range(0, len(probe), _SLICE)],
            ignore_index=True,
        )
        where = np.where(codes < 0, len(uniques), codes)
        valid = result["valid"].to_numpy(dtype=bool)
        reason = result["reason"].to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
        # an empty optional field is not a defect of the record
        defect = ~valid & (reason != "missing")
        out: dict[str, _Gathered] = {}
        offset = 0
        for name, column, values, rows in parts:
            sub = where[offset : offset + len(values)]
            offset += len(values)
            sub_bad = defect[sub]
            if rows is None:
                bad = sub_bad
            else:
                bad = np.zeros(len(frame), dtype=bool)
                bad[rows] = sub_bad
            flags[name] = bad
            reasons[name] = reason[sub[sub_bad]]  # rows are in order: flagged rows' reasons
            if rows is None:
                out[column] = _Gathered(result, sub, index)
        return out

    phone_results: dict[str, _Gathered] = {}

    def _phones() -> None:
        phone_results.update(
            fields(lambda v: check_phone(v, kind="mobile"),
                   [(f"phone:{p}_mobile", f"{p}_mobile", None) for p in _PRINCIPALS])
        )
        phone_results.update(
            fields(check_phone, [(f"phone:{p}_phone", f"{p}_phone", None) for p in _PRINCIPALS])
        )

    def _emails() -> None:
        fields(check_email, [(f"email:{p}_email", f"{p}_email", None) for p in _PRINCIPALS])

    def _resident_ids() -> None:
        requests = []
        for p in _PRINCIPALS:
            id_type = _column(frame, f"{p}_id_type")
            applies = None if id_type is None else (id_type.isin(_ID_CARD) | id_type.isna())
            requests.append((f"resident_id:{p}_id_number", f"{p}_id_number", applies))
        requests.append(("resident_id:sponsor_cert_number", "sponsor_cert_number",
                         cert_kind.eq("id")))
        fields(lambda v: check_resident_id(v, as_of=as_of), requests)

    def _certificates() -> None:
        fields(check_credit_code, [("credit_code:sponsor_cert_number", "sponsor_cert_number",
                                    cert_kind.eq("credit"))])
        fields(check_org_code, [("org_code:sponsor_cert_number", "sponsor_cert_number",
                                 cert_kind.eq("org"))])


    def _addresses() -> None:
        both = fields(check_address, [("address:sponsor_address", "sponsor_address", None),
                                      ("address:sponsor_cert_address", "sponsor_cert_address",
                                       None)])
        result = both.get("sponsor_address")
        if result is not None and declared is not None:
            found = result["province_code"].astype(STRING_DTYPE)
            bad = (found.notna() & declared.notna() & (found != declared)).fillna(False)
            record("address_province", bad, "province_mismatch")

    def _icp() -> None:
        both = fields(lambda v: check_icp_number(v, as_of=as_of),
                      [("icp:sponsor_icp_number", "sponsor_icp_number", None),
                       ("icp:website_icp_number", "website_icp_number", None)])
        result = both.get("website_icp_number")
        if result is not None and declared is not None:
            prefix = result["province_code"].astype(STRING_DTYPE)
            bad = (prefix.notna() & declared.notna() & (prefix != declared)).fillna(False)
            record("icp_province", bad, "province_mismatch")

    def _nature() -> None:
        nature = _column(frame, "sponsor_nature")
        if nature is None:
            return
        name = _column(frame, "sponsor_name")
        personal = nature.eq("个人").fillna(False).astype(bool)
        organisation_name = (
            name.str.contains(_ORG_NAME, regex=True).fillna(False).astype(bool)
            if name is not None
            else pd.Series(False, index=index)
        )
        why = pd.Series(None, index=index, dtype=object)
        has_type = _column(frame, "sponsor_cert_type") is not None
        id_cert = cert_kind.eq("id").fillna(False).astype(bool)
        org_cert = cert_kind.isin(["credit", "org"]).fillna(False).astype(bool)
        why[personal & organisation_name] = "organisation_filed_as_person"
        if has_type:
            why[personal & org_cert] = "person_with_organisation_certificate"
            why[~personal & nature.notna().to_numpy(dtype=bool) & id_cert] = (
                "organisation_with_id_card"
            )
        record("nature_certificate", why.notna(), why)

    def _ring() -> None:
        mobile = phone_results.get("sponsor_principal_mobile")
        if mobile is None:
            return
        owner_col = "sponsor_id" if "sponsor_id" in frame.columns else "sponsor_name"
        if owner_col not in frame.columns:
            return
        number = ring_numbers(mobile["e164"], mobile["reason"])
        owner = frame[owner_col]
        keep = (number.notna() & owner.notna()).to_numpy(dtype=bool)
        # distinct owners per number, from integer codes (a groupby-nunique on objects
        # takes seconds at national scale)
        number_codes, numbers = pd.factorize(number[keep])
        owner_codes, owners = pd.factorize(owner[keep].astype(object))
        pairs = np.unique(number_codes.astype(np.int64) * max(len(owners), 1) + owner_codes)
        count = np.bincount(pairs // max(len(owners), 1), minlength=len(numbers))
        ringed = numbers[count >= ring_threshold]
        bad = number.isin(ringed).to_numpy(dtype=bool)
        record("shared_mobile", bad, "shared_by_unrelated_sponsors")

    def _area_code() -> None:
        office = phone_results.get("sponsor_principal_phone")
        if office is None or declared is None:
            return
        area = office["province_code"].astype(STRING_DTYPE)
        bad = (area.notna() & declared.notna() & (area != declared)).fillna(False)
        record("area_code_province", bad, "area_code_province_mismatch")

    def _domain() -> None:
        fields(check_domain, [("domain", "domain", None)])

    def _access() -> None:
        resolved = _column(frame, "resolved_ip")
        if resolved is None:
            return
        from beian_audit.checks.network import IpRangeIndex, parse_ip_list

        arrow_text = isinstance(resolved.dtype, pd.StringDtype) and resolved.dtype.storage == (
            "pyarrow"
        )
        text = resolved if arrow_text else as_text(resolved)  # as_text changes nothing there
        unresolved = text.isna().to_numpy(dtype=bool)
        record("access_unresolved", unresolved, "domain_unresolved")
        filed = _column(frame, "ip_addresses")
        if filed is not None:
            items = parse_ip_list(filed.set_axis(np.arange(len(frame))))
            # a resolved IP is filed when it is one of the row's filed addresses or
            # lies in one of its filed ranges (compared item by item, not with a
            # merge on 1 M rows): text equality settles most items; the others
            # (ranges, other spellings) are compared as addresses
            item_rows = items.index.to_numpy(dtype=np.int64)
            first = items["first"].to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
            last = items["last"].to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
            probe = text.to_numpy(dtype=object, na_value=None)[item_rows]  # type: ignore[call-overload]
            same = (first == probe) & pd.notna(first)
            open_ = np.flatnonzero(~same & pd.notna(first) & pd.notna(probe))
            same[open_] = _in_ranges(probe[open_], first[open_], last[open_])
            matched = np.zeros(len(frame), dtype=bool)
            matched[item_rows[same]] = True
            record("access_ip_not_filed", ~unresolved & ~matched, "resolved_ip_not_filed")
        if providers is not None and "provider_id" in frame.columns:
            for need in ("provider_id", "ip_ranges"):
                if need not in providers.columns:
                    raise SchemaError(
                        f"providers needs a {need!r} column",
                        pd.DataFrame({"row": [pd.NA], "column": [need], "value": [None],
                                      "reason": ["missing_column"]}),
                    )
            ranges = providers.dropna(subset=["ip_ranges"])
            index_ = IpRangeIndex.from_ranges(
                ranges["provider_id"].astype(object), ranges["ip_ranges"].astype(object),
                on_invalid="skip",
            )
            owner = index_.lookup(text).astype(STRING_DTYPE).to_numpy(dtype=object, na_value="")
            filed_provider = frame["provider_id"].astype(STRING_DTYPE)
            wrong = ~unresolved & (owner != filed_provider.to_numpy(dtype=object, na_value=""))
            record("access_wrong_provider", wrong, "ip_outside_provider_ranges")

    def _phone_rules() -> None:  # the ring and area-code rules read the phone results
        _phones()
        _ring()
        _area_code()
        phone_results.clear()  # the distinct-value tables are large: free them now

    # independent steps, costliest first (so two threads share the work evenly)
    steps = [_phone_rules, _addresses, _emails, _domain, _icp, _resident_ids, _access,
             _certificates, _nature]
    _run_steps(steps, workers=workers, progress=progress)

    order = [name for name in CHECKS if name in flags]
    flag_frame = pd.DataFrame({name: flags[name] for name in order}, index=index)
    verdict = pd.DataFrame(index=index)
    for block, column in (("sponsor", "sponsor_info_ok"), ("access", "access_info_ok")):
        cols = [c for c in order if CHECKS[c].block == block and CHECKS[c].severity == "error"]
        ok = ~flag_frame[cols].any(axis=1) if cols else pd.Series(True, index=index)
        verdict[column] = ok.astype("boolean")
    if "access_unresolved" not in flags:
        verdict["access_info_ok"] = pd.Series(pd.NA, index=index, dtype="boolean")

    failures = _failures(frame, flag_frame, reasons, reveal=reveal)
    keep = [c for c in ("website_id", "provider_id", "sponsor_province", "sponsor_nature",
                        "server_province") if c in frame.columns]
    skipped = _skipped_checks(list(frame.columns), set(order),
                              providers_given=providers is not None)
    if len(skipped):
        _warn_skipped(skipped)
    return CheckReport(
        flags=flag_frame,
        failures=failures,
        verdict=verdict,
        groups=frame[keep].copy(),
        checks_run=tuple(order),
        skipped=skipped,
    )


def _warn_skipped(skipped: pd.DataFrame) -> None:
    def few(items: list[str]) -> str:
        return ", ".join(items[:6]) + (f" … ({len(items)} in all)" if len(items) > 6 else "")

    names = skipped["check"].astype(str).tolist()
    missing = sorted({c.strip() for text in skipped["missing_columns"].astype(str)
                      for c in text.split(",") if c.strip()})
    warnings.warn(
        f"{len(names)} check(s) skipped or partial, so the machine verdict is partial: "
        f"{few(names)}; missing: {few(missing)} (see CheckReport.skipped)",
        SkippedCheckWarning,
        stacklevel=3,
    )


def _failures(
    frame: pd.DataFrame,
    flags: pd.DataFrame,
    reasons: dict[str, np.ndarray | str],
    *,
    reveal: bool,
) -> pd.DataFrame:
    parts = []
    personal = FILING_SCHEMA.personal_columns()
    hit = {name: flags[name].to_numpy(dtype=bool) for name in flags.columns}
    flagged = np.flatnonzero(np.logical_or.reduce([*hit.values(), np.zeros(len(frame), bool)]))
    ids = take_rows(frame[["website_id"]], flagged)["website_id"].to_numpy(dtype=object)
    by_column: dict[str | None, list[str]] = {}
    for name in flags.columns:
        by_column.setdefault(CHECKS[name].column, []).append(name)
    for column, names in by_column.items():
        # the column's values at the rows its checks flag (one chunk-wise take)
        col_rows = np.flatnonzero(np.logical_or.reduce([hit[n] for n in names]))
        col_values = (
            take_rows(frame[[column]], col_rows)[column]
            if column is not None and column in frame.columns and len(col_rows) else None
        )
        for name in names:
            rows = np.flatnonzero(hit[name])
            if len(rows) == 0:
                continue
            check = CHECKS[name]
            values = (
                col_values.iloc[np.searchsorted(col_rows, rows)].astype(object)
                if col_values is not None
                else pd.Series([None] * len(rows), dtype=object)
            )
            values = values.map(lambda v: None if v is None or v is pd.NA else str(v))
            if column in personal and not reveal:
                values = mask_series(values.astype(STRING_DTYPE), personal[column])  # type: ignore[arg-type,index]
            elif not reveal:  # an ID number in a shifted row, a phone in a remark ...
                values = mask_personal(values)
            parts.append(
                pd.DataFrame(
                    {
                        "row": rows,
                        "website_id": ids[np.searchsorted(flagged, rows)],
                        "check": name,
                        "column": column,
                        "reason": reasons[name],
                        "severity": check.severity,
                        "block": check.block,
                        "value": values.to_numpy(dtype=object),
                    }
                )
            )
    columns = ["row", "website_id", "check", "column", "reason", "severity", "block", "value"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=STRING_DTYPE) for c in columns[1:]})
    out = pd.concat(parts, ignore_index=True).sort_values(["row", "check"], kind="stable")
    out = out.reset_index(drop=True)
    if not reveal:  # a key holding an ID number (a shifted row) is masked too
        out["website_id"] = mask_personal(out["website_id"])
    for c in columns[1:]:
        out[c] = out[c].astype(STRING_DTYPE)
    return out.drop(columns="row").reset_index(drop=True)
