"""The ``beian-audit`` command for scheduled spot checks.

Subcommands::

    beian-audit read     REGISTRY                        validate a registry, list every problem
    beian-audit check    REGISTRY [--providers P] [--failures F.csv]
    beian-audit plan     REGISTRY [--strata COL ...] [--allocation A] [--n N | --margin M |
                                   --target T] [--expected E] [--anticipated A]
    beian-audit draw     REGISTRY --seed S [--worksheet W.xlsx] [--manifest M.json]
                                   [--contacts masked|clear|protected-sheet] [plan options]
    beian-audit estimate REGISTRY --worksheet W.xlsx [W2.xlsx ...] [--outcome sponsor|access]
                                   [--target T] [--fail-on-target]
    beian-audit report   [--registry R --worksheet W.xlsx ...] [--providers P]
                         [--accessed-sites A] [--province P] [--month YYYY-MM] [--out DIR]
    beian-audit demo     [--out DIR] [--json]            the main job on the bundled registry
    beian-audit month open|draw|status|close|reopen …   the monthly audit in a ledger
    beian-audit outcomes import WORKSHEET …             (see :mod:`beian_audit.ledger.cli`)
    beian-audit ledger upgrade [PATH_OR_URL]
    beian-audit case open|update|list …

Registries may be CSV, XLSX or Parquet with Chinese or English headers. Every
subcommand but ``demo`` prints its result as JSON on stdout (``demo`` prints a
short text summary, or JSON with ``--json``); warnings and errors go to stderr,
one line each. Personal data is masked in everything written, except the phone
numbers that ``draw --contacts clear|protected-sheet`` writes for the field
checkers (see :mod:`beian_audit.sampling.worksheet`).

**Exit codes** (the same for every subcommand):

* ``0`` success;
* ``1`` a target was not met — only with ``--fail-on-target`` (``estimate``): any
  verdict other than ``met`` (``not_met``, ``inconclusive``, or a partly filled
  worksheet) exits 1;
* ``2`` bad usage or bad input: an unknown or malformed option (``--month
  2013-5``, an unknown ``--province``), an input file that is missing or
  unreadable, schema or worksheet problems (every problem is listed on stderr
  with the line or Excel row and the column as headed in the file; cap the list
  with ``--max-problems``), an output that exists without ``--force`` or cannot
  be written, and every other :class:`~beian_audit.errors.BeianAuditError`;
* ``3`` an internal error (a bug): a one-line message; ``--debug`` shows the
  traceback.

**Outputs are all-or-nothing.** Every option is checked before the work starts
(months, provinces, output suffixes, that an output is not one of the inputs and
that its directory can be created). Files are written to temporary names next to
their destination and moved into place only when the whole subcommand has
succeeded, so a failure never leaves a half-written worksheet or a partial set of
report files; missing directories are created then. An existing output is
replaced only with ``--force`` (``demo`` always replaces its own report files).

**Allocation.** ``plan`` and ``draw`` use ``--allocation`` when given. Otherwise
they use ``proportional`` (the Python default of
:func:`~beian_audit.sampling.plan_sample`) when a size or goal is given
(``--n``, ``--margin``, ``--target``), and the provincial rule ``tianjin``
(1 → 1, 2–49 → 2, 50–100 → 3, > 100 → 3 %) when none is; the allocation used is
in the JSON (``allocation``) and on stderr. ``neyman`` needs ``--anticipated``
(a rate, a registry column, or a CSV/JSON file of stratum → rate).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from beian_audit.errors import BeianAuditError

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INTERNAL_ERROR",
    "EXIT_OK",
    "EXIT_TARGET_NOT_MET",
    "CliUsageError",
    "main",
]

EXIT_OK = 0
EXIT_TARGET_NOT_MET = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL_ERROR = 3

_EPILOG = """\
exit codes:
  0  success
  1  target not met: only with --fail-on-target (estimate); any verdict but
     "met" (not_met, inconclusive, a partly filled worksheet)
  2  bad usage or input: bad options, missing or invalid files (every problem
     listed on stderr), outputs that exist without --force
  3  internal error (a bug); --debug shows the traceback

Outputs are written all-or-nothing and replaced only with --force.
Documentation: docs/cli.md
"""

_REGISTRY_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".parquet", ".pq")
_ALLOCATIONS = ("proportional", "neyman", "equal", "power", "tianjin")


# --------------------------------------------------------------------------- errors


class CliUsageError(BeianAuditError, ValueError):
    """Bad usage found by the command line before the work starts (exit code 2)."""


def _usage(message: str) -> CliUsageError:
    return CliUsageError(message)


class _FileProblems(Exception):
    """Problems of one input file, to be listed as the user sees the file."""

    def __init__(self, path: Path, error: Any) -> None:
        super().__init__(str(error))
        self.path = path
        self.error = error


_REASONS = {
    "missing_column": "the column is missing (no header in the file maps to it)",
    "duplicate_column": "two headers map to this column",
    "missing_value": "the cell is empty but required",
    "unparseable_value": "the value cannot be read",
    "duplicate_key": "the same website id appears more than once",
    "file_not_found": "the file does not exist",
    "bad_encoding": "the file is neither UTF-8 nor GB18030 text",
    "unsupported_format": "unsupported file type",
}


def _file_headers(path: Path) -> dict[str, str]:
    """Canonical column -> the header as written in the file (best effort)."""
    import pandas as pd

    from beian_audit.schema import FILING_SCHEMA, header_map, normalise_header

    headers: list[str] = []
    suffix = path.suffix.lower()
    try:
        if suffix in {".csv", ".tsv", ".txt"}:
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    headers = [str(h) for h in pd.read_csv(
                        path, nrows=0, encoding=encoding, sep="\t" if suffix == ".tsv" else ","
                    ).columns]
                    break
                except UnicodeDecodeError:
                    continue
        elif suffix in {".xlsx", ".xlsm"}:
            headers = [str(h) for h in pd.read_excel(path, nrows=0).columns]
    except Exception:
        return {}
    names = header_map(FILING_SCHEMA)
    out: dict[str, str] = {}
    for header in headers:
        target = names.get(str(header)) or names.get(normalise_header(header))
        if target is not None:
            out.setdefault(target, str(header))
    return out


def _problem_lines(problems: _FileProblems) -> list[str]:
    """Every problem of a file, with the line / Excel row and the header as in the file."""
    import pandas as pd

    error, path = problems.error, problems.path
    cases = getattr(error, "failure_cases", None)
    if not isinstance(cases, pd.DataFrame) or cases.empty:
        return [str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__]
    from beian_audit.errors import WorksheetError

    records: list[dict[Any, Any]] = cases.to_dict(orient="records")
    if isinstance(error, WorksheetError):
        from beian_audit.sampling.worksheet import describe_problem

        return [
            describe_problem(rec, {str(rec["column"]): str(rec.get("letter") or "")})
            for rec in records
        ]
    from beian_audit.schema import FILING_SCHEMA

    headers = _file_headers(path)
    suffix = path.suffix.lower()
    lines = []
    for rec in records:
        row, line = rec.get("row"), rec.get("line")
        if line is not None and not pd.isna(line):
            text_file = suffix in {".csv", ".tsv", ".txt"}
            where = f"line {int(line)}" if text_file else f"row {int(line)}"
        elif row is None or pd.isna(row):
            where = "header row" if suffix not in {".parquet", ".pq"} else "file"
        elif suffix in {".csv", ".tsv", ".txt"}:
            where = f"line {int(row) + 2}"  # line 1 is the header
        elif suffix in {".xlsx", ".xlsm"}:
            where = f"Excel row {int(row) + 2}"  # row 1 is the header
        else:
            where = f"record {int(row) + 1}"
        column = str(rec.get("column"))
        if column in headers and headers[column] != column:
            shown = f"column {headers[column]!r} ({column})"
        elif column in FILING_SCHEMA and rec.get("reason") == "missing_column":
            shown = f"column {column} ({FILING_SCHEMA[column].label_zh})"
        else:
            shown = f"column {column!r}"
        reason = str(rec.get("reason"))
        value = rec.get("value")
        tail = "" if value is None or pd.isna(value) else f" (value {str(value)!r})"
        lines.append(f"{where}, {shown}: {_REASONS.get(reason, reason)}{tail}")
    return lines


# --------------------------------------------------------------------------- outputs


class _Outputs:
    """Outputs checked before the work, staged under temporary names, moved at the end."""

    def __init__(self, *, force: bool, inputs: Sequence[str | Path | None] = ()) -> None:
        self.force = force
        self.inputs = {Path(p).resolve() for p in inputs if p is not None}
        self.planned: set[Path] = set()
        self.staged: list[tuple[Path, Path]] = []  # (temporary, final)

    @staticmethod
    def _anchor(path: Path) -> Path:
        """The nearest existing ancestor directory (where temporaries go)."""
        parent = path.parent
        while not parent.exists():
            parent = parent.parent
        if not parent.is_dir():
            raise _usage(f"cannot create the directory of {str(path)!r}: {str(parent)!r} "
                         "is a file")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise _usage(f"cannot write {str(path)!r}: {str(parent)!r} is not writable")
        return parent

    def file(self, name: str, suffixes: tuple[str, ...], option: str) -> Path:
        """Check an output file before the work starts."""
        path = Path(name)
        if path.suffix.lower() not in suffixes:
            raise _usage(f"{option} ({name!r}) must end with {' or '.join(suffixes)}")
        if path.resolve() in self.inputs:
            raise _usage(f"{option} ({name!r}) is also an input; choose another file")
        if path.is_dir():
            raise _usage(f"{option} ({name!r}) is a directory")
        if path.exists() and not self.force:
            raise _usage(f"{option} ({name!r}) exists; use --force to replace it")
        self._anchor(path.resolve())
        if path.resolve() in self.planned:
            raise _usage(f"{option} ({name!r}) is also another output")
        self.planned.add(path.resolve())
        return path

    def directory(self, name: str, files: Sequence[str], option: str, *,
                  replace: bool = False) -> Path:
        """Check an output directory whose ``files`` will be written."""
        path = Path(name)
        if path.exists() and not path.is_dir():
            raise _usage(f"{option} ({name!r}) exists and is not a directory")
        if path.is_dir() and not (self.force or replace):
            there = [f for f in files if (path / f).exists()]
            if there:
                raise _usage(f"{option} ({name!r}) already holds {', '.join(there[:3])}"
                             f"{' …' if len(there) > 3 else ''}; use --force to replace them")
        self._anchor(path.resolve() / "x")
        return path

    def stage(self, final: Path) -> Path:
        """A temporary file next to ``final`` (same suffix), moved there by :meth:`commit`."""
        final = final.resolve()
        fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=f".tmp{final.suffix}",
                                   dir=self._anchor(final))
        os.close(fd)
        self.staged.append((Path(tmp), final))
        return Path(tmp)

    def stage_dir(self, final: Path) -> Path:
        final = final.resolve()
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp",
                                    dir=self._anchor(final / "x")))
        self.staged.append((tmp, final))
        return tmp

    def commit(self) -> None:
        for tmp, final in self.staged:
            final.parent.mkdir(parents=True, exist_ok=True)
            if tmp.is_dir():
                final.mkdir(parents=True, exist_ok=True)
                for item in sorted(tmp.iterdir()):
                    _move(item, final / item.name)
                tmp.rmdir()
            else:
                _move(tmp, final)
        self.staged = []

    def discard(self) -> None:
        for tmp, _ in self.staged:
            if tmp.is_dir():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
        self.staged = []

    @contextlib.contextmanager
    def transaction(self) -> Iterator[_Outputs]:
        try:
            yield self
        except BaseException:
            self.discard()
            raise
        self.commit()


def _move(source: Path, target: Path) -> None:
    if source.is_file():  # mkstemp makes 0600 files: give the usual permissions
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(source, 0o666 & ~mask)
    try:
        os.replace(source, target)
    except OSError:  # another file system
        shutil.move(str(source), str(target))


# --------------------------------------------------------------------------- inputs


def _input(path: str, option: str, suffixes: tuple[str, ...] = _REGISTRY_SUFFIXES) -> Path:
    p = Path(path)
    if not p.exists():
        raise _usage(f"{option} ({path!r}) does not exist")
    if p.is_dir():
        raise _usage(f"{option} ({path!r}) is a directory, not a file")
    if p.suffix.lower() not in suffixes:
        raise _usage(f"{option} ({path!r}) must be a {', '.join(suffixes)} file")
    if not os.access(p, os.R_OK):
        raise _usage(f"{option} ({path!r}) is not readable")
    return p


def _load(path: Path) -> Any:
    from beian_audit.errors import SchemaError
    from beian_audit.io import read_filings

    try:
        return read_filings(path)
    except SchemaError as exc:
        raise _FileProblems(path, exc) from exc


def _load_table(path: Path | None, kind: str) -> Any:
    if path is None:
        return None
    from beian_audit.errors import SchemaError
    from beian_audit.io import read_table
    from beian_audit.schema import ACCESSED_SITES_SCHEMA, PROVIDER_SCHEMA

    schema, key = {"providers": (PROVIDER_SCHEMA, "provider_id"),
                   "accessed": (ACCESSED_SITES_SCHEMA, "site_id")}[kind]
    try:
        return read_table(path, schema, key=key)
    except SchemaError as exc:
        raise _FileProblems(path, exc) from exc


def _read_sheets(paths: Sequence[Path]) -> Any:
    """Read the worksheets; several copies of one sample are merged (conflicts rejected)."""
    import pandas as pd

    from beian_audit.errors import WorksheetError
    from beian_audit.sampling import read_worksheet

    sheets = []
    for path in paths:
        try:
            sheets.append(read_worksheet(path))
        except WorksheetError as exc:
            raise _FileProblems(path, exc) from exc
    manifests = [json.dumps(s.attrs.get("manifest", {}), sort_keys=True) for s in sheets]
    if len(set(manifests)) > 1:
        raise _usage("the worksheets come from different samples (their manifests differ); "
                     "estimate them one by one")
    manifest = sheets[0].attrs.get("manifest", {})
    key = str(manifest.get("key") or sheets[0].columns[0])
    table = pd.concat(sheets, ignore_index=True)
    outcome_cols = [c for c in table.columns if c != key]
    conflicts = []
    for column in ("sponsor_ok", "access_ok"):
        filled = table[[key, column]].dropna()
        per_key = filled.groupby(key, observed=True)[column].nunique()
        conflicts += [f"{k} ({column})" for k in per_key[per_key > 1].index.astype(str)]
    if conflicts:
        raise _usage(f"the worksheets disagree on {len(conflicts)} filing(s): "
                     f"{', '.join(conflicts[:10])}")
    merged = table.groupby(key, sort=False, observed=True)[outcome_cols].first().reset_index()
    order = sheets[0][key].astype(str)
    merged = merged.set_index(merged[key].astype(str)).reindex(order).reset_index(drop=True)
    for column in ("sponsor_ok", "access_ok"):
        merged[column] = merged[column].astype("boolean")
    merged.attrs["manifest"] = manifest
    return merged


def _month(text: str) -> str:
    from beian_audit.spotcheck import check_month

    try:
        return check_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _province(text: str) -> str:
    import pandas as pd

    from beian_audit.reporting._common import province_codes

    if province_codes(pd.Series([text])).iloc[0] is None:
        import io
        from importlib import resources

        data = (resources.files("beian_audit") / "data" / "provinces.csv").read_text("utf-8")
        table = pd.read_csv(io.StringIO(data), dtype=str)
        listed = ", ".join(table["province_short_zh"])
        raise argparse.ArgumentTypeError(
            f"province ({text!r}) must be a province name, short name, ICP prefix or "
            f"GB/T 2260 code, e.g. 广东省, 广东, 粤 or 440000 (one of {listed})"
        )
    return text


def _unit(name: str, *, closed: bool = False) -> Any:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} ({text!r}) must be a number") from None
        ok = 0 <= value <= 1 if closed else 0 < value < 1
        if not ok:
            span = "[0, 1]" if closed else "(0, 1)"
            raise argparse.ArgumentTypeError(f"{name} ({text!r}) must be in {span}, e.g. 0.75")
        return value

    return parse


def _count(name: str, minimum: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} ({text!r}) must be an integer") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{name} ({text!r}) must be >= {minimum}")
        return value

    return parse


def _anticipated(value: str | None) -> Any:
    """A rate, a CSV/JSON file of stratum -> rate, or a registry column name."""
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    path = Path(value)
    if path.suffix.lower() == ".json":
        data = json.loads(_input(value, "--anticipated", (".json",)).read_text("utf-8"))
        if not isinstance(data, dict):
            raise _usage("--anticipated JSON must be an object {stratum: rate}")
        return {str(k): float(v) for k, v in data.items()}
    if path.suffix.lower() == ".csv":
        import pandas as pd

        table = pd.read_csv(_input(value, "--anticipated", (".csv",)), dtype={0: str})
        if table.shape[1] < 2:
            raise _usage("--anticipated CSV needs two columns: stratum, rate")
        return dict(zip(table.iloc[:, 0].astype(str), table.iloc[:, 1].astype(float),
                        strict=True))
    return value  # a column of the registry (plan_sample checks it exists)


# --------------------------------------------------------------------------- output


def _print_json(payload: Any) -> None:
    from beian_audit._results import jsonable

    sys.stdout.write(json.dumps(jsonable(payload), ensure_ascii=False, indent=2) + "\n")


def _note(args: argparse.Namespace, text: str) -> None:
    sys.stderr.write(f"beian-audit {args.command}: {text}\n")


# --------------------------------------------------------------------------- commands


def _allocation(args: argparse.Namespace) -> str:
    if args.allocation is not None:
        return str(args.allocation)
    sized = any(v is not None for v in (args.n, args.margin, args.target, args.n_per_stratum))
    if args.n_per_stratum is not None:
        return "equal"
    return "proportional" if sized else "tianjin"


def _plan(args: argparse.Namespace, filings: Any) -> Any:
    from beian_audit.sampling import plan_sample

    allocation = _allocation(args)
    if allocation == "neyman" and args.anticipated is None:
        raise _usage("--allocation neyman needs --anticipated (a rate, a registry column, "
                      "or a CSV/JSON file of stratum -> rate)")
    plan = plan_sample(
        filings,
        strata=args.strata if len(args.strata) > 1 else args.strata[0],
        n=args.n,
        n_per_stratum=args.n_per_stratum,
        allocation=allocation,  # type: ignore[arg-type]
        min_per_stratum=args.min_per_stratum,
        target=args.target,
        margin=args.margin,
        expected=args.expected,
        anticipated=_anticipated(args.anticipated),
        confidence_level=args.confidence_level,
        failures=args.allowed_failures,
        power=args.power,
        deff=args.deff,
        response_rate=args.response_rate,
    )
    how = "as given" if args.allocation is not None else "default: see --help"
    _note(args, f"allocation {allocation!r} ({how}), n = {plan.n}")
    return plan, allocation


def _cmd_read(args: argparse.Namespace) -> int:
    from beian_audit.schema import FILING_SCHEMA

    path = _input(args.registry, "REGISTRY")
    filings = _load(path)
    headers = _file_headers(path)
    mapped = [{"column": c, "header": headers.get(c, c)} for c in filings.columns
              if c in FILING_SCHEMA]
    unknown = [c for c in filings.columns if c not in FILING_SCHEMA]
    absent = [c.name for c in FILING_SCHEMA if c.name not in filings.columns]
    _print_json({"file": str(path), "rows": len(filings), "columns": mapped,
                 "unrecognised_headers": unknown, "absent_columns": absent, "problems": []})
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from beian_audit.checks.filings import check_filings

    path = _input(args.registry, "REGISTRY")
    providers_path = _input(args.providers, "--providers") if args.providers else None
    outputs = _Outputs(force=args.force, inputs=[path, providers_path])
    failures_path = outputs.file(args.failures, (".csv",), "--failures") if args.failures else None
    filings = _load(path)
    providers = _load_table(providers_path, "providers")
    report = check_filings(filings, providers=providers, progress=args.progress)
    with outputs.transaction():
        if failures_path is not None:
            from beian_audit.safe_output import write_table

            # masked, neutralised cells (the transaction makes it atomic)
            write_table(report.failures, outputs.stage(failures_path))
    _print_json(
        {
            "complete": report.complete,
            "summary": report._summary(),
            "skipped": report.skipped.to_dict(orient="records"),
            "checks": report.to_frame().to_dict(orient="records"),
            "by_provider": report.summary(by="provider_id").to_dict(orient="records")
            if "provider_id" in report.groups.columns
            else [],
        }
    )
    return EXIT_OK


def _cmd_plan(args: argparse.Namespace) -> int:
    path = _input(args.registry, "REGISTRY")
    plan, allocation = _plan(args, _load(path))
    _print_json({"allocation": allocation, **plan.to_dict()})
    return EXIT_OK


def _cmd_draw(args: argparse.Namespace) -> int:
    from beian_audit.sampling import draw_sample

    path = _input(args.registry, "REGISTRY")
    providers_path = _input(args.providers, "--providers") if args.providers else None
    if providers_path is not None and not args.with_checks:
        raise _usage("--providers goes with --with-checks")
    outputs = _Outputs(force=args.force, inputs=[path, providers_path])
    worksheet = outputs.file(args.worksheet, (".xlsx",), "--worksheet") if args.worksheet else None
    manifest = outputs.file(args.manifest, (".json",), "--manifest") if args.manifest else None
    if args.contacts != "masked" and worksheet is None:
        raise _usage("--contacts goes with --worksheet")
    filings = _load(path)
    plan, allocation = _plan(args, filings)
    sample = draw_sample(filings, plan, seed=args.seed, period=args.period,
                         rotation=args.rotation)
    with outputs.transaction():
        if worksheet is not None:
            checks = None
            if args.with_checks:
                from beian_audit.checks.filings import check_filings

                checks = check_filings(filings, providers=_load_table(providers_path,
                                                                       "providers"))
            sample.to_worksheet(outputs.stage(worksheet), checks=checks,
                                contacts=args.contacts)
        if manifest is not None:
            from beian_audit.safe_output import write_json

            write_json(sample.manifest, outputs.stage(manifest))
    if args.contacts != "masked":
        _note(args, f"{worksheet} holds phone numbers in clear (personal data): give it only "
                    "to the assigned field checkers and delete it after verification")
    _print_json({"allocation": allocation, "summary": sample._summary(),
                 "manifest": sample.manifest,
                 "by_stratum": sample.by_stratum().to_dict(orient="records")})
    return EXIT_OK


def _cmd_estimate(args: argparse.Namespace) -> int:
    from beian_audit.errors import IncompleteSampleWarning
    from beian_audit.estimation import assess_target, estimate_proportion
    from beian_audit.sampling import verification_progress
    from beian_audit.spotcheck import sample_from_manifest

    path = _input(args.registry, "REGISTRY")
    sheets = [_input(w, "--worksheet", (".xlsx",)) for w in args.worksheet]
    if args.fail_on_target and args.target is None:
        raise _usage("--fail-on-target needs --target")
    filings = _load(path)
    outcomes = _read_sheets(sheets)
    manifest = outcomes.attrs["manifest"]
    sample = sample_from_manifest(filings, manifest)
    key = sample.key
    data = sample.frame.merge(
        outcomes.drop(columns=[c for c in outcomes.columns
                               if c in sample.frame.columns and c != key]),
        on=key, how="left", validate="1:1",
    )
    column = f"{args.outcome}_ok"
    progress = verification_progress(data, outcome=column, key=key)
    payload: dict[str, Any] = {"complete": progress.complete, **progress.to_dict()}
    estimate = None
    if progress.n_verified:
        if not progress.complete:
            warnings.warn(f"the estimate is partial: {progress}", IncompleteSampleWarning,
                          stacklevel=1)
        estimate = estimate_proportion(data, column, by=args.by, method=args.method,
                                       confidence_level=args.confidence_level, missing="drop")
    else:
        warnings.warn(f"no outcome filled in yet: {progress}", IncompleteSampleWarning,
                      stacklevel=1)
    payload["estimate"] = None if estimate is None else estimate.to_dict()
    verdict = None
    if args.target is not None:
        status = "inconclusive"
        if estimate is not None:
            assessment = assess_target(estimate, args.target,
                                       confidence_level=args.confidence_level)
            payload["assessment"] = assessment.to_dict()
            status = assessment.status
        else:
            payload["assessment"] = None
        # a partly filled worksheet never gives a final verdict
        verdict = status if progress.complete else "inconclusive"
        payload["verdict"] = verdict
    _print_json(payload)
    if args.fail_on_target and verdict != "met":
        return EXIT_TARGET_NOT_MET
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from beian_audit.spotcheck import REPORT_FILES, run_spot_check, write_spot_check

    registry = _input(args.registry, "--registry") if args.registry else None
    providers_path = _input(args.providers, "--providers") if args.providers else None
    accessed_path = (_input(args.accessed_sites, "--accessed-sites")
                     if args.accessed_sites else None)
    sheets = [_input(w, "--worksheet", (".xlsx",)) for w in args.worksheet or []]
    if registry is None and (providers_path or accessed_path or sheets):
        raise _usage("--providers, --accessed-sites and --worksheet go with --registry "
                     "(without it the report uses the bundled synthetic data)")
    inputs = [p for p in (registry, providers_path, accessed_path, *sheets) if p is not None]
    outputs = _Outputs(force=args.force, inputs=inputs)
    out = outputs.directory(args.out, REPORT_FILES, "--out")
    if registry is None:
        from beian_audit.synthetic import (
            load_accessed_sites,
            load_providers,
            load_synthetic_registry,
        )

        filings: Any = load_synthetic_registry()
        providers = load_providers()
        accessed = load_accessed_sites().drop(columns=["truth_filed"])
        outcomes = None
    else:
        filings = _load(registry)
        providers = _load_table(providers_path, "providers")
        accessed = _load_table(accessed_path, "accessed")
        outcomes = _read_sheets(sheets) if sheets else None
    result = run_spot_check(filings, providers=providers, accessed_sites=accessed,
                            outcomes=outcomes, seed=args.seed, month=args.month,
                            progress=args.progress)
    with outputs.transaction():
        staged = outputs.stage_dir(out)
        files = write_spot_check(result, staged, providers=providers, accessed_sites=accessed,
                                 province=args.province)
    _print_json({"complete": result.complete, "summary": result._summary(),
                 "measures": result.to_frame().to_dict(orient="records"),
                 "files": {k: str(out / Path(v).name) for k, v in files.items()}})
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from beian_audit.demo import run_demo
    from beian_audit.spotcheck import REPORT_FILES

    outputs = _Outputs(force=True)
    out = outputs.directory(args.out, REPORT_FILES, "--out", replace=True)
    with outputs.transaction():
        result = run_demo(outputs.stage_dir(out), seed=args.seed, progress=args.progress)
    if args.json:
        _print_json(result.to_dict())
    else:
        print(result.summary_text())
        print(f"report files written under {out.resolve()}")
    return EXIT_OK


# --------------------------------------------------------------------------- parser


def _show_warning(message: Any, category: type, filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    """Warnings on stderr as one line each, without source paths."""
    text = str(message).splitlines()[0] if str(message) else ""
    sys.stderr.write(f"warning ({category.__name__}): {text}\n")


def _parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="beian-audit",
        description="Spot checks of an ICP filing registry with honest statistics.",
        epilog=_EPILOG,
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"beian-audit {_version()}")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of an internal error")
    parser.add_argument("--max-problems", type=_count("--max-problems", 0), default=0,
                        help="list at most this many input problems on stderr (default 0: all)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=text, description=text, epilog=_EPILOG,
                           formatter_class=formatter)
        p.add_argument("--progress", action="store_true", help="show progress bars")
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show the traceback of an internal error")
        p.add_argument("--max-problems", type=_count("--max-problems", 0),
                       default=argparse.SUPPRESS,
                       help="list at most this many input problems (default 0: all)")
        return p

    def force(p: argparse.ArgumentParser) -> None:
        p.add_argument("--force", action="store_true", help="replace existing output files")

    read = add("read", "read and validate a registry; JSON summary, every problem on stderr")
    read.add_argument("registry", help="CSV, XLSX or Parquet registry")
    read.set_defaults(func=_cmd_read)

    check = add("check", "validate every filing; JSON summary to stdout")
    check.add_argument("registry", help="CSV, XLSX or Parquet registry")
    check.add_argument("--providers", help="provider table (enables access_wrong_provider)")
    check.add_argument("--failures", help="write the masked failures to this CSV")
    force(check)
    check.set_defaults(func=_cmd_check)

    def design(p: argparse.ArgumentParser) -> None:
        p.add_argument("registry", help="CSV, XLSX or Parquet registry")
        p.add_argument("--strata", nargs="+", default=["provider_id"],
                       help="stratum column(s) (default: provider_id)")
        p.add_argument("--allocation", default=None, choices=_ALLOCATIONS,
                       help="default: proportional when --n/--margin/--target is given, "
                            "else the provincial rule tianjin")
        p.add_argument("--n", type=_count("--n", 1), default=None, help="total sample size")
        p.add_argument("--n-per-stratum", type=_count("--n-per-stratum", 1), default=None,
                       help="with --allocation equal: this many per stratum")
        p.add_argument("--min-per-stratum", type=_count("--min-per-stratum", 0), default=2)
        p.add_argument("--margin", type=_unit("--margin"), default=None,
                       help="wanted half-width of the interval, e.g. 0.03")
        p.add_argument("--target", type=_unit("--target"), default=None,
                       help="a rate to be shown, e.g. 0.75")
        p.add_argument("--expected", type=_unit("--expected", closed=True), default=None,
                       help="anticipated overall rate (planning value)")
        p.add_argument("--anticipated", default=None,
                       help="anticipated rate per stratum (needed by neyman): a rate, a "
                            "registry column, or a CSV/JSON file of stratum -> rate")
        p.add_argument("--confidence-level", type=_unit("--confidence-level"), default=0.95)
        p.add_argument("--allowed-failures", type=_count("--allowed-failures", 0), default=0,
                       help="failures the target decision may allow (default 0)")
        p.add_argument("--power", type=_unit("--power"), default=None,
                       help="with --target and --expected: wanted power")
        p.add_argument("--deff", type=float, default=1.0, help="extra design effect")
        p.add_argument("--response-rate", type=_unit("--response-rate", closed=True),
                       default=1.0, help="share of drawn filings that can be verified")

    plan = add("plan", "plan sample sizes per stratum; JSON to stdout")
    design(plan)
    plan.set_defaults(func=_cmd_plan)

    draw = add("draw", "draw the sample and write the auditors' worksheet")
    design(draw)
    draw.add_argument("--seed", type=_count("--seed", 0), required=True)
    draw.add_argument("--period", type=_count("--period", 0), default=0)
    draw.add_argument("--rotation", type=_unit("--rotation", closed=True), default=0.0)
    draw.add_argument("--worksheet", help="XLSX worksheet to write (directories are created)")
    draw.add_argument("--manifest", help="JSON manifest to write")
    draw.add_argument("--providers", help="provider table (with --with-checks)")
    draw.add_argument("--with-checks", action="store_true",
                      help="add the automatic check results (in Chinese) to the worksheet")
    draw.add_argument("--contacts", choices=["masked", "clear", "protected-sheet"],
                      default="masked",
                      help="phone numbers for the field checkers: masked (default); clear "
                           "(in the main sheet); protected-sheet (a separate protected sheet). "
                           "The last two make the worksheet personal data.")
    force(draw)
    draw.set_defaults(func=_cmd_draw)

    estimate = add("estimate", "estimate accuracy from filled worksheets")
    estimate.add_argument("registry", help="the registry the sample was drawn from")
    estimate.add_argument("--worksheet", nargs="+", required=True,
                          help="filled worksheet(s); copies of one sample are merged")
    estimate.add_argument("--outcome", choices=["sponsor", "access"], default="sponsor")
    estimate.add_argument("--by", default=None, help="domain column, e.g. provider_id")
    estimate.add_argument("--method", default="korn-graubard")
    estimate.add_argument("--confidence-level", type=_unit("--confidence-level"), default=0.95)
    estimate.add_argument("--target", type=_unit("--target"), default=None)
    estimate.add_argument("--fail-on-target", action="store_true",
                          help="exit with 1 unless the verdict is 'met'")
    estimate.set_defaults(func=_cmd_estimate)

    report = add("report", "the monthly report files and statistics table")
    report.add_argument("--registry", help="registry (default: the bundled synthetic one)")
    report.add_argument("--worksheet", nargs="+", help="filled worksheet(s) of the sample")
    report.add_argument("--providers", help="provider table (gives the statistics table)")
    report.add_argument("--accessed-sites", help="accessed-site list (gives the filing rate)")
    report.add_argument("--out", default="reports", help="output directory (default: reports)")
    report.add_argument("--province", type=_province, default=None,
                        help="province of the statistics table (default: the largest)")
    report.add_argument("--month", type=_month, default="2013-05", help="YYYY-MM")
    report.add_argument("--seed", type=_count("--seed", 0), default=2013)
    force(report)
    report.set_defaults(func=_cmd_report)

    demo = add("demo", "run the monthly spot check on the bundled registry")
    demo.add_argument("--out", default="reports",
                      help="output directory (default: ./reports; its report files are "
                           "replaced)")
    demo.add_argument("--seed", type=_count("--seed", 0), default=2013)
    demo.add_argument("--json", action="store_true", help="print the summary as JSON")
    demo.set_defaults(func=_cmd_demo)

    # the ledger: month open|draw|status|close|reopen, outcomes import, ledger upgrade, case …
    from beian_audit.ledger.cli import register

    register(sub, add=add, force=force, design=design)
    return parser


def _version() -> str:
    from beian_audit import __version__

    return __version__


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``beian-audit``; returns the exit code (see the module notes)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse: --help / --version (0) or bad usage (2)
        return int(exit_.code or 0) if isinstance(exit_.code, int) else EXIT_BAD_INPUT
    command = f"beian-audit {args.command}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = _show_warning
            return int(args.func(args))
    except _FileProblems as problems:
        lines = _problem_lines(problems)
        cap = args.max_problems or len(lines)
        sys.stderr.write(f"{command}: error: {len(lines)} problem(s) in {problems.path}\n")
        for line in lines[:cap]:
            sys.stderr.write(f"  {line}\n")
        if len(lines) > cap:
            sys.stderr.write(f"  … and {len(lines) - cap} more (--max-problems 0 lists all)\n")
        return EXIT_BAD_INPUT
    except (BeianAuditError, ValueError, OSError) as exc:
        if args.debug and not isinstance(exc, BeianAuditError):
            raise
        sys.stderr.write(f"{command}: error: {_first_line(exc)}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write(f"{command}: interrupted\n")
        return 130
    except Exception as exc:
        if args.debug:
            raise
        sys.stderr.write(f"{command}: internal error: {type(exc).__name__}: {_first_line(exc)} "
                         "(a bug; rerun with --debug for the traceback)\n")
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
