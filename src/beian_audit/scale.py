"""The Dask engine: the same checks, plan, draw and estimates on a partitioned registry.

:func:`~beian_audit.check_filings`, :func:`~beian_audit.plan_sample`,
:func:`~beian_audit.draw_sample` and :func:`~beian_audit.estimate_proportion`
accept a Dask DataFrame (for instance a partitioned Parquet registry read with
``dask.dataframe.read_parquet``) and hand it to the functions of this module,
which registers them with :mod:`beian_audit._engine` when it is imported (the
kernels never import this module; the registry imports it on the first Dask
collection it sees).
They run the pandas code of the package unchanged on every partition, so the
answers are **exactly** those of pandas on the concatenated frame, whatever the
number of partitions (``tests/test_scale_dask.py`` checks 2 and 7, and any
split of a frame rich in shared mobiles):

* :func:`check_filings_dask` — every check is row-wise except ``shared_mobile``
  (a mobile shared by ``ring_threshold`` or more distinct sponsors in the whole
  registry). A first pass reads only the mobile and sponsor columns and counts
  the distinct sponsors of every normalised mobile with a Dask ``groupby``;
  the second pass maps :func:`~beian_audit.check_filings` over the partitions,
  each partition completed by a few marker rows that carry the registry-wide
  rings into it (see Notes of :func:`check_filings_dask`). The report is a
  pandas :class:`~beian_audit.CheckReport` (computed): for 5 M filings its
  flags take about 120 MB.
* :func:`plan_sample_dask` — the plan only needs the number of filings per
  stratum (and, for some options, per-stratum sums): a ``groupby`` count per
  partition, summed, then :func:`~beian_audit.plan_sample` on a categorical
  frame with exactly those counts.
* :func:`draw_sample_dask` — permanent random numbers make the draw
  partition-pure. A first pass over the key and stratum columns counts the
  strata (checked against the plan), computes the manifest's frame fingerprint
  (whose sums and XORs add up across partitions) and finds each stratum's
  cut-off, the ``n_h``-th smallest PRN; a second pass returns only the rows at
  or below the cut-offs (the sample), which
  :func:`~beian_audit.sampling.draw_partition` orders and selects as
  :func:`~beian_audit.draw_sample` does. The sample is a pandas
  :class:`~beian_audit.Sample`.
* :func:`estimate_proportion_dask` — reads only the outcome, design and domain
  columns and finishes with :func:`~beian_audit.estimate_proportion` (see its
  Notes for why this is the reduction that keeps the estimates bit-identical).

Row labels: a Dask frame read from Parquet without an index has a fresh
``RangeIndex`` in every partition; results then use the row's position in the
whole frame (``0 … N-1``), the labels ``pandas.read_parquet`` gives the same
dataset, so the check flags and the sample rows align as they do in pandas. A
Dask frame with another index keeps its labels.

Dask and distributed are optional (``pip install 'beian-audit[dask]'``) and
imported inside the functions. Computations run on the current Dask scheduler:
a ``distributed.Client`` when one is active (a ``LocalCluster`` using every core
of one machine, or a multi-machine cluster), else Dask's default scheduler.

Examples
--------
>>> import pandas as pd
>>> import dask.dataframe as dd
>>> import beian_audit as ba
>>> frame = pd.DataFrame({"website_id": [f"W{i}" for i in range(1000)],
...                       "provider_id": [f"P{i % 3}" for i in range(1000)]})
>>> ddf = dd.from_pandas(frame, npartitions=4)
>>> plan = ba.plan_sample(ddf, n=30)          # dispatches to plan_sample_dask
>>> plan.sizes[["stratum", "N", "n"]].to_dict("list") == (
...     ba.plan_sample(frame, n=30).sizes[["stratum", "N", "n"]].to_dict("list"))
True
>>> sample = ba.draw_sample(ddf, plan, seed=7)  # dispatches to draw_sample_dask
>>> sample.frame["website_id"].tolist() == (
...     ba.draw_sample(frame, plan, seed=7).frame["website_id"].tolist())
True
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from beian_audit import _engine
from beian_audit.errors import ArgumentTypeError, EstimationError, SampleDesignError, require

if TYPE_CHECKING:
    from beian_audit.checks.filings import CheckReport
    from beian_audit.estimation.stratified import ProportionEstimate
    from beian_audit.sampling.draw import Sample
    from beian_audit.sampling.plan import SamplePlan

__all__ = [
    "CHECK_FILINGS_COLUMNS",
    "check_filings_dask",
    "draw_sample_dask",
    "estimate_proportion_dask",
    "is_dask",
    "plan_sample_dask",
]

#: Columns :func:`~beian_audit.check_filings` reads (the others are not needed to
#: check a registry): read only these from Parquet (column projection).
CHECK_FILINGS_COLUMNS: tuple[str, ...] = (
    "website_id",
    "sponsor_id",
    "sponsor_name",
    "sponsor_nature",
    "sponsor_cert_type",
    "sponsor_cert_number",
    "sponsor_cert_address",
    "sponsor_address",
    "sponsor_province",
    "sponsor_icp_number",
    "website_icp_number",
    "sponsor_principal_id_type",
    "sponsor_principal_id_number",
    "sponsor_principal_mobile",
    "sponsor_principal_phone",
    "sponsor_principal_email",
    "website_principal_id_type",
    "website_principal_id_number",
    "website_principal_mobile",
    "website_principal_phone",
    "website_principal_email",
    "domain",
    "provider_id",
    "server_province",
    "ip_addresses",
    "resolved_ip",
)

_EXTRA = "dask"
_ROW = "__beian_audit_row__"  # temporary column: a row's position in its partition
_MOBILE = "sponsor_principal_mobile"
_GHOST_OWNER = "\x00beian-audit-ring-marker-{}"


# --------------------------------------------------------------------------- helpers


def is_dask(obj: object) -> bool:
    """Whether ``obj`` is a Dask collection (checked without importing Dask).

    Examples
    --------
    >>> import pandas as pd
    >>> is_dask(pd.DataFrame())
    False
    >>> import dask.dataframe as dd
    >>> is_dask(dd.from_pandas(pd.DataFrame({"a": [1]}), npartitions=1))
    True
    """
    module = type(obj).__module__ or ""
    return module.split(".")[0] in ("dask", "dask_expr") and hasattr(obj, "__dask_graph__")


def _dask() -> Any:
    """Import dask (and dask.dataframe) or raise MissingDependencyError naming the extra."""
    require("dask.dataframe", _EXTRA)
    return require("dask", _EXTRA)


def _check_frame(frame: object, name: str = "frame") -> None:
    _dask()
    if not is_dask(frame) or not hasattr(frame, "to_delayed"):
        raise ArgumentTypeError(f"{name} must be a Dask DataFrame, not {type(frame).__name__}")


def _recording(func: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, list[Any]]:
    """Run ``func`` and return its result with the warnings it emitted (to re-emit them)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = func(*args, **kwargs)
    return out, [(w.category, str(w.message)) for w in caught]


def _reemit(records: Sequence[Sequence[tuple[type[Warning], str]]]) -> None:
    """Emit, once each, the distinct warnings that partitions recorded."""
    seen: set[tuple[type[Warning], str]] = set()
    for part in records:
        for category, message in part:
            if (category, message) not in seen:
                seen.add((category, message))
                warnings.warn(message, category, stacklevel=3)


def _compute(tasks: list[Any], *, progress: bool = False, desc: str = "partitions") -> list[Any]:
    """Compute delayed tasks on the current scheduler, optionally with a progress bar."""
    dask = _dask()
    if not progress:
        return list(dask.compute(*tasks))
    client = None
    try:
        from distributed import get_client

        client = get_client()
    except (ImportError, ValueError):
        client = None
    from tqdm.auto import tqdm

    if client is None:
        from dask.diagnostics import ProgressBar

        with ProgressBar():
            return list(dask.compute(*tasks))
    from distributed import as_completed

    futures = client.compute(tasks)
    for _ in tqdm(as_completed(futures), total=len(futures), desc=desc, unit="partition"):
        pass
    return list(client.gather(futures))


def _is_default_index(index: pd.Index) -> bool:
    return (
        isinstance(index, pd.RangeIndex)
        and index.start == 0
        and index.step == 1
        and index.name is None
    )


def _global_labels(
    lengths: Sequence[int], default: Sequence[bool]
) -> tuple[bool, np.ndarray]:
    """(relabel?, offset of every partition) — see the module's note on row labels."""
    offsets = np.concatenate([[0], np.cumsum(np.asarray(lengths, dtype=np.int64))[:-1]])
    return bool(all(default)), offsets.astype(np.int64)


def _names(value: object) -> list[str]:
    """Column names in an option that takes a name or a list of names (else none)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return list(value)
    return []


# --------------------------------------------------------------------------- check_filings


def _ring_numbers(part: pd.DataFrame, owner: str) -> pd.DataFrame:
    """Distinct (normalised mobile, owner, raw mobile) of a partition's rows with a mobile.

    ``number`` is the E.164 form ``_ring`` of :func:`~beian_audit.check_filings`
    compares; ``owner`` may be missing (such rows count no sponsor but are
    flagged when their number is shared).
    """
    from beian_audit.checks.filings import ring_numbers
    from beian_audit.checks.phone import check_phone
    from beian_audit.schema import STRING_DTYPE

    checked = check_phone(part[_MOBILE], kind="mobile")
    number = ring_numbers(checked["e164"], checked["reason"]).astype(STRING_DTYPE)
    data = pd.DataFrame(
        {"number": number.array, "owner": part[owner].array, "raw": part[_MOBILE].array}
    )
    return data[data["number"].notna().to_numpy()].drop_duplicates(ignore_index=True)


def _check_part(
    part: pd.DataFrame,
    ringed: pd.DataFrame | None,
    owner: str | None,
    providers: pd.DataFrame | None,
    ring_threshold: int,
    reveal: bool,
    as_of: Any,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, tuple[str, ...]]:
    """check_filings on one partition, with marker rows that carry the global rings in.

    Returns ``(flags, verdict, failures, groups, checks_run)``; flags, verdict
    and groups carry the partition's own index.
    """
    from beian_audit.checks.filings import check_filings

    n = len(part)
    data = part.reset_index(drop=True)
    ghosts = 0
    if ringed is not None and len(ringed) and owner is not None and n:
        # the shared numbers of this partition's rows, found by their raw text
        # (check_phone maps each raw value to one number, found in pass 1)
        raw = data[_MOBILE]
        hit = raw[raw.isin(ringed["raw"]).to_numpy()]
        at = pd.Index(ringed["raw"]).get_indexer(pd.Index(hit))
        here = pd.unique(ringed["number"].to_numpy(dtype=object)[at])
        if here.size:
            # ring_threshold marker rows per ringed number, each with its own
            # sponsor: the number then reaches the threshold inside this
            # partition exactly when it does in the whole registry
            numbers = np.repeat(here, ring_threshold)
            owners = [_GHOST_OWNER.format(i) for i in range(ring_threshold)] * here.size
            extra = data.iloc[np.zeros(numbers.size, dtype=np.int64)].reset_index(drop=True)
            extra[_MOBILE] = pd.Series(
                numbers.tolist(), index=extra.index, dtype=data[_MOBILE].dtype
            )
            if pd.api.types.is_string_dtype(data[owner].dtype) and not isinstance(
                data[owner].dtype, pd.CategoricalDtype
            ):
                extra[owner] = pd.Series(owners, index=extra.index, dtype=data[owner].dtype)
            else:  # _ring compares owners as Python objects: object dtype keeps that
                data[owner] = data[owner].astype(object)
                extra[owner] = pd.Series(owners, index=extra.index, dtype=object)
            data = pd.concat([data, extra], ignore_index=True)
            ghosts = numbers.size
    report = check_filings(
        data,
        providers=providers,
        ring_threshold=ring_threshold,
        reveal=reveal,
        progress=False,
        as_of=as_of,
        workers=1,  # Dask runs the partitions side by side
    )
    flags, verdict, groups, failures = report.flags, report.verdict, report.groups, report.failures
    if ghosts:
        marker = flags.iloc[n:]
        if "shared_mobile" not in marker.columns or not bool(marker["shared_mobile"].all()):
            raise RuntimeError(  # pragma: no cover - guards an assumption of the method
                "internal error: ring marker rows were not flagged by check_filings"
            )
        failures = failures.iloc[: len(failures) - int(marker.to_numpy().sum())]
        flags, verdict, groups = flags.iloc[:n], verdict.iloc[:n], groups.iloc[:n]
    index = part.index
    flags = flags.set_axis(index)
    verdict = verdict.set_axis(index)
    groups = groups.set_axis(index)
    return flags, verdict, failures.reset_index(drop=True), groups, report.checks_run


def check_filings_dask(
    frame: Any,
    *,
    providers: pd.DataFrame | None = None,
    ring_threshold: int = 3,
    reveal: bool = False,
    progress: bool = False,
    as_of: Any = None,
) -> CheckReport:
    """:func:`~beian_audit.check_filings` on a Dask DataFrame, with the same result.

    Parameters
    ----------
    frame : dask.dataframe.DataFrame
        Canonical filings, partitioned (e.g. ``dask.dataframe.read_parquet``);
        read only :data:`CHECK_FILINGS_COLUMNS` to spare I/O.
    providers, ring_threshold, reveal, as_of
        As in :func:`~beian_audit.check_filings`.
    progress : bool, default False
        Progress bar over the partitions (``tqdm``; Dask's own bar without a
        distributed client).

    Returns
    -------
    CheckReport
        Computed (pandas) flags, failures, verdict and groups, equal to
        ``check_filings(frame.compute(), ...)``; rows are labelled as described
        in the module notes.

    Raises
    ------
    MissingDependencyError
        Without ``beian-audit[dask]``.
    SchemaError, ValueError
        As :func:`~beian_audit.check_filings`.

    Notes
    -----
    Every check is a function of one row, except ``shared_mobile``. Pass 1
    computes, over the whole registry, the normalised mobiles (E.164) that
    ``ring_threshold`` or more distinct sponsors (``sponsor_id``, else
    ``sponsor_name``) share: distinct (mobile, sponsor) pairs per partition,
    then a Dask ``groupby(...).nunique()``; it also keeps the raw spellings of
    those mobiles, so that pass 2 finds them without normalising again. Pass 2 runs
    :func:`~beian_audit.check_filings` on each partition after appending, for
    each of those mobiles found in the partition, ``ring_threshold`` marker
    rows with distinct made-up sponsors. A mobile then reaches the threshold in
    the partition exactly when it reaches it in the registry (a partition holds
    a subset of a mobile's sponsors, so it can never reach it on its own
    otherwise); the marker rows are cut off every output. The ring rule itself
    stays in ``check_filings``.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import beian_audit as ba
    >>> registry = ba.load_synthetic_registry().head(3000)
    >>> ddf = dd.from_pandas(registry, npartitions=3)
    >>> report = check_filings_dask(ddf)
    >>> report.flags.equals(ba.check_filings(registry).flags)
    True
    """
    from beian_audit.checks.filings import CheckReport, check_filings

    _check_frame(frame)
    dask = _dask()
    # the options and columns are validated by pandas on the empty meta frame
    meta_report = check_filings(
        frame._meta, providers=providers, ring_threshold=ring_threshold, reveal=reveal,
        as_of=as_of,
    )
    columns = list(frame.columns)
    owner = (
        "sponsor_id" if "sponsor_id" in columns
        else ("sponsor_name" if "sponsor_name" in columns else None)
    )
    ringed: pd.DataFrame | None = None
    if owner is not None and _MOBILE in columns:
        from beian_audit.schema import STRING_DTYPE

        meta = pd.DataFrame(
            {
                "number": pd.Series(dtype=STRING_DTYPE),
                "owner": pd.Series(dtype=frame._meta[owner].dtype),
                "raw": pd.Series(dtype=frame._meta[_MOBILE].dtype),
            }
        )
        numbers = frame[[_MOBILE, owner]].map_partitions(_ring_numbers, owner, meta=meta)
        numbers = numbers.persist()  # read and normalised once, used twice
        owners = numbers[["number", "owner"]].dropna().groupby("number")["owner"].nunique()
        shared = sorted(str(v) for v in owners[owners >= ring_threshold].compute().index)
        if shared:
            hits = numbers[numbers["number"].isin(shared)][["raw", "number"]]
            ringed = hits.drop_duplicates().compute().reset_index(drop=True)
        del numbers

    common = [dask.delayed(x) for x in (ringed, providers, as_of)]
    tasks = [
        dask.delayed(_recording)(
            _check_part, part, common[0], owner, common[1], ring_threshold, reveal, common[2]
        )
        for part in frame.to_delayed()
    ]
    results = _compute(tasks, progress=progress, desc="check_filings")
    _reemit([w for _, w in results])
    if not results:  # a frame without partitions
        return check_filings(frame._meta, providers=providers, reveal=reveal, as_of=as_of)
    parts = [r for r, _w in results]
    relabel = all(_is_default_index(p[0].index) for p in parts)

    def stack(j: int) -> pd.DataFrame:
        return pd.concat([p[j] for p in parts], ignore_index=relabel)

    return CheckReport(
        flags=stack(0),
        failures=pd.concat([p[2] for p in parts], ignore_index=True),
        verdict=stack(1),
        groups=stack(3),
        checks_run=parts[0][4],
        skipped=meta_report.skipped,
    )


# --------------------------------------------------------------------------- plan_sample


_ALL = "__beian_audit_all__"  # temporary key of an unstratified count
_SUMS = {"rows": "sum", "size_sum": "sum", "size_nan": "sum", "size_min": "min",
         "rate_sum": "sum", "rate_n": "sum"}


def _sum_by(data: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Add up the count columns of ``data`` per distinct combination of ``keys``."""
    aggs = {c: how for c, how in _SUMS.items() if c in data.columns}
    if not keys:
        data = data.assign(**{_ALL: 0})
    out = data.groupby(keys or [_ALL], dropna=False, sort=False, observed=True).agg(aggs)
    out = out.reset_index()
    return out.drop(columns=[_ALL]) if not keys else out


def _plan_counts(
    part: pd.DataFrame, keys: list[str], size: str | None, rate: str | None
) -> pd.DataFrame:
    """Map step of the plan: rows per key combination, and the sums the plan reads."""
    data = part[keys].reset_index(drop=True)
    data["rows"] = np.ones(len(part), dtype=np.int64)
    if size is not None:  # as plan_sample reads psu_size
        v = pd.to_numeric(part[size], errors="coerce").to_numpy(dtype=np.float64)
        data["size_sum"] = np.where(np.isnan(v), 0.0, v)
        data["size_nan"] = np.isnan(v).astype(np.int64)
        data["size_min"] = v
    if rate is not None:  # as plan_sample reads an anticipated column
        col = pd.to_numeric(part[rate].astype("Float64"), errors="coerce")
        data["rate_sum"] = col.to_numpy(dtype=np.float64, na_value=0.0)
        data["rate_n"] = col.notna().to_numpy().astype(np.int64)
    return _sum_by(data, keys)


def _expand(
    counts: pd.DataFrame, keys: list[str], size: str | None, rate: str | None
) -> pd.DataFrame:
    """A frame with ``rows`` rows per key combination (categorical columns).

    Value columns hold the combination's sum on its first row and zeros on the
    others, so the stratum and psu sums the plan takes are those of the
    registry; a missing or negative size measure is kept on the first row and
    the missing anticipated rates on the last rows, so that
    :func:`~beian_audit.plan_sample` reports them as it would on the registry.
    """
    rows = counts["rows"].to_numpy(dtype=np.int64)
    total = int(rows.sum())
    group = np.repeat(np.arange(len(counts)), rows)
    starts = np.concatenate([[0], np.cumsum(rows)[:-1]]).astype(np.int64)
    rank = np.arange(total) - starts[group]
    first = rank == 0
    out: dict[str, Any] = {}
    for k in keys:
        codes, uniques = pd.factorize(counts[k], use_na_sentinel=True)
        out[k] = pd.Categorical.from_codes(codes[group], categories=pd.Index(uniques))
    if size is not None:
        values = np.where(first, counts["size_sum"].to_numpy(dtype=np.float64)[group], 0.0)
        values[first & (counts["size_nan"].to_numpy() > 0)[group]] = np.nan
        values[first & (counts["size_min"].to_numpy(dtype=np.float64) < 0)[group]] = -1.0
        out[size] = values
    if rate is not None:
        values = np.where(first, counts["rate_sum"].to_numpy(dtype=np.float64)[group], 0.0)
        values[rank >= counts["rate_n"].to_numpy(dtype=np.int64)[group]] = np.nan
        out[rate] = pd.array(values, dtype="Float64")
    return pd.DataFrame(out, index=pd.RangeIndex(total))


def plan_sample_dask(frame: Any, **options: Any) -> SamplePlan:
    """:func:`~beian_audit.plan_sample` on a Dask DataFrame, with the same plan.

    Parameters
    ----------
    frame : dask.dataframe.DataFrame
        The registry, partitioned. Only the stratum, psu, ``psu_strata``,
        ``psu_size`` and ``anticipated`` columns are read.
    **options
        Every keyword of :func:`~beian_audit.plan_sample`.

    Returns
    -------
    SamplePlan
        Equal to ``plan_sample(frame.compute(), **options)``.

    Notes
    -----
    A plan depends on the frame only through the number of filings of every
    combination of the stratum (and stage-1) columns, and through per-stratum
    sums of ``psu_size`` / ``anticipated`` when those name columns. Each
    partition is reduced to those counts and sums (a ``groupby``), the
    reductions are added, and :func:`~beian_audit.plan_sample` runs on a frame
    of categorical codes holding exactly those counts (4 bytes or less a row);
    so the sizes, allocation, warnings and errors are those of the pandas code.
    Counts are integers, hence exact; sums of a ``psu_size`` or ``anticipated``
    column are exact for integer sizes and 0/1 rates and otherwise agree to
    floating-point rounding (the additions happen in another order).

    Examples
    --------
    >>> import pandas as pd, dask.dataframe as dd
    >>> frame = pd.DataFrame({"website_id": [f"W{i}" for i in range(500)],
    ...                       "provider_id": ["A"] * 400 + ["B"] * 100})
    >>> plan_sample_dask(dd.from_pandas(frame, npartitions=3), n=50).sizes[["stratum", "N", "n"]]
      stratum    N   n
    0       A  400  40
    1       B  100  10
    """
    from beian_audit.sampling.plan import plan_sample

    _check_frame(frame)
    columns = list(frame.columns)
    keys: list[str] = []
    for name in ("psu", "strata", "psu_strata"):
        value = options.get(name, "provider_id" if name == "strata" else None)
        keys += [c for c in _names(value) if c in columns]
    keys = list(dict.fromkeys(keys))
    size = options.get("psu_size")
    size = size if isinstance(size, str) and size in columns and size not in keys else None
    rate = options.get("anticipated")
    rate = rate if isinstance(rate, str) and rate in columns and rate not in keys else None
    needed = [*keys, *([size] if size else []), *([rate] if rate else [])]
    if needed:
        projected = frame[list(dict.fromkeys(needed))]
    else:  # one stratum: count rows of any (preferably small) column
        projected = frame[[columns[0]]]
    dask = _dask()
    tasks = [
        dask.delayed(_plan_counts)(part, keys, size, rate) for part in projected.to_delayed()
    ]
    parts = _compute(tasks)
    counts = _sum_by(pd.concat(parts, ignore_index=True), keys)
    local = _expand(counts, keys, size, rate)
    plan = plan_sample(local, **options)
    return replace(plan, _rows=None)


# --------------------------------------------------------------------------- draw_sample


def _plan_positions(part: pd.DataFrame, plan: SamplePlan) -> np.ndarray:
    """Position in ``plan.sizes`` of every row's stratum (as draw_sample reads it)."""
    from beian_audit.sampling.plan import stratum_codes

    if len(part) == 0:
        return np.zeros(0, dtype=np.int64)
    missing = [c for c in plan.strata if c not in part.columns]
    if missing:
        raise SampleDesignError(f"the frame has no stratum column(s) {missing}")
    local, local_labels, _ = stratum_codes(part, plan.strata, with_components=False)
    labels = pd.Index(plan.sizes["stratum"].astype(str).to_numpy())
    where = labels.get_indexer(pd.Index(local_labels.astype(str)))
    if (where < 0).any():
        unknown = local_labels[where < 0][:5].tolist()
        raise SampleDesignError(
            f"{int((where < 0).sum())} stratum/strata of the frame are not in the plan, "
            f"e.g. {unknown}; plan the sample on this frame"
        )
    return np.asarray(where[local], dtype=np.int64)


def _order_of(
    part: pd.DataFrame, plan: SamplePlan, draw: tuple[int, str, int, float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Key hashes, plan strata and selection order ``h`` of a partition's rows.

    ``h`` is the 64-bit PRN of stream 0, shifted for rotation exactly as
    :func:`~beian_audit.draw_sample` shifts it: each stratum takes its ``n_h``
    smallest ``h``.
    """
    from beian_audit.sampling.draw import rotation_shift
    from beian_audit.sampling.prn import key_hash, prn_hash

    seed, key, period, rotation = draw
    if key not in part.columns:
        raise SampleDesignError(f"the frame has no key column {key!r}")
    try:
        kh = key_hash(part[key])
    except (ValueError, TypeError) as exc:
        raise SampleDesignError(f"key column {key!r}: {exc}") from exc
    codes = _plan_positions(part, plan)
    h = prn_hash(kh, seed, stream=0, hashed=kh)
    if period and rotation:
        pi = plan.sizes["f"].to_numpy(dtype=np.float64)
        h = h - rotation_shift(pi, period, rotation)[codes]
    return kh, codes, h


def _draw_scan(
    part: pd.DataFrame, plan: SamplePlan, draw: tuple[int, str, int, float], limit: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Pass 1 of the draw (key and stratum columns only).

    Returns the plan stratum and ``h`` of the rows whose ``h`` is at most their
    stratum's ``limit``, the rows per stratum and the partition's part of the
    frame fingerprint.
    """
    from beian_audit.sampling.prn import fingerprint_codes

    kh, codes, h = _order_of(part, plan, draw)
    keep = h <= limit[codes]
    counts = np.bincount(codes, minlength=len(plan.sizes))
    labels = plan.sizes["stratum"].astype(str).to_numpy()
    return codes[keep], h[keep], counts, fingerprint_codes(kh, codes, labels)


def _draw_take(
    part: pd.DataFrame,
    plan: SamplePlan,
    draw: tuple[int, str, int, float],
    cutoff: np.ndarray,
    none: np.ndarray,
) -> tuple[pd.DataFrame, int, bool]:
    """Pass 2 of the draw: the rows at or below their stratum's cut-off, tagged by position.

    Also returns the partition's length and whether its index is the default
    one (the partitions of pass 1, which reads fewer columns, may differ).
    """
    _, codes, h = _order_of(part, plan, draw)
    keep = np.flatnonzero((h <= cutoff[codes]) & ~none[codes])
    out = part.iloc[keep].assign(**{_ROW: keep.astype(np.int64)})
    return out, len(part), _is_default_index(part.index)


def _cutoffs(
    codes: np.ndarray, h: np.ndarray, n_h: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per stratum, the ``n_h``-th smallest ``h`` among the pass-1 candidates.

    Strata whose candidates are fewer than ``n_h`` get the largest value (all
    their rows go to pass 2); strata with ``n_h = 0`` are marked ``none``.
    """
    top = np.iinfo(np.uint64).max
    cutoff = np.full(n_h.size, top, dtype=np.uint64)
    kept = np.bincount(codes, minlength=n_h.size)
    order = np.lexsort((h, codes))
    starts = np.concatenate([[0], np.cumsum(kept)[:-1]]).astype(np.int64)
    enough = (n_h > 0) & (kept >= n_h)
    at = starts[enough] + n_h[enough] - 1
    cutoff[enough] = h[order][at]
    return cutoff, n_h <= 0


def _combine_fingerprints(parts: Sequence[str]) -> str:
    """Add row counts and sums (mod 2**64), XOR the XORs: the fingerprint of the union."""
    rows, total, xor = 0, 0, 0
    algorithm = ""
    for text in parts:
        algorithm, count, digest = text.rsplit(":", 2)
        rows += int(count)
        total = (total + int(digest[:16], 16)) % (1 << 64)
        xor ^= int(digest[16:], 16)
    return f"{algorithm}:{rows}:{total:016x}{xor:016x}"


def draw_sample_dask(
    frame: Any,
    plan: SamplePlan,
    *,
    seed: int,
    key: str = "website_id",
    period: int = 0,
    rotation: float = 0.0,
) -> Sample:
    """:func:`~beian_audit.draw_sample` on a Dask DataFrame, with the same sample.

    Parameters
    ----------
    frame : dask.dataframe.DataFrame
        The frame the plan was made on, partitioned any way.
    plan, seed, key, period, rotation
        As in :func:`~beian_audit.draw_sample`.

    Returns
    -------
    Sample
        A pandas sample: the same rows (labelled as in the module notes), in
        the same order, with the same design columns and manifest (only
        ``created`` differs) as ``draw_sample(frame.compute(), plan, ...)``.

    Raises
    ------
    SampleDesignError, TypeError, ValueError
        As :func:`~beian_audit.draw_sample`.

    Notes
    -----
    Stratum ``h`` takes the ``n_h`` rows with the smallest selection order
    ``h`` (the 64-bit PRN, shifted for rotation). Two passes find them without
    moving more than the sample:

    1. On the key and stratum columns only, every partition counts its rows per
       stratum (checked against the plan, as pandas does), computes its part of
       the manifest's frame fingerprint (sums and XORs, which add up across
       partitions) and returns the ``(stratum, h)`` of its rows below a generous
       bound ``f + 6√(f(1−f)/N) + 10/N`` of the stratum's share ``f = n_h/N_h``
       (about ``n`` values in all). The ``n_h``-th smallest of those is the
       stratum's cut-off: when at least ``n_h`` rows fall below the bound, the
       ``n_h`` smallest of the stratum are all among them. A stratum with fewer
       (which the bound makes very unlikely) keeps no cut-off.
    2. Every partition returns its rows at or below their stratum's cut-off —
       the sample, plus rows tied on ``h`` — and
       :func:`~beian_audit.sampling.draw_partition` orders and selects them
       exactly as :func:`~beian_audit.draw_sample` does; the design columns and
       manifest are added as there.

    (:func:`~beian_audit.sampling.draw_partition` on every partition would be
    exact too, but it keeps up to ``n_h`` rows per stratum *per partition*:
    nearly every row when there are more partitions than ``N_h/n_h``.)

    Examples
    --------
    >>> import pandas as pd, dask.dataframe as dd
    >>> from beian_audit.sampling import draw_sample, plan_sample
    >>> frame = pd.DataFrame({"website_id": [f"W{i}" for i in range(300)],
    ...                       "provider_id": ["A"] * 200 + ["B"] * 100})
    >>> plan = plan_sample(frame, n=12)
    >>> sample = draw_sample_dask(dd.from_pandas(frame, npartitions=5), plan, seed=1)
    >>> expected = draw_sample(frame, plan, seed=1).frame
    >>> sample.frame.index.equals(expected.index)
    True
    >>> sample.frame["weight"].tolist() == expected["weight"].tolist()
    True
    """
    from beian_audit.sampling.draw import (
        assemble_sample,
        draw_partition,
        duplicate_keys,
        select_psus,
    )
    from beian_audit.sampling.plan import SamplePlan
    from beian_audit.sampling.prn import fingerprint_codes, key_hash

    _check_frame(frame)
    if not isinstance(plan, SamplePlan):
        raise ArgumentTypeError(f"plan must be a SamplePlan, not {type(plan).__name__}")
    meta = frame._meta
    # validates the seed, period, rotation, key and stratum columns as pandas does
    draw_partition(meta, plan, seed=seed, key=key, period=period, rotation=rotation)
    draw = (int(seed), key, int(period), float(rotation))
    seed, period, rotation = draw[0], draw[2], draw[3]
    dask = _dask()

    sizes = plan.sizes
    big_n = sizes["N"].to_numpy(dtype=np.int64)
    n_h = sizes["n"].to_numpy(dtype=np.int64).copy()
    psus = None
    if plan.psus is not None:  # two-stage: strata of unselected psus take nothing
        psus = select_psus(plan, seed=seed, period=period, rotation=rotation)
        chosen = dict(zip(psus["psu"].astype(str), psus["selected"], strict=True))
        n_h[~np.array([bool(chosen[str(p)]) for p in sizes["psu"]], dtype=bool)] = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(big_n > 0, n_h / np.maximum(big_n, 1), 0.0)
        t = f + 6.0 * np.sqrt(f * (1 - f) / np.maximum(big_n, 1)) + 10.0 / np.maximum(big_n, 1)
    limit = (np.floor(np.minimum(t, 1.0) * 2.0**53).astype(np.uint64) << np.uint64(11))
    limit[t >= 1.0] = np.iinfo(np.uint64).max

    # pass 1: key and stratum columns only
    shared_plan = dask.delayed(plan)
    narrow = frame[list(dict.fromkeys([key, *plan.strata]))]
    scans = _compute(
        [dask.delayed(_draw_scan)(p, shared_plan, draw, limit) for p in narrow.to_delayed()]
    )
    found = np.zeros(len(sizes), dtype=np.int64)
    for s in scans:
        found += s[2]
    if not np.array_equal(found, big_n):
        bad = int(np.flatnonzero(found != big_n)[0])
        raise SampleDesignError(
            f"the frame does not match the plan: stratum {sizes['stratum'].iloc[bad]!r} has "
            f"{found[bad]} rows, the plan {big_n[bad]}; plan the sample on this frame"
        )
    cutoff, none = _cutoffs(
        np.concatenate([s[0] for s in scans]) if scans else np.zeros(0, dtype=np.int64),
        np.concatenate([s[1] for s in scans]) if scans else np.zeros(0, dtype=np.uint64),
        n_h,
    )

    # pass 2: the rows at or below the cut-offs, every column
    taken = _compute(
        [
            dask.delayed(_draw_take)(p, shared_plan, draw, cutoff, none)
            for p in frame.to_delayed()
        ]
    )
    lengths = [t[1] for t in taken]
    relabel, offsets = _global_labels(lengths, [t[2] for t in taken])
    columns = list(meta.columns)
    pieces = []
    for (cand, _, _), offset in zip(taken, offsets, strict=True):
        if relabel:
            cand = cand.set_axis(pd.Index(cand[_ROW].to_numpy() + offset, dtype=np.int64))
        pieces.append(cand[columns])
    candidates = pd.concat(pieces) if pieces else meta.copy()
    kept = draw_partition(
        candidates.assign(**{_ROW: np.arange(len(candidates), dtype=np.int64)}),
        plan, seed=seed, key=key, period=period, rotation=rotation,
    )
    positions = kept[_ROW].to_numpy()
    u = kept["prn"].to_numpy(dtype=np.float64)
    labels = sizes["stratum"].astype(str).to_numpy()
    sel_codes = pd.Index(labels).get_indexer(pd.Index(kept["stratum"].astype(str)))
    out = candidates.iloc[positions].copy()
    kh = key_hash(out[key])
    dups = duplicate_keys(out, key, kh, np.arange(len(out)))
    if dups:
        raise SampleDesignError(
            f"key column {key!r} has duplicated value(s) among the selected filings, e.g. "
            f"{dups[:5]}; each filing needs a unique key"
        )

    return assemble_sample(
        out, plan, psus, labels, sel_codes, u, draw=(seed, key, period, rotation),
        frame_rows=int(sum(lengths)),
        frame_fingerprint=_combine_fingerprints([s[3] for s in scans]),
        sample_fingerprint=fingerprint_codes(kh, sel_codes, labels),
    )


# --------------------------------------------------------------------------- estimate_proportion

#: Columns estimate_proportion takes by default when present (see its ``_resolve``).
_DESIGN_DEFAULTS = (
    "stratum",
    "psu",
    "psu_stratum",
    "population_size",
    "psu_population_size",
    "psu_inclusion_probability",
    "weight",
)


def estimate_proportion_dask(sample: Any, outcome: str, **options: Any) -> ProportionEstimate:
    """:func:`~beian_audit.estimate_proportion` on a Dask DataFrame, with the same estimate.

    Parameters
    ----------
    sample : dask.dataframe.DataFrame
        Sampled rows with the outcome and design columns (or an object whose
        ``.frame`` is one).
    outcome : str
    **options
        Every keyword of :func:`~beian_audit.estimate_proportion`.

    Returns
    -------
    ProportionEstimate
        Equal, to the last bit, to the pandas estimate on ``sample.compute()``.

    Notes
    -----
    The estimator is a ratio with a linearised variance computed from centred
    scores: :math:`\\hat p = \\sum w y / \\sum w` first, then
    :math:`z_i = w_i (y_i - \\hat p) / \\sum w` and the within-stratum sums of
    squares of the PSU totals of :math:`z` about their stratum mean. Per-stratum
    moment sums (:math:`\\sum w`, :math:`\\sum w y`, :math:`\\sum w^2 y` …) would
    give the same value in exact arithmetic, but not in floating point: the
    one-pass form loses the exact zero of a stratum whose scores are all equal
    (which the estimator detects, see ``note`` = ``zero_variance``), and any
    partial sums added in partition order differ from pandas in the last bits.
    A sample is small (a few thousand rows even for a national check), so the
    reduction kept here is the projection: each partition sends only the
    outcome, design and domain columns, and :func:`~beian_audit.estimate_proportion`
    finishes on them in the frame's row order — bit-identical estimates, about
    40 bytes a row on the client.

    Examples
    --------
    >>> import pandas as pd, dask.dataframe as dd
    >>> from beian_audit.estimation import estimate_proportion
    >>> frame = pd.DataFrame({"stratum": ["a"] * 5 + ["b"] * 5,
    ...                       "population_size": [50] * 5 + [500] * 5,
    ...                       "ok": [1, 1, 1, 1, 0, 1, 1, 0, 1, 1]})
    >>> est = estimate_proportion_dask(dd.from_pandas(frame, npartitions=3), "ok")
    >>> est.ci == estimate_proportion(frame, "ok").ci
    True
    """
    from beian_audit.estimation.stratified import estimate_proportion

    frame = sample if is_dask(sample) else getattr(sample, "frame", sample)
    _check_frame(frame, "sample")
    columns = list(frame.columns)
    named: list[tuple[str, object]] = [("outcome", outcome)]
    named += [("by", c) for c in _names(options.get("by"))]
    for role in (
        "strata", "population_size", "weight", "cluster", "stage2_strata",
        "stage2_population_size", "psu_probability",
    ):
        value = options.get(role)
        if isinstance(value, str):
            named.append((role, value))
    for role, name in named:
        if isinstance(name, str) and name not in columns:
            raise EstimationError(
                f"{role} column ({name!r}) is not in the sample; columns are {columns}"
            )
    wanted = [n for _, n in named if isinstance(n, str)]
    wanted += [c for c in _DESIGN_DEFAULTS if c in columns]
    projected = frame[list(dict.fromkeys(wanted))]
    parts = _compute(list(projected.to_delayed()))
    local = pd.concat(parts, ignore_index=True) if parts else projected._meta
    return estimate_proportion(local, outcome, **options)


# --------------------------------------------------------------------------- registration
# The kernels find these through beian_audit._engine, which imports this module the
# first time it sees a Dask collection: no kernel imports this module.
for _kernel, _implementation in (
    ("check_filings", check_filings_dask),
    ("plan_sample", plan_sample_dask),
    ("draw_sample", draw_sample_dask),
    ("estimate_proportion", estimate_proportion_dask),
):
    _engine.register(_kernel, is_dask, _implementation)
