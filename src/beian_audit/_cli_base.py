"""Shared pieces of the ``beian-audit`` command line: exit codes, usage errors,
input checks, all-or-nothing outputs and JSON printing.

:mod:`beian_audit.cli` (the core subcommands) and :mod:`beian_audit.ledger.cli`
(the ledger's) both build on this base module, so neither imports the other's
internals.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from beian_audit.errors import BeianAuditError

EXIT_OK = 0
EXIT_TARGET_NOT_MET = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL_ERROR = 3

EPILOG = """\
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

REGISTRY_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".parquet", ".pq")
ALLOCATIONS = ("proportional", "neyman", "equal", "power", "tianjin")


# --------------------------------------------------------------------------- errors


class CliUsageError(BeianAuditError, ValueError):
    """Bad usage found by the command line before the work starts (exit code 2)."""


def usage_error(message: str) -> CliUsageError:
    return CliUsageError(message)


class FileProblems(Exception):
    """Problems of one input file, to be listed as the user sees the file."""

    def __init__(self, path: Path, error: Any) -> None:
        super().__init__(str(error))
        self.path = path
        self.error = error


REASONS = {
    "missing_column": "the column is missing (no header in the file maps to it)",
    "duplicate_column": "two headers map to this column",
    "missing_value": "the cell is empty but required",
    "unparseable_value": "the value cannot be read",
    "duplicate_key": "the same website id appears more than once",
    "file_not_found": "the file does not exist",
    "bad_encoding": "the file is neither UTF-8 nor GB18030 text",
    "unsupported_format": "unsupported file type",
}


def file_headers(path: Path) -> dict[str, str]:
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


def problem_lines(problems: FileProblems) -> list[str]:
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

    headers = file_headers(path)
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
        lines.append(f"{where}, {shown}: {REASONS.get(reason, reason)}{tail}")
    return lines


# --------------------------------------------------------------------------- outputs


class Outputs:
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
            raise usage_error(f"cannot create the directory of {str(path)!r}: {str(parent)!r} "
                         "is a file")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise usage_error(f"cannot write {str(path)!r}: {str(parent)!r} is not writable")
        return parent

    def file(self, name: str, suffixes: tuple[str, ...], option: str) -> Path:
        """Check an output file before the work starts."""
        path = Path(name)
        if path.suffix.lower() not in suffixes:
            raise usage_error(f"{option} ({name!r}) must end with {' or '.join(suffixes)}")
        if path.resolve() in self.inputs:
            raise usage_error(f"{option} ({name!r}) is also an input; choose another file")
        if path.is_dir():
            raise usage_error(f"{option} ({name!r}) is a directory")
        if path.exists() and not self.force:
            raise usage_error(f"{option} ({name!r}) exists; use --force to replace it")
        self._anchor(path.resolve())
        if path.resolve() in self.planned:
            raise usage_error(f"{option} ({name!r}) is also another output")
        self.planned.add(path.resolve())
        return path

    def directory(self, name: str, files: Sequence[str], option: str, *,
                  replace: bool = False) -> Path:
        """Check an output directory whose ``files`` will be written."""
        path = Path(name)
        if path.exists() and not path.is_dir():
            raise usage_error(f"{option} ({name!r}) exists and is not a directory")
        if path.is_dir() and not (self.force or replace):
            there = [f for f in files if (path / f).exists()]
            if there:
                raise usage_error(f"{option} ({name!r}) already holds {', '.join(there[:3])}"
                             f"{' …' if len(there) > 3 else ''}; use --force to replace them")
        self._anchor(path.resolve() / "x")
        return path

    def stage(self, final: Path) -> Path:
        """A temporary file next to ``final`` (same suffix), moved there by :meth:`commit`."""
        final = final.resolve()
        fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=f".tmp{final.suffix}",
                                   dir=self._anchor(final))
        os.close(fd)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600: the usual mode, from the start
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
                    move_into_place(item, final / item.name)
                tmp.rmdir()
            else:
                move_into_place(tmp, final)
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
    def transaction(self) -> Iterator[Outputs]:
        try:
            yield self
        except BaseException:
            self.discard()
            raise
        self.commit()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def move_into_place(source: Path, target: Path) -> None:
    """Move a staged file into place, keeping its mode.

    Every staged file has its final mode from creation (:meth:`Outputs.stage`
    gives the usual one; a ledger is created owner-only), so the move never
    changes who may read it: a private file is never readable by others, not
    even for a moment.
    """
    try:
        os.replace(source, target)
    except OSError:  # another file system
        shutil.move(str(source), str(target))


# --------------------------------------------------------------------------- inputs


def input_path(path: str, option: str, suffixes: tuple[str, ...] = REGISTRY_SUFFIXES) -> Path:
    p = Path(path)
    if not p.exists():
        raise usage_error(f"{option} ({path!r}) does not exist")
    if p.is_dir():
        raise usage_error(f"{option} ({path!r}) is a directory, not a file")
    if p.suffix.lower() not in suffixes:
        raise usage_error(f"{option} ({path!r}) must be a {', '.join(suffixes)} file")
    if not os.access(p, os.R_OK):
        raise usage_error(f"{option} ({path!r}) is not readable")
    return p


def load_registry(path: Path) -> Any:
    from beian_audit.errors import SchemaError
    from beian_audit.io import read_filings

    try:
        return read_filings(path)
    except SchemaError as exc:
        raise FileProblems(path, exc) from exc


def load_table(path: Path | None, kind: str) -> Any:
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
        raise FileProblems(path, exc) from exc


def read_sheets(paths: Sequence[Path]) -> Any:
    """Read the worksheets; several copies of one sample are merged (conflicts rejected)."""
    import pandas as pd

    from beian_audit.errors import WorksheetError
    from beian_audit.sampling import read_worksheet

    sheets = []
    for path in paths:
        try:
            sheets.append(read_worksheet(path))
        except WorksheetError as exc:
            raise FileProblems(path, exc) from exc
    manifests = [json.dumps(s.attrs.get("manifest", {}), sort_keys=True) for s in sheets]
    if len(set(manifests)) > 1:
        raise usage_error("the worksheets come from different samples (their manifests differ); "
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
        raise usage_error(f"the worksheets disagree on {len(conflicts)} filing(s): "
                     f"{', '.join(conflicts[:10])}")
    merged = table.groupby(key, sort=False, observed=True)[outcome_cols].first().reset_index()
    order = sheets[0][key].astype(str)
    merged = merged.set_index(merged[key].astype(str)).reindex(order).reset_index(drop=True)
    for column in ("sponsor_ok", "access_ok"):
        merged[column] = merged[column].astype("boolean")
    merged.attrs["manifest"] = manifest
    return merged


def month_arg(text: str) -> str:
    from beian_audit.spotcheck import check_month

    try:
        return check_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def province_arg(text: str) -> str:
    import pandas as pd

    from beian_audit._provinces import province_codes

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


def unit_arg(name: str, *, closed: bool = False) -> Any:
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


def count_arg(name: str, minimum: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} ({text!r}) must be an integer") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{name} ({text!r}) must be >= {minimum}")
        return value

    return parse


def anticipated_arg(value: str | None) -> Any:
    """A rate, a CSV/JSON file of stratum -> rate, or a registry column name."""
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    path = Path(value)
    if path.suffix.lower() == ".json":
        data = json.loads(input_path(value, "--anticipated", (".json",)).read_text("utf-8"))
        if not isinstance(data, dict):
            raise usage_error("--anticipated JSON must be an object {stratum: rate}")
        return {str(k): float(v) for k, v in data.items()}
    if path.suffix.lower() == ".csv":
        import pandas as pd

        table = pd.read_csv(input_path(value, "--anticipated", (".csv",)), dtype={0: str})
        if table.shape[1] < 2:
            raise usage_error("--anticipated CSV needs two columns: stratum, rate")
        return dict(zip(table.iloc[:, 0].astype(str), table.iloc[:, 1].astype(float),
                        strict=True))
    return value  # a column of the registry (plan_sample checks it exists)


# --------------------------------------------------------------------------- output


def print_json(payload: Any) -> None:
    from beian_audit._results import jsonable

    sys.stdout.write(json.dumps(jsonable(payload), ensure_ascii=False, indent=2) + "\n")


def note(args: argparse.Namespace, text: str) -> None:
    sys.stderr.write(f"beian-audit {args.command}: {text}\n")


# --------------------------------------------------------------------------- commands


def allocation_of(args: argparse.Namespace) -> str:
    if args.allocation is not None:
        return str(args.allocation)
    sized = any(v is not None for v in (args.n, args.margin, args.target, args.n_per_stratum))
    if args.n_per_stratum is not None:
        return "equal"
    return "proportional" if sized else "tianjin"
