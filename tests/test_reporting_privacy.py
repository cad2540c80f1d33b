"""Privacy of everything the reporting package writes or renders.

Builds the statistics table, rankings and blacklist matches from a synthetic
registry (whose personal values are fictitious), with a blacklist made of the
registry's own ID numbers and mobiles, writes every export, and scans the
bytes (XLSX parts unzipped) and the renderings for any raw ID number, phone
number or email address of the input.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from beian_audit.estimation import estimate_proportion
from beian_audit.reporting import (
    match_blacklist,
    national_roll_up,
    rank_providers,
    statistics_table,
    top_unfiled_providers,
)
from beian_audit.sampling import draw_sample, plan_sample
from beian_audit.schema import FILING_SCHEMA
from beian_audit.synthetic import generate_world


@pytest.fixture(scope="module")
def world():
    return generate_world(1200, seed=31)


def _personal_values(filings: pd.DataFrame) -> set[str]:
    kinds = FILING_SCHEMA.personal_columns()
    cols = [c for c, k in kinds.items() if k in ("id", "phone", "email") and c in filings]
    values = set()
    for col in cols:
        values |= {str(v) for v in filings[col].dropna().unique() if len(str(v)) >= 7}
    return values


def _texts(path: Path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return path.read_text(encoding="utf-8-sig")


def test_exports_and_renderings_hold_no_raw_personal_values(world, tmp_path):
    reg = world.filings
    sample = draw_sample(reg, plan_sample(reg, n=120), seed=2)
    home = world.providers["home_province"].iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = estimate_proportion(sample, "truth_sponsor_ok")
        table = statistics_table(
            province=home, month=5, registry=reg, accessed_sites=world.accessed_sites,
            providers=world.providers, sample=sample, sponsor_accuracy=est,
        )  # fmt: skip
        blacklist = pd.concat(
            [
                pd.DataFrame({"kind": "sponsor", "value": reg["sponsor_cert_number"].iloc[:30]}),
                pd.DataFrame(
                    {"kind": "sponsor", "value": reg["sponsor_principal_id_number"].iloc[:30]}
                ),
                pd.DataFrame(
                    {"kind": "mobile", "value": reg["sponsor_principal_mobile"].iloc[:30]}
                ),
                pd.DataFrame({"kind": "domain", "value": reg["domain"].iloc[:30]}),
            ],
            ignore_index=True,
        ).dropna()
        match = match_blacklist(reg, blacklist)
        accessed = match_blacklist(world.accessed_sites, blacklist)
        ranking = rank_providers(sample, "truth_sponsor_ok", rng=1)
    assert len(match.hits) >= 60  # the blacklist does hit: the check is not vacuous
    assert (match.hits["kind"] == "mobile").any() and (match.hits["kind"] == "sponsor").any()

    files = [
        table.to_excel(tmp_path / "table.xlsx"),
        table.to_csv(tmp_path / "table.csv"),
        match.to_csv(tmp_path / "hits.csv"),
        accessed.to_csv(tmp_path / "accessed.csv"),
    ]
    (tmp_path / "table.json").write_text(table.to_json(), encoding="utf-8")
    (tmp_path / "roll_up.json").write_text(
        national_roll_up([table], sponsor_accuracy=est).to_json(), encoding="utf-8"
    )
    (tmp_path / "hits.json").write_text(match.to_json(), encoding="utf-8")
    (tmp_path / "ranking.json").write_text(ranking.to_json(), encoding="utf-8")
    unfiled = top_unfiled_providers(world.accessed_sites, reg, providers=world.providers)
    (tmp_path / "unfiled.json").write_text(unfiled.to_json(), encoding="utf-8")
    files += [tmp_path / n for n in ("table.json", "roll_up.json", "hits.json", "ranking.json",
                                     "unfiled.json")]  # fmt: skip
    corpus = {str(p.name): _texts(p) for p in files}
    for obj in (table, match, accessed, ranking, unfiled):
        corpus[f"repr {type(obj).__name__}"] = repr(obj) + obj._repr_html_()
    corpus["form"] = table.form_frame().to_string()
    corpus["accessed_again"] = accessed.accessed_again.to_string()
    corpus["per_provider"] = match.hits_per_provider().to_string() + match.rows_hit().to_string()

    personal = _personal_values(reg)
    assert len(personal) > 1000
    leaks = {name: sorted(v for v in personal if v in text)[:3] for name, text in corpus.items()}
    assert {k: v for k, v in leaks.items() if v} == {}
    # and reveal=True does give the raw values back
    raw = match.to_frame(reveal=True)["value"].astype(str)
    assert raw.isin(personal).any()
