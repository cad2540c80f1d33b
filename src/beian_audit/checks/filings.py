"""Run every field check and cross-field rule over a canonical filing table.

:func:`check_filings` is the automatic half of a spot check: it runs the field
checkers on every contact and identity column, then the cross-field rules, and
returns a :class:`CheckReport` with one boolean flag per check (``True`` = the
check found a problem), a long table of failures with reasons, and an automatic
``sponsor_info_ok`` / ``access_info_ok`` verdict per filing for the parts a
machine can decide.

The checks are data: each is one :class:`~beian_audit.checks.rules.Rule` of
:data:`~beian_audit.checks.rules.RULES` (name, block, severity, columns read,
function, reason codes, the verdict it feeds), and :func:`check_filings` runs
that table; ``rules=`` runs another (e.g. ``(*RULES, my_rule)``). The table of
checks in ``docs/checks-filings.md`` is generated from the same declarations
(``python -m beian_audit.checks.rules``). ``error`` checks decide the verdict;
``warning`` checks are reported but never decide it.

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

import html
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from beian_audit import _engine
from beian_audit._arrow import take_rows
from beian_audit._results import ResultMixin
from beian_audit.checks._common import _distinct_text, _str_array, check_bool, check_date
from beian_audit.checks.rules import (
    RULES,
    VERDICTS,
    FieldCheck,
    Gathered,
    Rule,
    RuleContext,
    check_rules,
)
from beian_audit.checks.rules import _in_ranges as _in_ranges  # re-exported (tests)
from beian_audit.checks.rules import ring_numbers as ring_numbers  # re-exported (scale)
from beian_audit.errors import (
    ArgumentError,
    ArgumentTypeError,
    SchemaError,
    SkippedCheckWarning,
)
from beian_audit.privacy import mask_personal, mask_series
from beian_audit.schema import FILING_SCHEMA, STRING_DTYPE

__all__ = [
    "CHECKS",
    "CHECK_LABELS_ZH",
    "RULES",
    "CheckReport",
    "Rule",
    "check_filings",
    "reason_label_zh",
]

#: Distinct values handed to a field checker at once (bounds its working memory).
_SLICE = 1 << 19

#: Every check :func:`check_filings` runs by default, by name (derived from
#: :data:`~beian_audit.checks.rules.RULES`; each has ``block``, ``severity``,
#: ``column``, ``description`` …).
CHECKS: dict[str, Rule] = {rule.name: rule for rule in RULES}

SKIPPED_COLUMNS = ("check", "block", "reason", "missing_columns")

#: Chinese label of every check (worksheet headings, Chinese reports).
CHECK_LABELS_ZH: dict[str, str] = {rule.name: rule.label_zh for rule in RULES}


def reason_label_zh(check: str, reason: str, *, rules: tuple[Rule, ...] = RULES) -> str:
    """The Chinese label of a failure's reason code (the code itself when unknown).

    The label comes from the rule's ``reasons`` (a field rule's are its
    checker's ``REASONS``); a check not among ``rules`` is looked up by its
    kind (``phone:<any column>``), then among the cross-field rules' codes.

    Examples
    --------
    >>> reason_label_zh("phone:sponsor_principal_mobile", "wrong_length")
    '号码位数不对'
    >>> reason_label_zh("icp_province", "province_mismatch")
    '与所填省份不一致'
    """
    by_name = {rule.name: rule for rule in rules}
    rule = by_name.get(check)
    if rule is None and ":" in check:
        kind = check.split(":", 1)[0] + ":"
        rule = next((r for r in rules if r.name.startswith(kind)), None)
    if rule is not None and reason in rule.reasons:
        return str(rule.reasons[reason][0])
    for other in rules:
        if not isinstance(other.function, FieldCheck) and reason in other.reasons:
            return str(other.reasons[reason][0])
    return reason


def _present(need: str, columns: set[str]) -> bool:
    return any(alt in columns for alt in need.split("|"))


def _runs(rule: Rule, columns: set[str], *, providers_given: bool) -> bool:
    """Whether a rule can run on these columns (the rules it reads are checked apart)."""
    return all(_present(need, columns) for need in rule.requires) and (
        providers_given or not rule.needs_providers
    )


def _skipped_checks(
    columns: list[str], ran: set[str], *, providers_given: bool, rules: tuple[Rule, ...] = RULES
) -> pd.DataFrame:
    """One row per check that did not run, or ran without some of its columns."""
    present = set(columns)
    rows = []
    for rule in rules:
        missing = [need for need in (*rule.requires, *rule.uses) if not _present(need, present)]
        if rule.name not in ran:
            if rule.needs_providers and not providers_given and not missing:
                reason, missing = "no_providers", ["--providers"]
            else:
                reason = "missing_column"
        elif missing:
            reason = "partial"
        else:
            continue
        rows.append({"check": rule.name, "block": rule.block, "reason": reason,
                     "missing_columns": ", ".join(missing)})
    return pd.DataFrame(rows, columns=list(SKIPPED_COLUMNS)).astype(STRING_DTYPE)


def _no_skipped() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=STRING_DTYPE) for c in SKIPPED_COLUMNS})


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
    rules : tuple of Rule
        The rules the checks were run from (default
        :data:`~beian_audit.checks.rules.RULES`).
    """

    flags: pd.DataFrame
    failures: pd.DataFrame
    verdict: pd.DataFrame
    groups: pd.DataFrame
    checks_run: tuple[str, ...]
    skipped: pd.DataFrame = field(default_factory=_no_skipped)
    rules: tuple[Rule, ...] = field(default=RULES, repr=False)

    def _rule(self, name: str) -> Rule:
        return next(rule for rule in self.rules if rule.name == name)

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
            check = self._rule(name)
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
            cols = [c for c in self.checks_run if self._rule(c).block == block]
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


def check_filings(
    frame: pd.DataFrame,
    *,
    providers: pd.DataFrame | None = None,
    ring_threshold: int = 3,
    reveal: bool = False,
    progress: bool = False,
    as_of: Any = None,
    workers: int | None = None,
    rules: tuple[Rule, ...] = RULES,
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
    rules : tuple of Rule, default RULES
        The checks to run (:data:`beian_audit.checks.rules.RULES`); add a check
        with ``rules=(*RULES, my_rule)`` (see :class:`~beian_audit.checks.rules.Rule`).
        Pandas frames only: a Dask frame runs the default rules.

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
    rules = _rules_entry(rules, frame)
    _check_entry(frame, providers, reveal=reveal, progress=progress)
    as_of = check_date("as_of", as_of)
    engine = _engine.dispatch("check_filings", frame)  # e.g. Dask: beian_audit.scale
    if engine is not None:
        report: CheckReport = engine(frame, providers=providers, ring_threshold=ring_threshold,
                                     reveal=reveal, progress=progress, as_of=as_of)
        return report
    _check_frame_arguments(frame, ring_threshold)

    index = frame.index
    flags: dict[str, np.ndarray] = {}
    reasons: dict[str, np.ndarray | str] = {}  # the reason of each flagged row, in row order
    context = RuleContext(frame, providers=providers, ring_threshold=ring_threshold, as_of=as_of)
    runnable = _runnable(rules, set(frame.columns), providers_given=providers is not None)
    read_later = {dep for rule in runnable for dep in rule.after}

    def record(name: str, bad: pd.Series | np.ndarray, why: pd.Series | np.ndarray | str) -> None:
        bad_array = np.asarray(bad, dtype=bool)
        if bad_array.shape != (len(frame),):
            raise ArgumentError(
                f"rule {name!r} returned {bad_array.shape} flags for {len(frame)} rows"
            )
        flags[name] = bad_array
        # reasons are only kept for the flagged rows (memory: a few checks flag most
        # rows, most flag few) and only read there, by _failures
        reasons[name] = why if isinstance(why, str) else np.asarray(why, dtype=object)[bad_array]

    def step(members: list[Rule]) -> Callable[[], None]:
        """Run the rules of one step: field checkers first, then the rules reading them."""

        def run_step() -> None:
            by_checker: dict[FieldCheck, list[Rule]] = {}
            for rule in members:
                if isinstance(rule.function, FieldCheck):
                    by_checker.setdefault(rule.function, []).append(rule)
            for checker, field_rules in by_checker.items():
                requests = [
                    (r.name, str(r.column), None if r.applies is None else r.applies(context))
                    for r in field_rules
                ]
                context._results.update(_field_rules(
                    frame, _bound(checker, context), requests, read_later, flags, reasons))
            try:
                for rule in members:
                    if not isinstance(rule.function, FieldCheck):
                        bad, why = rule.function(context)
                        record(rule.name, bad, why)
            finally:  # the distinct-value tables are large: free them now
                for rule in members:
                    context._results.pop(rule.name, None)

        return run_step

    # independent steps, costliest first (so threads share the work evenly)
    _run_steps([step(members) for members in _steps(runnable)], workers=workers,
               progress=progress)

    by_name = {rule.name: rule for rule in rules}
    order = [rule.name for rule in rules if rule.name in flags]
    flag_frame = pd.DataFrame({name: flags[name] for name in order}, index=index)
    verdict = _verdicts(flag_frame, rules)
    failures = _failures(frame, flag_frame, reasons, reveal=reveal, rules=by_name)
    keep = [c for c in ("website_id", "provider_id", "sponsor_province", "sponsor_nature",
                        "server_province") if c in frame.columns]
    skipped = _skipped_checks(list(frame.columns), set(order),
                              providers_given=providers is not None, rules=rules)
    if len(skipped):
        _warn_skipped(skipped)
    return CheckReport(
        flags=flag_frame,
        failures=failures,
        verdict=verdict,
        groups=frame[keep].copy(),
        checks_run=tuple(order),
        skipped=skipped,
        rules=rules,
    )


def _check_frame_arguments(frame: pd.DataFrame, ring_threshold: object) -> None:
    """``check_filings``'s checks of ``frame`` (a ``website_id``) and ``ring_threshold``."""
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


def _runnable(rules: tuple[Rule, ...], columns: set[str], *, providers_given: bool) -> list[Rule]:
    """The rules whose columns (and ``providers``) are there and whose ``after`` rules run."""
    runnable: list[Rule] = []
    for rule in rules:
        ran = {r.name for r in runnable}
        if _runs(rule, columns, providers_given=providers_given) and all(
            dep in ran for dep in rule.after
        ):
            runnable.append(rule)
    return runnable


def _field_rules(
    frame: pd.DataFrame,
    run: Callable[[pd.Series], pd.DataFrame],
    requests: list[tuple[str, str, pd.Series | None]],
    read_later: set[str],
    flags: dict[str, np.ndarray],
    reasons: dict[str, np.ndarray | str],
) -> dict[str, Gathered]:
    """The field rules ``(name, column, applies)`` of one checker, on distinct values.

    Values repeat across rows and columns (the sponsor's and the website's
    principal are often one person), so the requested columns are stacked, the
    checker runs once on their distinct values (plus one missing value) and
    the verdicts are gathered back by integer codes; only ``valid`` and, at
    flagged rows, ``reason`` are expanded to full length. Each rule sees only
    the rows it applies to. Writes each rule's flags and flagged rows' reasons
    into ``flags`` and ``reasons``; returns, for the rules other rules read
    (``read_later``), the distinct results and the row codes, by rule.
    """
    parts = []
    for name, column, applies in requests:
        values = frame[column]
        rows = (
            None if applies is None
            else np.flatnonzero(applies.fillna(False).to_numpy(dtype=bool))
        )
        parts.append((name, values if rows is None else values.iloc[rows], rows))
    stacked = (
        pd.concat([v for _, v, _ in parts], ignore_index=True)
        if len(parts) > 1 else parts[0][1]
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
    out: dict[str, Gathered] = {}
    offset = 0
    for name, values, rows in parts:
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
        if rows is None and name in read_later:
            out[name] = Gathered(result, sub, frame.index)
    return out


def _verdicts(flag_frame: pd.DataFrame, rules: tuple[Rule, ...]) -> pd.DataFrame:
    """One boolean column per verdict: no rule feeding it flagged the row.

    Missing (``NA``) where a rule that observes the verdict's block did not run:
    nothing of the block was observed, so it is unknown, not correct.
    """
    index = flag_frame.index
    by_name = {rule.name: rule for rule in rules}
    verdict = pd.DataFrame(index=index)
    for column in VERDICTS:
        cols = [c for c in flag_frame.columns if by_name[c].verdict == column]
        ok = ~flag_frame[cols].any(axis=1) if cols else pd.Series(True, index=index)
        verdict[column] = ok.astype("boolean")
        if any(r.observes and r.verdict == column and r.name not in flag_frame.columns
               for r in rules):
            verdict[column] = pd.Series(pd.NA, index=index, dtype="boolean")
    return verdict


def _bound(checker: FieldCheck, context: RuleContext) -> Callable[[pd.Series], pd.DataFrame]:
    return lambda values: checker.run(values, context)


def _rules_entry(rules: object, frame: object) -> tuple[Rule, ...]:
    """Validate ``rules=``; other rules than the default are for pandas frames only."""
    out = check_rules(rules)
    if out != RULES and _engine.handled(frame):
        raise ArgumentError(
            "rules= other than the default is not supported for a Dask DataFrame; "
            "check a pandas frame (e.g. frame.compute()) instead"
        )
    return out


def _steps(rules: list[Rule]) -> list[list[Rule]]:
    """Group rules into independent steps, costliest first.

    Rules sharing a field checker are one step (the checker runs once on their
    distinct values), and so are a rule and the field rules it reads (``after``).
    """
    parent = list(range(len(rules)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[object, int] = {}
    for i, rule in enumerate(rules):
        keys: list[object] = [rule.function] if isinstance(rule.function, FieldCheck) else []
        keys += [("rule", dep) for dep in rule.after]
        first.setdefault(("rule", rule.name), i)
        for key in keys:
            j = first.setdefault(key, i)
            parent[root(i)] = root(j)
    groups: dict[int, list[Rule]] = {}
    for i, rule in enumerate(rules):
        groups.setdefault(root(i), []).append(rule)

    def cost(members: list[Rule]) -> int:
        checkers = {r.function for r in members if isinstance(r.function, FieldCheck)}
        return sum(c.cost for c in checkers) + sum(
            1 for r in members if not isinstance(r.function, FieldCheck)
        )

    return sorted(groups.values(), key=cost, reverse=True)  # stable: ties keep rule order


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
    rules: dict[str, Rule],
) -> pd.DataFrame:
    parts = []
    personal = FILING_SCHEMA.personal_columns()
    hit = {name: flags[name].to_numpy(dtype=bool) for name in flags.columns}
    flagged = np.flatnonzero(np.logical_or.reduce([*hit.values(), np.zeros(len(frame), bool)]))
    ids = take_rows(frame[["website_id"]], flagged)["website_id"].to_numpy(dtype=object)
    by_column: dict[str | None, list[str]] = {}
    for name in flags.columns:
        by_column.setdefault(rules[name].column, []).append(name)
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
            check = rules[name]
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
