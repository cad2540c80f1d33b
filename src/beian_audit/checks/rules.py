"""The checks of :func:`~beian_audit.check_filings`, declared once each as data.

Every check is one :class:`Rule`: its name, the block it counts against
(sponsor, website or access information), its severity, the columns it reads,
the function that decides it, its reason codes with their Chinese and English
labels, and the verdict it feeds. :data:`RULES` holds them in report order;
:func:`~beian_audit.check_filings` runs that table (or another one passed as
``rules=``), ``CHECKS`` and ``CHECK_LABELS_ZH`` are derived from it, and the
table of checks in the documentation is generated from it by
:func:`rules_markdown` (``python -m beian_audit.checks.rules`` prints it;
``python scripts/update_docs_tables.py`` rewrites the docs page).

A rule's ``function`` is either

* a :class:`FieldCheck` (a field checker such as :func:`~beian_audit.check_phone`):
  the rule checks its ``column`` with it. All the rules that share one
  :class:`FieldCheck` are run together, once on the distinct values of all
  their columns; ``applies`` (optional) restricts a rule to some rows;
* or a function of a :class:`RuleContext` returning ``(flagged, reason)``: a
  boolean per row (``True`` = a problem) and the reason code, either one string
  or a Series of codes per row (read at the flagged rows). Such a rule may read
  the results of field rules it names in ``after``.

A rule runs when every column in ``requires`` is present (``"a|b"``: either
column) and, if ``needs_providers``, a provider table was given; otherwise it is
listed in ``CheckReport.skipped``. When a column of ``uses`` is absent the rule
runs in part and is listed as ``partial``; ``optional`` columns are read when
present and never make it partial.

Examples
--------
>>> from beian_audit.checks.rules import RULES, rules_table
>>> len(RULES), RULES[0].name, RULES[0].verdict
(24, 'phone:sponsor_principal_mobile', 'sponsor_info_ok')
>>> rules_table().query("check == 'access_wrong_provider'")[["block", "verdict"]].values.tolist()
[['access', 'access_info_ok']]

A rule of one's own, passed to :func:`~beian_audit.check_filings`:

>>> import pandas as pd, warnings
>>> import beian_audit as ba
>>> long_name = Rule(
...     name="long_sponsor_name", block="sponsor", severity="warning",
...     column="sponsor_name", requires=("sponsor_name",), verdict=None,
...     description="sponsor name longer than 10 characters", label_zh="主办者名称过长",
...     reasons={"too_long": ("名称过长", "name too long")},
...     function=lambda ctx: (ctx.frame["sponsor_name"].str.len().gt(10).fillna(False),
...                           "too_long"))
>>> frame = pd.DataFrame({"website_id": ["W1", "W2"],
...                       "sponsor_name": ["某某", "某某某某某某某某某某某某有限公司"]})
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     report = ba.check_filings(frame, rules=(*RULES, long_name))
>>> report.flags["long_sponsor_name"].tolist()
[False, True]
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from beian_audit.checks import address as _address
from beian_audit.checks import email as _email
from beian_audit.checks import icp as _icp
from beian_audit.checks import identity as _identity
from beian_audit.checks import network as _network
from beian_audit.checks import phone as _phone
from beian_audit.checks._common import as_text
from beian_audit.errors import ArgumentError, ArgumentTypeError, SchemaError
from beian_audit.schema import STRING_DTYPE

__all__ = [
    "RULES",
    "FieldCheck",
    "Rule",
    "RuleContext",
    "main",
    "ring_numbers",
    "rules_markdown",
    "rules_table",
]

Block = Literal["sponsor", "website", "access"]
Severity = Literal["error", "warning"]
Verdict = Literal["sponsor_info_ok", "access_info_ok"]
#: The verdict columns of a CheckReport, in order.
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)

#: What a rule function returns: flagged rows and their reason code(s).
Outcome = tuple[pd.Series | np.ndarray, str | pd.Series]


# --------------------------------------------------------------------------- declarations


@dataclass(frozen=True, slots=True, eq=False)
class FieldCheck:
    """A field checker that rules share; it runs once on the distinct values of their columns.

    Attributes
    ----------
    name : str
        How the documentation names it, e.g. ``"check_phone(kind='mobile')"``.
    run : callable
        ``run(values, context) -> DataFrame`` with at least ``valid`` and
        ``reason`` (a ``missing`` reason never flags a row), one row per value.
    reasons : mapping
        Reason code -> (Chinese label, English label) of the checker.
    reasons_ref : str
        Where those codes are documented, e.g. ``"beian_audit.checks.phone.REASONS"``.
    cost : int
        Relative running time: steps run costliest first (never changes the report).
    """

    name: str
    run: Callable[[pd.Series, RuleContext], pd.DataFrame]
    reasons: Mapping[str, tuple[str, str]]
    reasons_ref: str
    cost: int = 1


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Rule:
    """One check of :func:`~beian_audit.check_filings`, declared once.

    Attributes
    ----------
    name : str
        Column of ``CheckReport.flags`` and ``check`` of its failures.
    block : {"sponsor", "website", "access"}
        The part of the filing it examines.
    severity : {"error", "warning"}
        Only errors feed a verdict; warnings are reported.
    column : str or None
        The column whose value a failure shows (``None``: no value).
    requires : tuple of str
        Columns without which the rule does not run (``"a|b"``: either).
    function : FieldCheck or callable
        The check: a shared field checker applied to ``column``, or
        ``function(context) -> (flagged, reason)``.
    verdict : {"sponsor_info_ok", "access_info_ok"} or None
        The verdict an error of this rule makes ``False``.
    description : str
        What it checks (English; the "rule" column of the docs' table).
    label_zh : str
        Chinese name (worksheet headings, Chinese reports).
    reasons : mapping, optional
        Reason code -> (Chinese, English) label; defaults to the field checker's.
    uses : tuple of str
        Further columns it reads; without one it runs in part (``partial``).
    optional : tuple of str
        Columns it reads when present and does not miss otherwise.
    applies : callable, optional
        Field rules only: ``applies(context)`` -> boolean Series of the rows it
        checks, or ``None`` for every row.
    after : tuple of str
        Field rules whose results (``context.result(name)``) it reads; they run
        first, in the same step.
    needs_providers : bool
        Runs only with a provider table (else skipped as ``no_providers``).
    observes : bool
        The rule observes the block at all: when it does not run, its verdict
        is NA for every row (nothing was observed) instead of ``True``.
    """

    name: str
    block: Block
    severity: Severity
    column: str | None
    requires: tuple[str, ...]
    function: FieldCheck | Callable[[RuleContext], Outcome]
    verdict: Verdict | None
    description: str
    label_zh: str
    reasons: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    uses: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    applies: Callable[[RuleContext], pd.Series | None] | None = None
    after: tuple[str, ...] = ()
    needs_providers: bool = False
    observes: bool = False

    def __post_init__(self) -> None:
        def fail(what: str) -> ArgumentError:
            return ArgumentError(f"rule {self.name!r}: {what}")

        if not isinstance(self.name, str) or not self.name:
            raise ArgumentTypeError(f"a rule's name must be a non-empty string, not {self.name!r}")
        for attr, allowed in (("block", get_args(Block)), ("severity", get_args(Severity)),
                              ("verdict", (*VERDICTS, None))):
            if getattr(self, attr) not in allowed:
                raise fail(f"{attr} ({getattr(self, attr)!r}) must be one of {list(allowed)!r}")
        if self.severity == "warning" and self.verdict is not None:
            raise fail("a warning feeds no verdict (verdict=None)")
        for attr in ("requires", "uses", "optional", "after"):
            value = getattr(self, attr)
            if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
                raise fail(f"{attr} must be a tuple of strings, not {value!r}")
        if not self.requires:
            raise fail("requires must name at least one column")
        if isinstance(self.function, FieldCheck):
            if self.column is None or self.column not in self.requires:
                raise fail("a field rule checks its column, which must be in requires")
            if self.after:
                raise fail("a field rule cannot read other rules' results (after)")
            if not self.reasons:
                object.__setattr__(self, "reasons", self.function.reasons)
        elif not callable(self.function):
            raise fail("function must be a FieldCheck or a callable of a RuleContext")
        elif self.applies is not None:
            raise fail("applies is for field rules; a rule function selects its rows itself")

    @property
    def reads(self) -> tuple[str, ...]:
        """Every column the rule reads: ``requires + uses + optional``."""
        return (*self.requires, *self.uses, *self.optional)


class RuleContext:
    """What a rule function sees: the frame, the options and the field results.

    Attributes
    ----------
    frame : DataFrame
        The checked frame (canonical columns).
    providers : DataFrame or None
        The provider table.
    ring_threshold : int
        As passed to :func:`~beian_audit.check_filings`.
    as_of : date or None
        Reference date.
    declared_province : Series or None
        GB/T 2260 code of ``sponsor_province`` (None without that column).
    cert_kind : Series
        ``"id"``, ``"credit"``, ``"org"`` or NA: what the sponsor certificate is.
    """

    __slots__ = ("_lock", "_memo", "_results", "as_of", "cert_kind", "declared_province",
                 "frame", "providers", "ring_threshold")

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        providers: pd.DataFrame | None = None,
        ring_threshold: int = 3,
        as_of: Any = None,
    ) -> None:
        self.frame = frame
        self.providers = providers
        self.ring_threshold = ring_threshold
        self.as_of = as_of
        self.declared_province = (
            _province_code_of_name(frame["sponsor_province"])
            if "sponsor_province" in frame.columns
            else None
        )
        self.cert_kind = _cert_kind(frame)
        self._results: dict[str, Gathered] = {}
        self._memo: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def index(self) -> pd.Index:
        """The frame's row labels."""
        return self.frame.index

    def column(self, name: str) -> pd.Series | None:
        """A column of the frame, or ``None`` when it is absent."""
        return self.frame[name] if name in self.frame.columns else None

    def result(self, rule: str) -> Gathered:
        """The field checker's result of a field rule named in this rule's ``after``."""
        try:
            return self._results[rule]
        except KeyError:
            raise ArgumentError(
                f"no field result for {rule!r}: name it in the rule's 'after'"
            ) from None

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per check run (shared by the rules that ask for ``key``)."""
        with self._lock:
            if key not in self._memo:
                self._memo[key] = compute()
            return self._memo[key]


@dataclass(frozen=True, slots=True)
class Gathered:
    """A field checker's result on distinct values and the row -> distinct-value codes."""

    result: pd.DataFrame
    codes: np.ndarray
    index: pd.Index

    def __getitem__(self, column: str) -> pd.Series:
        """One output column at full length, with the frame's index."""
        values = self.result[column]
        return pd.Series(values.array.take(self.codes), index=self.index, name=column)


# --------------------------------------------------------------------------- helpers

_ID_CARD = {"居民身份证", "身份证", "resident_id"}
_CREDIT = {"统一社会信用代码", "统一社会信用代码证书", "营业执照(统一社会信用代码)", "credit_code"}
_ORG = {"组织机构代码", "组织机构代码证", "org_code"}
_ORG_NAME = (
    r"(?:公司|有限|集团|工作室|中心|协会|学会|研究院|研究所|学校|大学|学院|医院|委员会|局|厅|厂|店"
    r"|社|门市部|经营部|商行|事务所|合作社|酒店|超市|商店)$"
)


def _province_code_of_name(names: pd.Series) -> pd.Series:
    """Map declared province names (北京市 / 北京 / 110000) to GB/T 2260 province codes."""
    divisions = _address.load_divisions()
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


def _cert_kind(frame: pd.DataFrame) -> pd.Series:
    """What the sponsor certificate is: "id", "credit", "org" or NA (not machine-checkable)."""
    out = pd.Series(pd.NA, index=frame.index, dtype=STRING_DTYPE)
    if "sponsor_cert_type" in frame.columns:
        ctype = frame["sponsor_cert_type"]
        out[ctype.isin(_ID_CARD).fillna(False).astype(bool)] = "id"
        out[ctype.isin(_CREDIT).fillna(False).astype(bool)] = "credit"
        out[ctype.isin(_ORG).fillna(False).astype(bool)] = "org"
    return out


def ring_numbers(e164: pd.Series, reason: pd.Series) -> pd.Series:
    """The numbers ring detection compares: E.164 forms, without placeholders.

    A placeholder (13800000000) shared by many sponsors is already flagged as
    such; it is no evidence of one person behind many filings.
    """
    return e164.mask(reason.eq("placeholder").fillna(False).to_numpy(dtype=bool))


def _in_ranges(ips: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Whether each address lies in ``[first, last]`` (same IP version), per item.

    Dotted-decimal IPv4 triples are compared as integers, vectorised; the rest
    (IPv6, other spellings) with :mod:`ipaddress`.
    """
    import ipaddress

    import pyarrow as pa

    from beian_audit.checks._common import _match
    from beian_audit.checks.ip_lists import _STRICT_V4, _ipv4_ints

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


def _mismatch(found: pd.Series, declared: pd.Series | None) -> pd.Series:
    """Both known and different (a missing side is no evidence)."""
    assert declared is not None  # the rule requires sponsor_province
    found = found.astype(STRING_DTYPE)
    return (found.notna() & declared.notna() & (found != declared)).fillna(False)


# --------------------------------------------------------------------------- field checkers

PHONE_MOBILE = FieldCheck(
    "check_phone(kind='mobile')", lambda v, ctx: _phone.check_phone(v, kind="mobile"),
    _phone.REASONS, "beian_audit.checks.phone.REASONS", cost=7,
)
PHONE = FieldCheck(
    "check_phone", lambda v, ctx: _phone.check_phone(v), _phone.REASONS,
    "beian_audit.checks.phone.REASONS", cost=7,
)
EMAIL = FieldCheck(
    "check_email", lambda v, ctx: _email.check_email(v), _email.REASONS,
    "beian_audit.checks.email.REASONS", cost=4,
)
RESIDENT_ID = FieldCheck(
    "check_resident_id", lambda v, ctx: _identity.check_resident_id(v, as_of=ctx.as_of),
    _identity.REASONS, "beian_audit.checks.identity.REASONS", cost=2,
)
CREDIT_CODE = FieldCheck(
    "check_credit_code", lambda v, ctx: _identity.check_credit_code(v), _identity.REASONS,
    "beian_audit.checks.identity.REASONS", cost=1,
)
ORG_CODE = FieldCheck(
    "check_org_code", lambda v, ctx: _identity.check_org_code(v), _identity.REASONS,
    "beian_audit.checks.identity.REASONS", cost=1,
)
ADDRESS = FieldCheck(
    "check_address", lambda v, ctx: _address.check_address(v), _address.REASONS,
    "beian_audit.checks.address.REASONS", cost=10,
)
ICP = FieldCheck(
    "check_icp_number", lambda v, ctx: _icp.check_icp_number(v, as_of=ctx.as_of),
    _icp.REASONS, "beian_audit.checks.icp.REASONS", cost=4,
)
DOMAIN = FieldCheck(
    "check_domain", lambda v, ctx: _network.check_domain(v), _network.REASONS,
    "beian_audit.checks.network.REASONS", cost=3,
)


# --------------------------------------------------------------------------- rule functions


def _id_card_rows(principal: str) -> Callable[[RuleContext], pd.Series | None]:
    """A principal's ID number is checked as an ID card when its type is one (or unknown)."""

    def applies(ctx: RuleContext) -> pd.Series | None:
        id_type = ctx.column(f"{principal}_id_type")
        return None if id_type is None else (id_type.isin(_ID_CARD) | id_type.isna())

    return applies


def _icp_province(ctx: RuleContext) -> Outcome:
    prefix = ctx.result("icp:website_icp_number")["province_code"]
    return _mismatch(prefix, ctx.declared_province), "province_mismatch"


def _address_province(ctx: RuleContext) -> Outcome:
    found = ctx.result("address:sponsor_address")["province_code"]
    return _mismatch(found, ctx.declared_province), "province_mismatch"


def _nature_certificate(ctx: RuleContext) -> Outcome:
    nature = ctx.frame["sponsor_nature"]
    name = ctx.column("sponsor_name")
    index = ctx.index
    personal = nature.eq("个人").fillna(False).astype(bool)
    organisation_name = (
        name.str.contains(_ORG_NAME, regex=True).fillna(False).astype(bool)
        if name is not None
        else pd.Series(False, index=index)
    )
    why = pd.Series(None, index=index, dtype=object)
    id_cert = ctx.cert_kind.eq("id").fillna(False).astype(bool)
    org_cert = ctx.cert_kind.isin(["credit", "org"]).fillna(False).astype(bool)
    why[personal & organisation_name] = "organisation_filed_as_person"
    if ctx.column("sponsor_cert_type") is not None:
        why[personal & org_cert] = "person_with_organisation_certificate"
        why[~personal & nature.notna().to_numpy(dtype=bool) & id_cert] = (
            "organisation_with_id_card"
        )
    return why.notna(), why


def _shared_mobile(ctx: RuleContext) -> Outcome:
    mobile = ctx.result("phone:sponsor_principal_mobile")
    frame = ctx.frame
    owner_col = "sponsor_id" if "sponsor_id" in frame.columns else "sponsor_name"
    number = ring_numbers(mobile["e164"], mobile["reason"])
    owner = frame[owner_col]
    keep = (number.notna() & owner.notna()).to_numpy(dtype=bool)
    # distinct owners per number, from integer codes (a groupby-nunique on objects
    # takes seconds at national scale)
    number_codes, numbers = pd.factorize(number[keep])
    owner_codes, owners = pd.factorize(owner[keep].astype(object))
    pairs = np.unique(number_codes.astype(np.int64) * max(len(owners), 1) + owner_codes)
    count = np.bincount(pairs // max(len(owners), 1), minlength=len(numbers))
    ringed = numbers[count >= ctx.ring_threshold]
    return number.isin(ringed).to_numpy(dtype=bool), "shared_by_unrelated_sponsors"


def _area_code_province(ctx: RuleContext) -> Outcome:
    area = ctx.result("phone:sponsor_principal_phone")["province_code"]
    return _mismatch(area, ctx.declared_province), "area_code_province_mismatch"


def _resolved(ctx: RuleContext) -> tuple[pd.Series, np.ndarray]:
    """``resolved_ip`` as text and which rows did not resolve (computed once per run)."""

    def compute() -> tuple[pd.Series, np.ndarray]:
        resolved = ctx.frame["resolved_ip"]
        arrow_text = isinstance(resolved.dtype, pd.StringDtype) and resolved.dtype.storage == (
            "pyarrow"
        )
        text = resolved if arrow_text else as_text(resolved)  # as_text changes nothing there
        return text, text.isna().to_numpy(dtype=bool)

    out: tuple[pd.Series, np.ndarray] = ctx.memo("resolved_ip", compute)
    return out


def _access_unresolved(ctx: RuleContext) -> Outcome:
    return _resolved(ctx)[1], "domain_unresolved"


def _access_ip_not_filed(ctx: RuleContext) -> Outcome:
    from beian_audit.checks.ip_lists import parse_ip_list

    text, unresolved = _resolved(ctx)
    n = len(ctx.frame)
    items = parse_ip_list(ctx.frame["ip_addresses"].set_axis(np.arange(n)))
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
    matched = np.zeros(n, dtype=bool)
    matched[item_rows[same]] = True
    return ~unresolved & ~matched, "resolved_ip_not_filed"


def _access_wrong_provider(ctx: RuleContext) -> Outcome:
    from beian_audit.checks.ip_lists import IpRangeIndex

    providers = ctx.providers
    assert providers is not None  # the rule needs providers
    for need in ("provider_id", "ip_ranges"):
        if need not in providers.columns:
            raise SchemaError(
                f"providers needs a {need!r} column",
                pd.DataFrame({"row": [pd.NA], "column": [need], "value": [None],
                              "reason": ["missing_column"]}),
            )
    text, unresolved = _resolved(ctx)
    ranges = providers.dropna(subset=["ip_ranges"])
    index_ = IpRangeIndex.from_ranges(
        ranges["provider_id"].astype(object), ranges["ip_ranges"].astype(object),
        on_invalid="skip",
    )
    owner = index_.lookup(text).astype(STRING_DTYPE).to_numpy(dtype=object, na_value="")
    filed_provider = ctx.frame["provider_id"].astype(STRING_DTYPE)
    wrong = ~unresolved & (owner != filed_provider.to_numpy(dtype=object, na_value=""))
    return wrong, "ip_outside_provider_ranges"


# --------------------------------------------------------------------------- the rules

_PROVINCE_MISMATCH = {
    "province_mismatch": ("与所填省份不一致", "differs from the declared province"),
}


def _principal_rules(p: str, zh: str, who: str) -> tuple[Rule, ...]:
    """The four contact and identity rules of one principal (sponsor's or website's)."""
    return (
        Rule(name=f"phone:{p}_mobile", block="sponsor", severity="error", column=f"{p}_mobile",
             requires=(f"{p}_mobile",), function=PHONE_MOBILE, verdict="sponsor_info_ok",
             description=f"{who}'s mobile number", label_zh=f"{zh}手机号码"),
        Rule(name=f"phone:{p}_phone", block="sponsor", severity="error", column=f"{p}_phone",
             requires=(f"{p}_phone",), function=PHONE, verdict="sponsor_info_ok",
             description=f"{who}'s office phone (mobile or fixed line)",
             label_zh=f"{zh}办公电话"),
        Rule(name=f"email:{p}_email", block="sponsor", severity="error", column=f"{p}_email",
             requires=(f"{p}_email",), function=EMAIL, verdict="sponsor_info_ok",
             description=f"{who}'s email address, typo domains included",
             label_zh=f"{zh}电子邮箱"),
        Rule(name=f"resident_id:{p}_id_number", block="sponsor", severity="error",
             column=f"{p}_id_number", requires=(f"{p}_id_number",),
             optional=(f"{p}_id_type",), function=RESIDENT_ID, applies=_id_card_rows(p),
             verdict="sponsor_info_ok",
             description=f"{who}'s ID number, when the ID type is an ID card (or not given)",
             label_zh=f"{zh}身份证号码"),
    )


#: Every rule :func:`~beian_audit.check_filings` runs, in report order.
RULES: tuple[Rule, ...] = (
    *_principal_rules("sponsor_principal", "主体负责人", "sponsor principal"),
    *_principal_rules("website_principal", "网站负责人", "website principal"),
    Rule(name="resident_id:sponsor_cert_number", block="sponsor", severity="error",
         column="sponsor_cert_number", requires=("sponsor_cert_number",),
         uses=("sponsor_cert_type",), function=RESIDENT_ID,
         applies=lambda ctx: ctx.cert_kind.eq("id"), verdict="sponsor_info_ok",
         description="the sponsor's certificate number when it is an ID card",
         label_zh="主办者身份证号码"),
    Rule(name="credit_code:sponsor_cert_number", block="sponsor", severity="error",
         column="sponsor_cert_number", requires=("sponsor_cert_number",),
         uses=("sponsor_cert_type",), function=CREDIT_CODE,
         applies=lambda ctx: ctx.cert_kind.eq("credit"), verdict="sponsor_info_ok",
         description="unified social credit code (GB 32100) when the certificate is one",
         label_zh="主办者统一社会信用代码"),
    Rule(name="org_code:sponsor_cert_number", block="sponsor", severity="error",
         column="sponsor_cert_number", requires=("sponsor_cert_number",),
         uses=("sponsor_cert_type",), function=ORG_CODE,
         applies=lambda ctx: ctx.cert_kind.eq("org"), verdict="sponsor_info_ok",
         description="organisation code (GB 11714) when the certificate is one",
         label_zh="主办者组织机构代码"),
    Rule(name="address:sponsor_address", block="sponsor", severity="error",
         column="sponsor_address", requires=("sponsor_address",), function=ADDRESS,
         verdict="sponsor_info_ok",
         description="postal address: door number, no PO box, resolvable divisions",
         label_zh="主办者通信地址"),
    Rule(name="address:sponsor_cert_address", block="sponsor", severity="error",
         column="sponsor_cert_address", requires=("sponsor_cert_address",), function=ADDRESS,
         verdict="sponsor_info_ok", description="address on the sponsor's certificate",
         label_zh="主办者证件住所"),
    Rule(name="icp:sponsor_icp_number", block="sponsor", severity="error",
         column="sponsor_icp_number", requires=("sponsor_icp_number",), function=ICP,
         verdict="sponsor_info_ok", description="the sponsor's ICP filing number",
         label_zh="主体备案号"),
    Rule(name="icp:website_icp_number", block="sponsor", severity="error",
         column="website_icp_number", requires=("website_icp_number",), function=ICP,
         verdict="sponsor_info_ok", description="the website's ICP filing number",
         label_zh="网站备案号"),
    Rule(name="icp_province", block="sponsor", severity="error", column="website_icp_number",
         requires=("website_icp_number", "sponsor_province"), function=_icp_province,
         after=("icp:website_icp_number",), verdict="sponsor_info_ok",
         reasons=_PROVINCE_MISMATCH,
         description="the ICP prefix's province equals the declared sponsor province",
         label_zh="备案号省份与主办者省份"),
    Rule(name="address_province", block="sponsor", severity="error", column="sponsor_address",
         requires=("sponsor_address", "sponsor_province"), function=_address_province,
         after=("address:sponsor_address",), verdict="sponsor_info_ok",
         reasons=_PROVINCE_MISMATCH,
         description="the postal address's province equals the declared sponsor province",
         label_zh="通信地址省份与主办者省份"),
    Rule(name="nature_certificate", block="sponsor", severity="error",
         column="sponsor_cert_type", requires=("sponsor_nature",),
         uses=("sponsor_cert_type", "sponsor_name"), function=_nature_certificate,
         verdict="sponsor_info_ok",
         reasons={
             "organisation_filed_as_person": (
                 "单位以个人性质备案", "an organisation's name filed as a person (个人)"),
             "person_with_organisation_certificate": (
                 "个人备案使用单位证件", "a person filed with an organisation's certificate"),
             "organisation_with_id_card": (
                 "单位备案使用个人身份证", "an organisation filed with an ID card"),
         },
         description="the sponsor's nature agrees with its certificate type and name "
                     "(a \"…公司\" filed as 个人, an ID card for an organisation, …)",
         label_zh="主办单位性质与证件"),
    Rule(name="shared_mobile", block="sponsor", severity="error",
         column="sponsor_principal_mobile",
         requires=("sponsor_principal_mobile", "sponsor_id|sponsor_name"),
         function=_shared_mobile, after=("phone:sponsor_principal_mobile",),
         verdict="sponsor_info_ok",
         reasons={"shared_by_unrelated_sponsors": (
             "同一手机号码被多个无关主体使用", "one mobile shared by unrelated sponsors")},
         description="one mobile shared by `ring_threshold` (3) or more unrelated sponsors, "
                     "a fake-filing ring (placeholders such as 13800000000 are left to the "
                     "phone check)",
         label_zh="手机号码被多个主体共用"),
    Rule(name="area_code_province", block="sponsor", severity="warning",
         column="sponsor_principal_phone",
         requires=("sponsor_principal_phone", "sponsor_province"),
         function=_area_code_province, after=("phone:sponsor_principal_phone",), verdict=None,
         reasons={"area_code_province_mismatch": (
             "电话区号与所填省份不一致", "area code of another province")},
         description="the fixed-line area code's province equals the declared province",
         label_zh="电话区号与主办者省份"),
    Rule(name="domain", block="website", severity="error", column="domain",
         requires=("domain",), function=DOMAIN, verdict=None,
         description="domain syntax (IDNA UTS-46) and a public suffix", label_zh="网站域名"),
    Rule(name="access_unresolved", block="access", severity="error", column="resolved_ip",
         requires=("resolved_ip",), function=_access_unresolved, verdict="access_info_ok",
         observes=True,
         reasons={"domain_unresolved": ("域名无法解析", "the domain does not resolve")},
         description="the domain does not resolve (`resolved_ip` empty)", label_zh="域名解析"),
    Rule(name="access_ip_not_filed", block="access", severity="error", column="resolved_ip",
         requires=("resolved_ip", "ip_addresses"), function=_access_ip_not_filed,
         verdict="access_info_ok",
         reasons={"resolved_ip_not_filed": (
             "解析IP不在备案IP中", "the resolved IP is not among the filed IPs")},
         description="the resolved IP is not one of the filed IPs (or in a filed range)",
         label_zh="解析IP与备案IP"),
    Rule(name="access_wrong_provider", block="access", severity="error", column="resolved_ip",
         requires=("resolved_ip", "provider_id"), needs_providers=True,
         function=_access_wrong_provider, verdict="access_info_ok",
         reasons={"ip_outside_provider_ranges": (
             "解析IP不属于备案的接入服务商", "the resolved IP is outside the provider's ranges")},
         description="the resolved IP is outside the filed provider's announced ranges",
         label_zh="解析IP与接入服务商"),
)


def check_rules(rules: object) -> tuple[Rule, ...]:
    """Validate a table of rules (``check_filings(rules=)``): Rules, unique names, ``after``.

    Examples
    --------
    >>> check_rules(RULES) == RULES
    True
    >>> check_rules(RULES + RULES[:1])
    Traceback (most recent call last):
    ...
    beian_audit.errors.ArgumentError: rules has duplicate names ['phone:sponsor_principal_mobile']
    """
    if not isinstance(rules, tuple | list) or not all(isinstance(r, Rule) for r in rules):
        raise ArgumentTypeError(
            f"rules must be a tuple of Rule (e.g. (*RULES, my_rule)), not {type(rules).__name__}"
        )
    out = tuple(rules)
    names = [r.name for r in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ArgumentError(f"rules has duplicate names {dup}")
    seen: dict[str, Rule] = {}
    for rule in out:
        for dep in rule.after:
            if dep not in seen or not isinstance(seen[dep].function, FieldCheck):
                raise ArgumentError(
                    f"rule {rule.name!r} reads {dep!r}, which must be a field rule listed before it"
                )
            if seen[dep].applies is not None:
                raise ArgumentError(
                    f"rule {rule.name!r} reads {dep!r}, which checks only some rows (applies)"
                )
        seen[rule.name] = rule
    return out


# --------------------------------------------------------------------------- documentation


def _code_list(items: tuple[str, ...], suffix: str = "") -> list[str]:
    return [" or ".join(f"`{alt}`" for alt in item.split("|")) + suffix for item in items]


def rules_table(rules: tuple[Rule, ...] = RULES) -> pd.DataFrame:
    """One row per rule: what the docs' table of checks shows.

    Columns: ``check``, ``block``, ``severity``, ``verdict``, ``reads``
    (Markdown: the required columns, then ``uses`` marked "else partial" and
    ``optional`` marked "optional"), ``reasons`` (the codes, or the field
    checker's table) and ``rule`` (the description).

    Examples
    --------
    >>> rules_table().set_index("check").loc["icp_province", "reasons"]
    '`province_mismatch`'
    """
    rows = []
    for rule in rules:
        reads = (_code_list(rule.requires) + _code_list(rule.uses, " (else partial)")
                 + _code_list(rule.optional, " (optional)"))
        if isinstance(rule.function, FieldCheck) and rule.reasons is rule.function.reasons:
            reasons = f"`{rule.function.name}`: `{rule.function.reasons_ref}`"
        else:
            reasons = ", ".join(f"`{code}`" for code in rule.reasons)
        rows.append({
            "check": rule.name,
            "block": rule.block,
            "severity": rule.severity,
            "verdict": rule.verdict or "",
            "reads": ", ".join(reads) + ("; a provider table" if rule.needs_providers else ""),
            "reasons": reasons,
            "rule": rule.description,
        })
    return pd.DataFrame(rows, columns=["check", "block", "severity", "verdict", "reads",
                                       "reasons", "rule"])


def rules_markdown(rules: tuple[Rule, ...] = RULES) -> str:
    """The docs' table of checks (Markdown), generated from the rules.

    Examples
    --------
    >>> print(rules_markdown().splitlines()[0])
    | check | block | severity | verdict | reads | reasons | rule |
    """
    table = rules_table(rules)
    lines = ["| " + " | ".join(table.columns) + " |",
             "|" + "---|" * len(table.columns)]
    for row in table.itertuples(index=False):
        cells = [f"`{row.check}`", *(str(v).replace("|", "\\|") for v in row[1:])]
        cells = [c if c else "–" for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    """``python -m beian_audit.checks.rules``: print the table of checks (Markdown)."""
    print(rules_markdown(), end="")


if __name__ == "__main__":  # pragma: no cover
    main()
