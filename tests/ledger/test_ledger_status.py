"""``month status`` (#14, #15): nonresponse, response rates, the stopping advice, refused.

Every test runs on SQLite and on a real PostgreSQL 15 server (conftest.py).
Reference values are computed here, not by the code under test: response rates
by counting the outcomes the test itself wrote; the MAR estimate by the
weighting-class closed form p̂ = Σ_h (N_h/N) · (correct_h / respondents_h)
(Lohr 2019, §8.5.1, weighting-class adjustment); the verification order by
sorting on (batch, stratum, PRN) with batch k holding ranks ⌈t_{k-1} n_h⌉ …
⌈t_k n_h⌉ − 1 of stratum h (the definition of docs/sequential.md).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from beian_audit.cli import main
from beian_audit.errors import ArgumentError
from beian_audit.ledger import Ledger
from beian_audit.sampling import REASON_CODES

MONTH, PROVINCE = "2013-05", "广东"


def _month(ledger: Ledger, registry: pd.DataFrame, tmp_path: Path, *, n: int = 120,
           month: str = MONTH, **draw: Any) -> tuple[Any, Path]:
    handle = ledger.open_month(registry, month, PROVINCE, n=n)
    drawn = handle.draw(seed=2013, out_dir=tmp_path / month, **draw)
    return handle, Path(drawn.worksheets["file"].iloc[0])


def _ranked(sample: pd.DataFrame) -> pd.DataFrame:
    """Rank of each drawn filing in its stratum's PRN order, and n_h (computed here)."""
    out = sample.sort_values(["stratum", "prn"], kind="stable").copy()
    out["rank"] = out.groupby("stratum").cumcount()
    out["n_h"] = out.groupby("stratum")["stratum"].transform("size")
    return out


def _batch(ranked: pd.DataFrame, looks: int = 5) -> pd.Series:
    """Look (1 … K) of each row: rank r of stratum h is in batch k when ⌈t_{k-1} n_h⌉ ≤ r."""
    def look(row: Any) -> int:
        for k in range(1, looks + 1):
            if row["rank"] < math.ceil(k / looks * row["n_h"] - 1e-9):
                return k
        return looks
    return ranked.apply(look, axis=1)


def _sheet_keys(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path, read_only=True)["抽查核验"]
    return [str(r[0]) for r in ws.iter_rows(min_row=3, values_only=True) if r[0] is not None]


# ----------------------------------------------------------------------------- order, looks


def test_worksheets_are_in_verification_order_and_the_looks_are_recorded(
        ledger: Ledger, registry: pd.DataFrame, tmp_path: Path) -> None:
    month, sheet = _month(ledger, registry, tmp_path, looks=4)
    ranked = _ranked(month.sample())
    ranked["look"] = _batch(ranked, 4)
    expected = ranked.sort_values(["look", "stratum", "rank"], kind="stable")
    assert _sheet_keys(sheet) == expected["website_id"].tolist()
    assert ledger.manifest(MONTH, PROVINCE)["verification"]["looks"] == 4
    assert ledger.plan(MONTH, PROVINCE)["verification"]["looks"] == 4
    assert month.status().looks == 4 and month.status().notes == ()

    # per verifier: dealt out in turn, each sheet a subsequence of the same order
    other = ledger.open_month(registry, "2013-06", PROVINCE, n=120)
    drawn = other.draw(seed=5, out_dir=tmp_path / "v", split="verifier",
                       verifiers=["甲", "乙", "丙"])
    assert drawn.worksheets["n_units"].tolist() == [40, 40, 40]
    ranked = _ranked(other.sample())
    ranked["look"] = _batch(ranked, 5)
    order = ranked.sort_values(["look", "stratum", "rank"], kind="stable")["website_id"]
    sheets = [_sheet_keys(Path(f)) for f in drawn.worksheets["file"]]
    for i, keys in enumerate(sheets):
        assert keys == order.tolist()[i::3]

    with pytest.raises(ArgumentError, match="looks"):
        ledger.open_month(registry, "2013-07", PROVINCE, n=60).draw(seed=1, looks=[0.5, 0.4])


def test_a_month_drawn_before_looks_were_recorded_assumes_five_with_a_note(
        ledger: Ledger, registry: pd.DataFrame, tmp_path: Path) -> None:
    month, _ = _month(ledger, registry, tmp_path, looks=3)
    manifest = ledger.manifest(MONTH, PROVINCE)
    del manifest["verification"]  # what an older version of beian_audit recorded
    with ledger.engine.begin() as conn:
        conn.execute(sa.update(sa.table("draws", sa.column("manifest", sa.JSON)))
                     .values(manifest=manifest))
    status = month.status()
    assert status.looks == 5
    assert any("not recorded" in n and "5 equal looks" in n for n in status.notes)


# ----------------------------------------------------------------------------- nonresponse


def test_unreachable_sites_give_response_rates_and_the_three_robustness_kinds(
        ledger: Ledger, registry: pd.DataFrame, tmp_path: Path, fill: Any) -> None:
    month, sheet = _month(ledger, registry, tmp_path, looks=1)
    keys = _sheet_keys(sheet)

    def scenario(unreachable_every: int, wrong_every: int | None) -> Any:
        table = {}
        for i, key in enumerate(keys):
            if i % unreachable_every == 0:
                table[key] = (None, None, "phone_unreachable")
            elif wrong_every is not None and i % wrong_every == 1:
                table[key] = (False, True, "address_wrong")
            else:
                table[key] = (True, True, None)
        return table

    # 1 in 20 unreachable, every respondent correct: met whatever they are
    table = scenario(20, None)
    fill(sheet, table)
    month.import_outcomes(sheet)
    status = month.status()
    sample = month.sample().set_index("website_id")
    unreachable = [k for k, v in table.items() if v[0] is None]
    counted = sample.assign(u=sample.index.isin(unreachable)).groupby("stratum").agg(
        n=("u", "size"), u=("u", "sum"))
    want = ((counted["n"] - counted["u"]) / counted["n"]).rename("sponsor")
    got = status.response_rates()["sponsor"]
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index().astype(float),
                                   check_names=False)
    totals = status.totals().set_index("aspect")
    assert totals.loc["sponsor", "unreachable"] == len(unreachable)
    assert totals.loc["sponsor", "response_rate"] == pytest.approx(1 - len(unreachable) / 120)
    decision = status.decisions.set_index("aspect").loc["sponsor"]
    assert status.verdicts["sponsor"] == "met"
    assert decision["nonresponse_robustness"] == "robust"
    assert "met whatever the unreachable" in decision["nonresponse_note"]
    assert status.estimates["sponsor"].nonresponse == "mar"

    # half unreachable, respondents all correct: the nonrespondents decide (flips)
    table = scenario(2, None)
    fill(sheet, table)
    month.import_outcomes(sheet)
    status = month.status()
    decision = status.decisions.set_index("aspect").loc["sponsor"]
    assert decision["nonresponse_robustness"] == "flips"
    assert status.assessments["sponsor"].table["status_worst"].iloc[-1] == "not_met"
    assert month.status(nonresponse="worst").verdicts["sponsor"] == "not_met"

    # 1 in 5 unreachable, 1 in 8 respondents wrong: met only under MAR
    table = scenario(5, 10)
    fill(sheet, table)
    month.import_outcomes(sheet)
    status = month.status()
    decision = status.decisions.set_index("aspect").loc["sponsor"]
    assert (status.verdicts["sponsor"], decision["nonresponse_robustness"]) == (
        "met", "mar_only")
    assert "only if the nonrespondents resemble" in decision["nonresponse_note"]
    # the MAR estimate is the weighting-class closed form
    frame = sample.assign(state=[table[k][0] for k in sample.index])
    resp = frame[frame["state"].notna()]
    p_h = resp.groupby("stratum")["state"].mean()
    big_n = frame.groupby("stratum")["population_size"].first()
    expected = float((big_n * p_h.reindex(big_n.index)).sum() / big_n.sum())
    assert status.estimates["sponsor"].estimate == pytest.approx(expected, rel=1e-12)
    bounds = month.status(nonresponse="bounds")
    assert bounds.verdicts["sponsor"] == "inconclusive"  # the worst case is not met


# ----------------------------------------------------------------------------- stopping


def _look_keys(month: Any, looks: int, upto: int) -> list[str]:
    ranked = _ranked(month.sample())
    ranked["look"] = _batch(ranked, looks)
    return ranked.loc[ranked["look"] <= upto, "website_id"].tolist()


@pytest.mark.parametrize("correct_ranks, final", [(range(1, 8), "stop: met"),
                                                   (range(0, 5), "stop: not met")])
def test_the_advice_turns_from_continue_to_stop_as_batches_arrive(
        ledger: Ledger, registry: pd.DataFrame, tmp_path: Path, fill: Any,
        correct_ranks: range, final: str) -> None:
    # Target 0.75, 120 drawn, 5 looks; the i-th filing in verification order
    # (batch, stratum, PRN) is correct when i mod 8 is in ``correct_ranks``: 7/8
    # or 5/8 of every batch. After look 1
    # (24 verified) |z| ≈ 0.125/√(0.1875/24) ≈ 1.4, far below any boundary of
    # look 1 (O'Brien–Fleming type: 2 − 2Φ(1.645/√0.2) ≈ 0.0002 spent, c_1 ≈ 3.5):
    # continue. After look 3 (72 verified) |z| ≈ 0.125/√(0.1875/72) ≈ 2.45, above
    # c_3 (≈ 2.2): stop, at look 2 or 3.
    month, sheet = _month(ledger, registry, tmp_path)
    ranked = _ranked(month.sample())
    ranked["look"] = _batch(ranked, 5)
    order = ranked.sort_values(["look", "stratum", "rank"], kind="stable")["website_id"]
    position = {key: i for i, key in enumerate(order)}

    def outcome(key: str) -> tuple[bool, bool, str | None]:
        ok = position[key] % 8 in correct_ranks
        return ok, True, None if ok else "address_wrong"

    fill(sheet, {k: outcome(k) for k in _look_keys(month, 5, 1)})
    month.import_outcomes(sheet)
    status = month.status()
    assert status.advice["sponsor"].startswith("continue (about ")
    assert status.advice["sponsor"].endswith("more verifications expected)")
    assert status.verdicts["sponsor"] == "inconclusive"
    assert status.sequential["sponsor"].look == 1
    assert status.assessments["sponsor"].stop_advice == status.advice["sponsor"]

    fill(sheet, {k: outcome(k) for k in _look_keys(month, 5, 3)})
    month.import_outcomes(sheet)
    status = month.status()
    assert status.advice["sponsor"] == final
    assert status.sequential["sponsor"].decided_at_look in (2, 3)
    assert status.verdicts["sponsor"] == ("met" if final == "stop: met" else "not_met")
    assert not status.complete  # stopped early: 48 filings never needed a call


def test_a_verified_row_after_a_gap_waits_for_the_stopping_rule(
        ledger: Ledger, registry: pd.DataFrame, tmp_path: Path, fill: Any) -> None:
    month, sheet = _month(ledger, registry, tmp_path)
    ranked = _ranked(month.sample())
    late = ranked.loc[ranked["rank"] == ranked["n_h"] - 1, "website_id"].tolist()
    fill(sheet, {k: (True, True, None) for k in late})
    month.import_outcomes(sheet)
    status = month.status()
    assert status.decisions.set_index("aspect").loc["sponsor", "n_waiting"] == len(late)
    assert any("wait for earlier rows" in n for n in status.notes)
    assert status.sequential["sponsor"].n_verified == sum(ranked["n_h"] == 1)


# ----------------------------------------------------------------------------- refused


def test_refused_comes_from_the_worksheet(
        ledger: Ledger, registry: pd.DataFrame, tmp_path: Path, fill: Any) -> None:
    assert REASON_CODES["refused"] == "拒绝配合核查"
    month, sheet = _month(ledger, registry, tmp_path)
    keys = _sheet_keys(sheet)
    fill(sheet, {keys[0]: (None, None, "拒绝配合核查"), keys[1]: (None, None, "refused"),
                 keys[2]: (None, None, "拒绝配合核查;phone_unreachable"),
                 keys[3]: (None, None, "phone_unreachable"), keys[4]: (True, True, None)})
    month.import_outcomes(sheet)
    now = month.outcomes().set_index("website_id")
    assert now.loc[keys[:4], "sponsor_status"].tolist() == [
        "refused", "refused", "refused", "unreachable"]
    assert now.loc[keys[:3], "access_status"].tolist() == ["refused"] * 3
    assert now.loc[keys[0], "sponsor_reason"] == "refused"
    totals = month.status().totals().set_index("aspect")
    assert (totals.loc["sponsor", "refused"], totals.loc["sponsor", "unreachable"]) == (3, 1)
    assert totals.loc["sponsor", "response_rate"] == pytest.approx(1 / 5)


# ----------------------------------------------------------------------------- CLI


def test_month_status_on_the_command_line_reports_advice_and_nonresponse(
        ledger_location: str, registry: pd.DataFrame, tmp_path: Path, fill: Any,
        capsys: pytest.CaptureFixture[str]) -> None:
    with Ledger.open(ledger_location) as ledger:
        month, sheet = _month(ledger, registry, tmp_path)
        keys = _sheet_keys(sheet)
        fill(sheet, {k: ((None, None, "phone_unreachable") if i % 10 == 0 else
                         (True, True, None)) for i, k in enumerate(keys[:60])})
        month.import_outcomes(sheet)
    where = ["--month", MONTH, "--province", PROVINCE, "--ledger", ledger_location]
    code = main(["month", "status", *where, "--nonresponse", "worst"])
    out, err = capsys.readouterr()
    payload = json.loads(out)
    assert code == 0, err
    assert payload["nonresponse"] == "worst"
    assert payload["advice"]["sponsor"].startswith(("stop", "continue"))
    assert payload["decisions"][0]["aspect"] == "sponsor"
    assert "response_rate" in payload["totals"][0]
    assert "sponsor:" in err
    assert main(["month", "status", *where, "--nonresponse", "guess"]) == 2
    capsys.readouterr()
    assert np.isfinite(payload["totals"][0]["response_rate"])


# ----------------------------------------------------------------------------- warnings


def test_estimation_warnings_are_kept_in_the_status_not_on_the_console(
        ledger_location: str, registry: pd.DataFrame, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    import warnings

    with Ledger.open(ledger_location) as ledger:
        month, _ = _month(ledger, registry, tmp_path)
        keys = month.sample()["website_id"]
        # every verified filing correct: p̂ = 1 exactly (Σ w·1 / Σ w), a degenerate interval
        month.record_outcomes(pd.DataFrame({"website_id": keys, "aspect": "sponsor",
                                            "status": "correct", "verifier": "甲"}))
        with warnings.catch_warnings(record=True) as leaked:
            warnings.simplefilter("always")
            status = month.status()
    assert [str(w.message) for w in leaked] == []
    assert status.estimates["sponsor"].estimate == 1.0
    assert len(status.warnings) == 1
    assert status.warnings[0].startswith("sponsor: DegenerateIntervalWarning: ")
    assert "estimate is 0 or 1" in status.warnings[0]
    row = status.decisions.set_index("aspect")["warnings"]
    assert row["sponsor"].startswith("DegenerateIntervalWarning") and row["access"] == ""
    assert "1 warning (see .warnings)" in repr(status)
    assert "Warnings:" in status._repr_html_()
    assert status.to_dict()["warnings"] == list(status.warnings)

    where = ["--month", MONTH, "--province", PROVINCE, "--ledger", ledger_location]
    assert main(["month", "status", *where]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["warnings"] == list(status.warnings)
    assert "DegenerateIntervalWarning" not in err
