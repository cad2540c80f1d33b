"""The Dask engine gives exactly the pandas answers, whatever the partitioning.

Reference values are the package's own pandas results on the same rows: the
claim under test is equality (flags, verdicts, failures, plans, sampled keys
and design columns, manifests, estimates to the last bit), not a number from
another source. The checks run on a ``distributed.LocalCluster`` with two worker
processes on loopback, started and closed here.
"""

from __future__ import annotations

import itertools
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import beian_audit as ba
from beian_audit import scale
from beian_audit.errors import MissingDependencyError

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pq = pytest.importorskip("pyarrow.parquet")
pa = pytest.importorskip("pyarrow")

PARTITIONS = (2, 7)
SEED = 20130501


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    return ba.load_synthetic_registry()


@pytest.fixture(scope="module")
def providers() -> pd.DataFrame:
    return ba.load_providers()


@pytest.fixture(scope="module")
def datasets(tmp_path_factory: pytest.TempPathFactory, registry: pd.DataFrame) -> dict[int, Path]:
    """The bundled registry as partitioned Parquet datasets of 2 and 7 files."""
    table = pa.Table.from_pandas(registry, preserve_index=False)
    out = {}
    for k in PARTITIONS:
        root = tmp_path_factory.mktemp(f"registry_{k}")
        bounds = np.linspace(0, table.num_rows, k + 1).astype(int)
        for i in range(k):
            pq.write_table(table.slice(bounds[i], bounds[i + 1] - bounds[i]),
                           root / f"part-{i:02d}.parquet")
        out[k] = root
    return out


def _read(datasets: dict[int, Path], k: int, columns: list[str] | None = None):
    ddf = dd.read_parquet(datasets[k], columns=columns)
    assert ddf.npartitions == k
    return ddf


@pytest.fixture(scope="module")
def reference(registry: pd.DataFrame, providers: pd.DataFrame) -> dict[str, object]:
    """The pandas results every Dask result must equal."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = ba.check_filings(registry, providers=providers)
        plan = ba.plan_sample(registry, strata="provider_id", allocation="tianjin")
        sample = ba.draw_sample(registry, plan, seed=SEED)
    return {"report": report, "plan": plan, "sample": sample}


def _outcomes(sample_frame: pd.DataFrame) -> pd.DataFrame:
    return sample_frame.assign(
        sponsor_ok=sample_frame["truth_sponsor_ok"], access_ok=sample_frame["truth_access_ok"]
    )


# --------------------------------------------------------------------------- check_filings


@pytest.mark.parametrize("k", PARTITIONS)
def test_check_filings_equal(client, datasets, providers, reference, k):
    expected = reference["report"]
    got = scale.check_filings_dask(_read(datasets, k), providers=providers)
    assert expected.flags["shared_mobile"].sum() > 100  # the global step is exercised
    pd.testing.assert_frame_equal(got.flags, expected.flags)
    pd.testing.assert_frame_equal(got.verdict, expected.verdict)
    pd.testing.assert_frame_equal(got.failures, expected.failures)
    pd.testing.assert_frame_equal(got.groups, expected.groups)
    assert got.checks_run == expected.checks_run


def test_check_filings_dispatches(client, datasets, providers, reference):
    from beian_audit import _engine

    frame = _read(datasets, 2)
    for kernel in ("check_filings", "plan_sample", "draw_sample", "estimate_proportion"):
        assert _engine.dispatch(kernel, frame) is getattr(scale, f"{kernel}_dask")
        assert _engine.dispatch(kernel, frame.head(3, compute=True)) is None  # pandas: kernel
    got = ba.check_filings(frame, providers=providers)
    pd.testing.assert_frame_equal(got.flags, reference["report"].flags)


def test_check_progress_bar(client, registry, capsys):
    head = registry.head(2000)
    got = scale.check_filings_dask(dd.from_pandas(head, npartitions=2, sort=False),
                                   progress=True)
    pd.testing.assert_frame_equal(got.flags, ba.check_filings(head).flags)
    assert "check_filings" in capsys.readouterr().err


def test_check_columns_are_enough(registry, providers, reference):
    """CHECK_FILINGS_COLUMNS is every column check_filings reads (projection is safe)."""
    head = registry.head(3000)
    full = ba.check_filings(head, providers=providers)
    projected = ba.check_filings(head[list(scale.CHECK_FILINGS_COLUMNS)], providers=providers)
    pd.testing.assert_frame_equal(projected.flags, full.flags)
    pd.testing.assert_frame_equal(projected.failures, full.failures)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cuts=st.lists(st.integers(1, 599), max_size=5, unique=True))
def test_rings_do_not_depend_on_partitioning(client, cuts):
    """Any split of a ring-rich frame gives the pandas shared_mobile flags and failures."""
    frame = _ring_frame()
    bounds = [0, *sorted(cuts), len(frame)]
    parts = [frame.iloc[a:b] for a, b in itertools.pairwise(bounds)]
    ddf = dd.concat([dd.from_pandas(p, npartitions=1, sort=False) for p in parts])
    assert ddf.npartitions == len(parts)
    got = scale.check_filings_dask(ddf)
    expected = ba.check_filings(frame)
    np.testing.assert_array_equal(
        got.flags["shared_mobile"].to_numpy(), expected.flags["shared_mobile"].to_numpy()
    )
    pd.testing.assert_frame_equal(
        got.failures.reset_index(drop=True), expected.failures.reset_index(drop=True)
    )


_RING: list[pd.DataFrame] = []


def _ring_frame() -> pd.DataFrame:
    """600 filings: the bundled registry's ring members first, then others (cached)."""
    if not _RING:
        cols = ["website_id", "sponsor_id", "sponsor_principal_mobile"]
        reg = ba.load_synthetic_registry()[cols]
        flagged = ba.check_filings(reg).flags["shared_mobile"].to_numpy()
        frame = pd.concat([reg[flagged].head(300), reg[~flagged].head(300)])
        _RING.append(frame.sample(frac=1.0, random_state=1).reset_index(drop=True))
    return _RING[0]


# --------------------------------------------------------------------------- plan_sample


@pytest.mark.parametrize("k", PARTITIONS)
@pytest.mark.parametrize(
    "options",
    [
        {"strata": "provider_id", "allocation": "tianjin"},
        {"strata": ["provider_id", "sponsor_province"], "n": 2000, "min_per_stratum": 1},
        {"strata": "sponsor_nature", "margin": 0.02, "anticipated": "truth_sponsor_ok",
         "allocation": "neyman"},
        {"strata": "sponsor_province", "psu": "provider_id", "psu_selection": "pps",
         "n_psu": 8, "n_per_stratum": 5, "allocation": "equal"},
        {"strata": None, "n": 500},
    ],
    ids=["tianjin", "crossed", "anticipated-column", "two-stage-pps", "unstratified"],
)
def test_plan_equal(client, datasets, registry, k, options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = ba.plan_sample(registry, **options)
        got = ba.plan_sample(_read(datasets, k), **options)  # dispatches to scale
    pd.testing.assert_frame_equal(got.sizes, expected.sizes)
    if expected.psus is not None:
        pd.testing.assert_frame_equal(got.psus, expected.psus)
    assert got.design() == expected.design()
    assert (got.n, got.deff_kish, got.expected_margin) == (
        expected.n, expected.deff_kish, expected.expected_margin)


def test_plan_warns_like_pandas(client, datasets, registry):
    options = {"strata": "provider_id", "n": 300, "target": 0.995}
    with warnings.catch_warnings(record=True) as expected:
        warnings.simplefilter("always")
        ba.plan_sample(registry, **options)
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        ba.plan_sample(_read(datasets, 2), **options)
    assert [(w.category, str(w.message)) for w in got] == [
        (w.category, str(w.message)) for w in expected
    ]
    assert any(w.category is ba.GoalNotReachableWarning for w in got)


def test_plan_errors_like_pandas(client, datasets):
    with pytest.raises(ba.SampleDesignError, match=r"no column\(s\) \['nope'\]"):
        ba.plan_sample(_read(datasets, 2), strata="nope", n=10)


# --------------------------------------------------------------------------- draw_sample


@pytest.mark.parametrize("k", PARTITIONS)
def test_draw_equal(client, datasets, registry, reference, k):
    expected = reference["sample"]
    got = ba.draw_sample(_read(datasets, k), reference["plan"], seed=SEED)  # dispatches
    pd.testing.assert_frame_equal(got.frame, expected.frame)
    keep = {key: v for key, v in expected.manifest.items() if key != "created"}
    assert {key: got.manifest[key] for key in keep} == keep
    # the manifest re-draws the sample from the pandas registry
    assert ba.verify_sample(registry, got.manifest, got.frame)


def test_draw_two_stage_with_rotation(client, datasets, registry):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = ba.plan_sample(registry, strata="sponsor_province", psu="provider_id",
                              psu_selection="srs", n_psu=6, n=600)
    expected = ba.draw_sample(registry, plan, seed=3, period=2, rotation=0.25)
    got = ba.draw_sample(_read(datasets, 7), plan, seed=3, period=2, rotation=0.25)
    pd.testing.assert_frame_equal(got.frame, expected.frame)
    assert got.manifest["selected_psus"] == expected.manifest["selected_psus"]
    assert got.manifest["frame_fingerprint"] == expected.manifest["frame_fingerprint"]


def test_draw_rejects_another_frame(client, datasets, registry, reference):
    ddf = _read(datasets, 2)
    smaller = ddf[ddf["provider_id"] != "P0001"]
    with pytest.raises(ba.SampleDesignError, match="does not match the plan"):
        ba.draw_sample(smaller, reference["plan"], seed=SEED)
    with pytest.raises(ValueError, match="period"):
        ba.draw_sample(ddf, reference["plan"], seed=SEED, period=-1)


# --------------------------------------------------------------------------- estimate


@pytest.mark.parametrize("k", PARTITIONS)
def test_estimate_equal(client, reference, k):
    data = _outcomes(reference["sample"].frame)
    ddf = dd.from_pandas(data, npartitions=k, sort=False)  # the sample's row order
    assert ddf.npartitions == k
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for outcome in ("sponsor_ok", "access_ok"):
            expected = ba.estimate_proportion(data, outcome, by="provider_id", missing="drop")
            got = ba.estimate_proportion(ddf, outcome, by="provider_id", missing="drop")
            for name in ("estimate", "se", "deff", "df", "n", "n_effective"):
                assert getattr(got, name) == getattr(expected, name) or (
                    np.isnan(getattr(got, name)) and np.isnan(getattr(expected, name))
                )
            assert got.ci == expected.ci
            pd.testing.assert_frame_equal(got.table, expected.table)
            assert got.design == expected.design


def test_estimate_missing_column(client, reference):
    ddf = dd.from_pandas(_outcomes(reference["sample"].frame), npartitions=2, sort=False)
    with pytest.raises(ba.EstimationError, match="outcome column"):
        ba.estimate_proportion(ddf, "nope")


# --------------------------------------------------------------------------- the module


def test_is_dask():
    frame = pd.DataFrame({"a": [1, 2]})
    assert not scale.is_dask(frame)
    assert scale.is_dask(dd.from_pandas(frame, npartitions=1))


def test_pandas_input_is_refused():
    with pytest.raises(TypeError, match="Dask DataFrame"):
        scale.check_filings_dask(pd.DataFrame({"website_id": ["W1"]}))


def test_missing_dask_names_the_extra(monkeypatch):
    for name in ("dask", "dask.dataframe"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(MissingDependencyError, match=r"beian-audit\[dask\]"):
        scale.plan_sample_dask(object(), n=1)
