"""The main job on the bundled synthetic registry (``make demo``, ``beian-audit demo``).

Runs :func:`beian_audit.spotcheck.run_spot_check` on the bundled registry, its
provider table and accessed-site list, with the verification outcomes taken from
the synthetic ground truth, and writes every report file under ``out``, the
one-page ``report.html`` included.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     result = run_demo(d)
...     sorted(p.name for p in Path(d).iterdir())[:2]
['check_summary.csv', 'estimates_by_provider.csv']
"""

from __future__ import annotations

from pathlib import Path

from beian_audit.spotcheck import SpotCheckResult, run_spot_check, write_spot_check

__all__ = ["run_demo"]


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
        Seed of the sample draw.
    month : str, default "2013-05"
        Reporting month.
    province : str, optional
        Province of the statistics table (default: the largest).
    progress : bool, default False
        Progress bars.

    Returns
    -------
    SpotCheckResult
    """
    from beian_audit.synthetic import load_accessed_sites, load_providers, load_synthetic_registry

    providers = load_providers()
    accessed = load_accessed_sites().drop(columns=["truth_filed"])  # what a centre observes
    result = run_spot_check(
        load_synthetic_registry(),
        providers=providers,
        accessed_sites=accessed,
        seed=seed,
        month=month,
        progress=progress,
    )
    write_spot_check(result, out, providers=providers, accessed_sites=accessed, province=province,
                     html=True)
    return result
