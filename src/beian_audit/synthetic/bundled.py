"""The bundled registry in ``datasets/synthetic/``: loading it and rebuilding it.

The wheel installs the files as ``beian_audit/_datasets/``; a source checkout reads
them from ``datasets/synthetic/``. :func:`build_bundled` rewrites them (and their
README) byte for byte.

Examples
--------
>>> _dataset_file("providers.parquet").name
'providers.parquet'
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from beian_audit.errors import BeianAuditError, SyntheticDataNotFoundError
from beian_audit.schema import ACCESSED_SITES_SCHEMA, FILING_SCHEMA, PROVIDER_SCHEMA, Schema
from beian_audit.synthetic.defects import DEFECT_CODES
from beian_audit.synthetic.params import _PARAM_DOCS, DEFAULT_PARAMS
from beian_audit.synthetic.rates import realised_rates
from beian_audit.synthetic.vectors import _frame, _pa
from beian_audit.synthetic.world import SyntheticWorld, generate_world
from beian_audit.synthetic.writers import _csv_bytes, _parquet_bytes, _xlsx_bytes

#: Seed and size of the bundled registry in ``datasets/synthetic/``.
BUNDLED_SEED = 2013
BUNDLED_N_WEBSITES = 35_000
_BUNDLED_FILES = {
    "registry": "registry.parquet",
    "accessed_sites": "accessed_sites.parquet",
    "providers": "providers.parquet",
}


def _checkout_dir() -> Path:
    return Path(__file__).resolve().parents[3] / "datasets" / "synthetic"


def _dataset_file(name: str) -> Any:
    """The bundled file: installed package data first, then the source checkout."""
    try:
        candidate = resources.files("beian_audit") / "_datasets" / name
        if candidate.is_file():
            return candidate
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):  # pragma: no cover
        pass
    local = _checkout_dir() / name
    if local.is_file():
        return local
    raise SyntheticDataNotFoundError(
        f"the bundled synthetic file {name!r} was not found in the installed package "
        "(beian_audit/_datasets/) nor in a source checkout (datasets/synthetic/); "
        "reinstall beian-audit, or regenerate the files in a checkout with "
        "`python -m beian_audit.synthetic build`"
    )


def _from_arrow(table: Any, schema: Schema) -> pd.DataFrame:
    pa = _pa()
    names = table.column_names
    if names != schema.names:
        raise BeianAuditError(
            f"bundled {schema.title} table has columns {names}, expected {schema.names}"
        )
    out: dict[str, Any] = {}
    for col in schema:
        arr = table.column(col.name).combine_chunks()
        if col.kind == "string":
            out[col.name] = arr
        elif col.kind == "boolean":
            out[col.name] = pd.Series(
                arr.to_numpy(zero_copy_only=False), dtype="boolean", name=col.name
            )
        else:
            out[col.name] = arr.cast(pa.timestamp("ns")).to_numpy(zero_copy_only=False)
    frame = _frame(
        {
            k: (v if not isinstance(v, pd.Series) else v.to_numpy(dtype=bool))
            for k, v in out.items()
        },
        schema,
    )
    for col in schema:  # booleans may carry missing values in a bundled file
        if col.kind == "boolean":
            frame[col.name] = out[col.name]
    return frame


def _read_bundled(key: str, schema: Schema) -> pd.DataFrame:
    import pyarrow.parquet as pq

    with _dataset_file(_BUNDLED_FILES[key]).open("rb") as fh:
        table = pq.read_table(fh)
    return _from_arrow(table, schema)


def load_synthetic_registry() -> pd.DataFrame:
    """The bundled synthetic registry (35,000 websites, seed 2013) with truth columns.

    Returns
    -------
    DataFrame
        Every :data:`~beian_audit.schema.FILING_SCHEMA` column with canonical dtypes;
        equal to ``generate_registry(35_000, seed=2013)``.

    Raises
    ------
    SyntheticDataNotFoundError
        When the bundled file is missing from the installation.

    Examples
    --------
    >>> frame = load_synthetic_registry()
    >>> len(frame), str(frame["sponsor_name"].dtype)
    (35000, 'string')
    """
    return _read_bundled("registry", FILING_SCHEMA)


def load_accessed_sites() -> pd.DataFrame:
    """The accessed-site lists of the bundled registry's providers, with ``truth_filed``.

    Examples
    --------
    >>> sites = load_accessed_sites()
    >>> list(sites.columns)
    ['site_id', 'domain', 'ip', 'provider_id', 'truth_filed']
    """
    return _read_bundled("accessed_sites", ACCESSED_SITES_SCHEMA)


def load_providers() -> pd.DataFrame:
    """The access providers of the bundled registry (id, name, licence, IP ranges …).

    Examples
    --------
    >>> load_providers()["provider_id"].iloc[0]
    'P0001'
    """
    return _read_bundled("providers", PROVIDER_SCHEMA)


def _fmt_default(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {v:g}" for k, v in value.items())
    if value is None:
        return "None"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _readme(world: SyntheticWorld, files: Mapping[str, bytes]) -> str:
    p = world.params
    rates = realised_rates(world).to_frame()
    lines = [
        "# Bundled synthetic ICP registry",
        "",
        "A fictitious national ICP filing registry with **ground truth**, generated by",
        "`beian_audit.synthetic.generate_world` (see `docs/synthetic.md`). Every person,",
        "company, number and address is random; any match with a real one is a",
        "coincidence — never call, mail or visit them.",
        "",
        f"* websites: {len(world.filings):,}; sponsors: "
        f"{world.filings['sponsor_id'].nunique():,}; providers: {len(world.providers)}; "
        f"accessed sites: {len(world.accessed_sites):,}",
        f"* seed: {p['seed']}; generator version: {p['generator_version']}; reference-data "
        f"fingerprint: `{p['reference_fingerprint']}`",
        "",
        "Load them with `beian_audit.load_synthetic_registry()`, `load_accessed_sites()` and",
        "`load_providers()`.",
        "",
        "## Regenerate",
        "",
        "From the root of a source checkout:",
        "",
        "```",
        f"python -m beian_audit.synthetic build --n {len(world.filings)} --seed {p['seed']}",
        "```",
        "",
        "The files are byte-for-byte reproducible with the same versions of the package,",
        "numpy, pandas, pyarrow and openpyxl, and the same reference tables in",
        "`src/beian_audit/data/` (their fingerprint is above). After a change of the",
        "division table, rebuild with the command above.",
        "",
        "## Files",
        "",
        "| file | bytes | sha256 | content |",
        "|---|---|---|---|",
    ]
    content = {
        "registry.parquet": "filings, every canonical column incl. truth (zstd parquet)",
        "registry_zh.csv": "the same data, UTF-8 with BOM, Chinese headers",
        "registry_sample.xlsx": "the first 200 rows, Chinese headers",
        "accessed_sites.parquet": "sites reported by providers, with truth_filed",
        "providers.parquet": "providers: id, name, licence, province, IP ranges, integration",
    }
    for name, data in files.items():
        lines.append(
            f"| `{name}` | {len(data):,} | `{hashlib.sha256(data).hexdigest()}` | {content[name]} |"
        )
    lines += [
        "",
        "## Parameters (modelling assumptions)",
        "",
        "| parameter | value | meaning |",
        "|---|---|---|",
    ]
    for key in DEFAULT_PARAMS:
        lines.append(f"| `{key}` | {_fmt_default(p[key])} | {_PARAM_DOCS[key]} |")
    lines += [
        "",
        "## Realised against expected",
        "",
        "`python -m beian_audit.synthetic summary` prints this table.",
        "",
        "| metric | expected | realised | se |",
        "|---|---|---|---|",
    ]
    for r in rates.itertuples(index=False):
        se_value = float(r.se)  # type: ignore[arg-type]
        se = "" if not math.isfinite(se_value) else f"{se_value:.4f}"
        lines.append(f"| {r.metric} | {r.expected:.4f} | {r.realised:.4f} | {se} |")
    lines += [
        "",
        "## Defect codes",
        "",
        "| code | block | detectable by | meaning |",
        "|---|---|---|---|",
    ]
    for d in DEFECT_CODES:
        lines.append(f"| `{d.code}` | {d.block} | {d.detect} | {d.description} |")
    return "\n".join(lines) + "\n"


def build_bundled(
    out_dir: str | Path | None = None,
    *,
    n_websites: int = BUNDLED_N_WEBSITES,
    seed: int = BUNDLED_SEED,
) -> dict[str, str]:
    """Write the bundled files; return file name -> sha256.

    Writes ``registry.parquet``, ``registry_zh.csv``, ``registry_sample.xlsx``,
    ``accessed_sites.parquet``, ``providers.parquet`` and ``README.md``. The same
    arguments (and library versions) always give the same bytes.

    Parameters
    ----------
    out_dir : path, optional
        Target directory; defaults to ``datasets/synthetic`` of the source checkout.
    n_websites, seed : int
        Size and seed (35,000 and 2013 for the bundled registry).

    Returns
    -------
    dict
        File name -> sha256 hex digest (README.md excluded: it lists the others).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     first = build_bundled(tmp, n_websites=300, seed=1)
    ...     again = build_bundled(tmp, n_websites=300, seed=1)
    >>> first == again, sorted(first)[0]
    (True, 'accessed_sites.parquet')
    """
    target = Path(out_dir) if out_dir is not None else _checkout_dir()
    target.mkdir(parents=True, exist_ok=True)
    world = generate_world(n_websites, seed=seed)
    files = {
        "registry.parquet": _parquet_bytes(world.filings),
        "registry_zh.csv": _csv_bytes(world.filings, FILING_SCHEMA),
        "registry_sample.xlsx": _xlsx_bytes(world.filings.head(200), FILING_SCHEMA),
        "accessed_sites.parquet": _parquet_bytes(world.accessed_sites),
        "providers.parquet": _parquet_bytes(world.providers),
    }
    for name, data in files.items():
        (target / name).write_bytes(data)
    (target / "README.md").write_text(_readme(world, files), encoding="utf-8")
    return {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
