"""Tests of beian_audit.reporting.statistics_table and its exports.

Reference data: ``data/seed_statistics_table.csv``, typed by hand from the seed
document's attached form (labels copied character for character). Expected
counts are closed forms over the small hand-made frames below (counted by eye
and by a plain pandas expression written independently of the module);
expected rates are the ``ProportionEstimate`` they come from, times 100.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beian_audit.errors import DataQualityWarning, EstimationError, SchemaError
from beian_audit.estimation import estimate_proportion, proportion_ci
from beian_audit.reporting import (
    ROWS,
    RollUpWarning,
    StatisticsTable,
    national_roll_up,
    row_definitions,
    statistics_table,
    statistics_table_json_schema,
)

DATA = Path(__file__).parent / "data"
KEYS = [r.key for r in ROWS]


@pytest.fixture(scope="module")
def seed_form() -> pd.DataFrame:
    return pd.read_csv(
        DATA / "seed_statistics_table.csv", comment="#", dtype=str, keep_default_na=False
    )


# --------------------------------------------------------------------------- inputs
@pytest.fixture()
def providers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "provider_id": ["P1", "P2", "P3", "P4"],
            "provider_name": ["甲", "乙", "丙", "丁"],
            "home_province": ["浙江省", "浙江", "上海市", "330000"],
            "integration_passed": pd.array([True, False, True, True], dtype="boolean"),
        }
    )


@pytest.fixture()
def registry() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "website_id": ["W1", "W2", "W3", "W4", "W5", "W6"],
            "domain": ["a.cn", "b.com.cn", "c.cn", "d.cn", "e.cn", "f.cn"],
            "provider_id": ["P1", "P1", "P2", "P3", "P4", "P3"],
            "material_uploaded": pd.array([True, False, True, True, False, True], dtype="boolean"),
        }
    )


@pytest.fixture()
def accessed() -> pd.DataFrame:
    # P1: a.cn filed (via www.), x.cn unfiled; P2: y.cn unfiled; P3 (Shanghai): z.cn unfiled
    return pd.DataFrame(
        {
            "site_id": ["S1", "S2", "S3", "S4", "S5"],
            "domain": ["www.a.cn", "x.cn", "shop.b.com.cn", "y.cn", "z.cn"],
            "provider_id": ["P1", "P1", "P1", "P2", "P3"],
        }
    )


@pytest.fixture()
def sample() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "website_id": ["W1", "W2", "W3", "W4", "W5", "W6"],
            "provider_id": ["P1", "P1", "P2", "P3", "P4", "P3"],
            "stratum": ["A", "A", "A", "B", "B", "B"],
            "population_size": [30, 30, 30, 40, 40, 40],
            "sponsor_ok": [1, 0, 1, 1, 1, 0],
            "access_ok": [1, 1, 1, 0, 1, 1],
        }
    )


def _logs() -> tuple[pd.DataFrame, pd.DataFrame]:
    review = pd.DataFrame(
        {
            "date": ["2013-05-01", "2013-05-31", "2013-04-30", "2013-05-15", "2013-06-01"],
            "kind": ["review", "review", "review", "enquiry", "enquiry"],
            "count": [10, 5, 7, 3, 100],
        }
    )
    enforcement = pd.DataFrame(
        {
            "date": pd.to_datetime(
                [
                    "2013-05-02",
                    "2013-05-03",
                    "2013-05-04",
                    "2013-05-05",
                    "2013-05-06",
                    "2013-05-07",
                    "2013-03-01",
                    "2013-05-08",
                ]
            ),
            "action": [
                "closed_local",
                "closed_ministry",
                "blacklisted",
                "interview",
                "notice",
                "penalty",
                "penalty",
                "penalty",
            ],
            "province": ["浙江省", "浙江", "330000", "浙", "浙江省", "浙江省", "浙江省", "上海市"],
        }
    )
    return review, enforcement


@pytest.fixture()
def full_table(providers, registry, accessed, sample) -> StatisticsTable:
    review, enforcement = _logs()
    est_s = estimate_proportion(sample, "sponsor_ok")
    est_a = estimate_proportion(sample, "access_ok")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return statistics_table(
            province="浙江",
            month=5,
            registry=registry,
            accessed_sites=accessed,
            review_log=review,
            providers=providers,
            sample=sample,
            sponsor_accuracy=est_s,
            access_accuracy=est_a,
            enforcement=enforcement,
        )


# --------------------------------------------------------------------------- labels
def test_rows_equal_seed_fixture(seed_form):
    defs = row_definitions()
    assert len(defs) == 18
    assert defs["no"].tolist() == seed_form["序号"].astype(int).tolist()
    assert defs["item_zh"].tolist() == seed_form["项目"].tolist()
    # the form gives a task on the first row of its group only: fill down
    filled = seed_form["主要任务"].replace("", np.nan).ffill()
    assert defs["task_zh"].tolist() == filled.tolist()
    assert defs["form_cell"].tolist() == seed_form["数量"].tolist()
    assert defs["task_en"].str.len().gt(0).all() and defs["item_en"].str.len().gt(0).all()
    assert len(set(KEYS)) == 18


def test_subtitle_keeps_the_seed_template():
    # seed: （2013年  ××月  ××通信管理局）; the two spaces are kept
    t = statistics_table(province="330000", month=5, province_by="none")
    assert t.title == "网站备案管理工作情况统计表"
    assert t.subtitle == "（2013年  5月  浙江省通信管理局）"
    t = statistics_table(province="桂", month=12, year=2014, province_by="none")
    assert t.subtitle == "（2014年  12月  广西壮族自治区通信管理局）"
    assert t.province == "广西壮族自治区" and t.province_code == "450000"


# --------------------------------------------------------------------------- values
def test_every_row_from_its_input(full_table, sample):
    v = full_table.value
    # Zhejiang providers: P1, P2, P4 (home_province spelled three ways)
    assert v("providers_in_province") == 3
    assert v("providers_integrated") == 2 and v("providers_not_integrated") == 1
    # registry rows of P1, P2, P4: W1, W2, W3, W5
    assert v("filed_websites") == 4
    assert v("websites_material_uploaded") == 2 and v("websites_material_missing") == 2
    # accessed sites of P1, P2 whose registered domain has no filing: x.cn, y.cn
    assert v("unfiled_websites") == 2
    # review log, May 2013 only: 10 + 5 reviews, 3 enquiries
    assert v("filings_reviewed") == 15 and v("enquiries_handled") == 3
    # sample rows of P1, P2, P4
    assert v("providers_spot_checked") == 3 and v("websites_spot_checked") == 4
    # enforcement, May 2013, Zhejiang only
    assert [v(k) for k in KEYS[13:]] == [1, 1, 1, 2, 1]
    assert full_table.missing_inputs == ()
    assert not full_table.rows["missing"].any()


def test_rates_come_from_the_estimates(full_table, sample):
    est = estimate_proportion(sample, "sponsor_ok")
    row = full_table.rows.set_index("key").loc["sponsor_accuracy_pct"]
    assert row["value"] == pytest.approx(100 * est.estimate)
    assert row["ci_low"] == pytest.approx(100 * est.ci.low)
    assert row["ci_high"] == pytest.approx(100 * est.ci.high)
    assert row["method"] == "korn-graubard" and row["confidence_level"] == 0.95
    assert row["n"] == est.n == 6
    # a simple-random-sample interval works too (closed form: 3 of 4 correct)
    ci = proportion_ci(3, 4, method="wilson")
    t = statistics_table(province="浙江", month=5, access_accuracy=ci, province_by="none")
    assert t.value(13) == pytest.approx(75.0)


def test_missing_inputs_are_na_not_zero():
    t = statistics_table(province="浙江", month=5, province_by="none")
    assert t.missing_inputs == tuple(KEYS)
    assert t.rows["value"].isna().all()
    assert all(t.value(k) is None for k in KEYS)
    assert t.rows.loc[2, "missing_input"] == "review_log"
    # province_by="provider" without providers: scoped rows are missing for that reason
    reg = pd.DataFrame({"website_id": ["W1"], "provider_id": ["P1"]})
    t = statistics_table(province="浙江", month=5, registry=reg)
    assert t.value(1) is None
    assert t.rows.loc[0, "missing_input"] == "providers"


def test_missing_column_makes_row_missing(providers, registry):
    t = statistics_table(
        province="浙江",
        month=5,
        registry=registry.drop(columns="material_uploaded"),
        providers=providers.drop(columns="integration_passed"),
    )
    assert t.value(1) == 4 and t.value(5) == 3
    assert {"providers_integrated", "websites_material_uploaded"} <= set(t.missing_inputs)
    assert t.rows.set_index("key").loc["websites_material_missing", "missing_input"] == (
        "registry.material_uploaded"
    )


def test_counts_override_and_validation(registry, providers):
    t = statistics_table(
        province="浙江", month=5, registry=registry, providers=providers,
        counts={"filed_websites": 100, 3: 7},
    )  # fmt: skip
    assert t.value(1) == 100 and t.value(3) == 7
    assert t.rows.loc[0, "source"] == "counts"
    assert "filings_reviewed" not in t.missing_inputs
    with pytest.raises(EstimationError, match="rate"):
        statistics_table(province="浙江", month=5, counts={12: 75})
    with pytest.raises(ValueError, match="non-negative integer"):
        statistics_table(province="浙江", month=5, counts={1: -1})
    with pytest.raises(KeyError):
        statistics_table(province="浙江", month=5, counts={"nope": 1})


def test_rates_must_be_estimates():
    with pytest.raises(EstimationError, match="never typed in or averaged"):
        statistics_table(province="浙江", month=5, sponsor_accuracy=0.75)  # type: ignore[arg-type]


def test_period_year_to_date():
    review, enforcement = _logs()
    t = statistics_table(province="浙江", month=5, review_log=review, enforcement=enforcement,
                         province_by="none", period="year_to_date")  # fmt: skip
    assert t.value("filings_reviewed") == 22  # 10 + 5 + 7 (April counts now)
    assert t.value("administrative_penalties") == 2  # March and May, Zhejiang
    assert t.to_dict()["period"] == {"type": "year_to_date", "start": "2013-01-01",
                                     "end": "2013-05-31"}  # fmt: skip


def test_bad_logs_raise_with_failure_cases():
    log = pd.DataFrame({"date": ["2013-05-01", "not a date"], "kind": ["review", "review"]})
    with pytest.raises(SchemaError) as err:
        statistics_table(province="浙江", month=5, review_log=log)
    assert err.value.failure_cases["row"].tolist() == [1]
    log = pd.DataFrame({"date": ["2013-05-01"] * 2, "kind": ["review", "audit"]})
    with pytest.raises(SchemaError) as err:
        statistics_table(province="浙江", month=5, review_log=log)
    assert err.value.failure_cases["reason"].tolist() == ["unknown_kind"]
    with pytest.raises(SchemaError, match="lacks column"):
        statistics_table(province="浙江", month=5, enforcement=pd.DataFrame({"date": []}))
    log = pd.DataFrame({"date": ["2013-05-01"], "kind": ["review"], "count": [1.5]})
    with pytest.raises(SchemaError, match="count"):
        statistics_table(province="浙江", month=5, review_log=log)


def test_unknown_province_in_log_warns():
    log = pd.DataFrame({"date": ["2013-05-01"] * 2, "kind": ["review"] * 2,
                        "province": ["浙江", "火星"]})  # fmt: skip
    with pytest.warns(DataQualityWarning, match="unknown province"):
        t = statistics_table(province="浙江", month=5, review_log=log)
    assert t.value(3) == 1


def test_na_flags_are_in_neither_row(providers, registry):
    reg = registry.copy()
    reg.loc[0, "material_uploaded"] = pd.NA
    with pytest.warns(DataQualityWarning, match="material_uploaded"):
        t = statistics_table(province="浙江", month=5, registry=reg, providers=providers)
    assert t.value(8) + t.value(9) == t.value(1) - 1
    assert any("material_uploaded" in n for n in t.notes)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"province": "火星", "month": 5}, "province"),
        ({"province": "浙江", "month": 13}, "month"),
        ({"province": "浙江", "month": 5, "period": "week"}, "period"),
        ({"province": "浙江", "month": 5, "province_by": "sponsor"}, "province_by"),
    ],
)
def test_invalid_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        statistics_table(**kwargs)


@settings(max_examples=30)
@given(
    flags=st.lists(st.booleans(), min_size=1, max_size=40),
    homes=st.lists(st.sampled_from(["浙江省", "上海市"]), min_size=3, max_size=3),
)
def test_paired_rows_add_up(flags, homes):
    providers = pd.DataFrame(
        {
            "provider_id": ["A", "B", "C"],
            "home_province": homes,
            "integration_passed": [True, False, True],
        }
    )
    n = len(flags)
    reg = pd.DataFrame(
        {
            "website_id": [f"W{i}" for i in range(n)],
            "provider_id": [("A", "B", "C")[i % 3] for i in range(n)],
            "material_uploaded": flags,
        }
    )
    t = statistics_table(province="浙江", month=5, registry=reg, providers=providers)
    assert t.value(8) + t.value(9) == t.value(1)
    assert t.value(6) + t.value(7) == t.value(5) == homes.count("浙江省")
    # independent count: filings of providers whose home is Zhejiang
    zj = {p for p, h in zip("ABC", homes, strict=True) if h == "浙江省"}
    assert t.value(1) == int(reg["provider_id"].isin(zj).sum())


# --------------------------------------------------------------------------- exports
def test_xlsx_layout_equals_seed(full_table, seed_form, tmp_path):
    path = full_table.to_excel(tmp_path / "table.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["统计表", "details", "about"]
    ws = wb["统计表"]
    assert ws["A1"].value == "网站备案管理工作情况统计表"
    assert ws["A2"].value == "（2013年  5月  浙江省通信管理局）"
    assert [c.value for c in ws[3]][:4] == ["序号", "主要任务", "项目", "数量"]
    body = list(ws.iter_rows(min_row=4, max_row=21, max_col=4, values_only=True))
    assert [r[0] for r in body] == seed_form["序号"].astype(int).tolist()
    assert [r[1] or "" for r in body] == seed_form["主要任务"].tolist()
    assert [r[2] for r in body] == seed_form["项目"].tolist()
    assert ws.max_row == 21
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert merged == {"A1:E1", "A2:E2", "B4:B5", "B6:B7", "B8:B12", "B13:B16", "B17:B19",
                      "B20:B21"}  # fmt: skip
    # counts are integers; rates are Excel percentages (fraction, format 0.00%)
    assert ws["D4"].value == 4
    assert ws["D15"].value == pytest.approx(full_table.value(12) / 100)
    assert ws["D15"].number_format == "0.00%"
    assert "置信区间" in ws["E15"].value
    assert ws.column_dimensions["C"].width > ws.column_dimensions["A"].width


def test_xlsx_missing_rows_are_empty(tmp_path):
    t = statistics_table(province="浙江", month=5, counts={1: 3}, province_by="none")
    ws = openpyxl.load_workbook(t.to_excel(tmp_path / "t.xlsx"))["统计表"]
    assert ws["D4"].value == 3 and ws["D5"].value is None
    assert ws["E5"].value == "缺少输入：accessed_sites"


def test_csv_round_trip(full_table, tmp_path):
    path = full_table.to_csv(tmp_path / "t.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for spreadsheets
    back = pd.read_csv(path)
    assert back["item_zh"].tolist() == [r.item_zh for r in ROWS]
    assert back.loc[0, "value"] == 4 and back.loc[0, "province"] == "浙江省"
    assert back.loc[11, "ci_low"] == pytest.approx(full_table.rows.loc[11, "ci_low"])
    assert "4.0" not in path.read_text(encoding="utf-8-sig").splitlines()[1]


def test_json_follows_schema(full_table):
    jsonschema = pytest.importorskip("jsonschema")
    schema = statistics_table_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    doc = json.loads(full_table.to_json())
    jsonschema.validate(doc, schema)
    assert doc["schema_version"] == "1.0"
    assert doc["records"][0]["value"] == 4 and isinstance(doc["records"][0]["value"], int)
    assert doc["records"][11]["unit"] == "percent"
    # a table full of missing rows, and the national roll-up, validate too
    empty = statistics_table(province="浙江", month=5, province_by="none")
    jsonschema.validate(json.loads(empty.to_json()), schema)
    assert empty.to_dict()["records"][0]["value"] is None
    jsonschema.validate(national_roll_up([empty]).to_dict(), schema)
    # the schema rejects a broken document
    doc["records"][0]["value"] = -1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)


def test_repr_and_html(full_table):
    text = repr(full_table)
    assert text.startswith("StatisticsTable(province='浙江省'") and "\n" not in text
    assert "已备案网站数量" in full_table._repr_html_()


# --------------------------------------------------------------------------- roll-up
def _province_table(province: str, base: int) -> StatisticsTable:
    counts = {k: base + i for i, k in enumerate(KEYS) if not k.endswith("_pct")}
    return statistics_table(province=province, month=5, counts=counts, province_by="none")


def test_roll_up_sums_counts_and_uses_pooled_rates(sample):
    a, b = _province_table("浙江", 10), _province_table("上海", 100)
    pooled = estimate_proportion(sample, "sponsor_ok")
    nat = national_roll_up([a, b], sponsor_accuracy=pooled)
    assert nat.national and nat.province_code is None
    assert nat.subtitle == "（2013年  5月  全国汇总）"
    assert nat.provinces == ("310000", "330000")
    for i, key in enumerate(KEYS):
        if not key.endswith("_pct"):
            assert nat.value(key) == a.value(key) + b.value(key) == 110 + 2 * i
    assert nat.value(12) == pytest.approx(100 * pooled.estimate)
    assert nat.value(13) is None and "access_accuracy_pct" in nat.missing_inputs


def test_roll_up_never_averages_rates(sample):
    est = estimate_proportion(sample, "sponsor_ok")
    a = statistics_table(province="浙江", month=5, sponsor_accuracy=est, province_by="none")
    b = statistics_table(province="上海", month=5, sponsor_accuracy=est, province_by="none")
    with pytest.warns(RollUpWarning, match="never averaged"):
        nat = national_roll_up([a, b])
    assert nat.value(12) is None
    with pytest.raises(EstimationError, match="never averaged"):
        national_roll_up([a, b], sponsor_accuracy=[0.7, 0.8])  # type: ignore[arg-type]


def test_roll_up_missing_province_row_is_missing():
    a = _province_table("浙江", 10)
    b = statistics_table(province="上海", month=5, counts={1: 5}, province_by="none")
    nat = national_roll_up([a, b])
    assert nat.value(1) == a.value(1) + 5
    assert nat.value(2) is None
    assert any("上海市" in n for n in nat.notes)


def test_roll_up_validation():
    a = _province_table("浙江", 1)
    with pytest.raises(ValueError, match="more than once"):
        national_roll_up([a, a])
    with pytest.raises(ValueError, match="month"):
        national_roll_up([a, statistics_table(province="上海", month=6, province_by="none")])
    with pytest.raises(ValueError, match="at least one"):
        national_roll_up([])
    with pytest.raises(ValueError, match="national"):
        national_roll_up([national_roll_up([a])])


# --------------------------------------------------------------------------- synthetic
def test_synthetic_world_rows_match_truth():
    from beian_audit.sampling import draw_sample, plan_sample
    from beian_audit.synthetic import generate_world

    world = generate_world(1500, seed=11)
    prov = world.providers
    home = prov["home_province"].value_counts().index[0]
    ids = set(prov.loc[prov["home_province"] == home, "provider_id"])
    sample = draw_sample(world.filings, plan_sample(world.filings, n=150), seed=3)
    table = statistics_table(
        province=home,
        month=5,
        registry=world.filings,
        accessed_sites=world.accessed_sites,
        providers=prov,
        sample=sample,
    )
    reg_in = world.filings["provider_id"].isin(ids)
    acc = world.accessed_sites
    assert table.value(1) == int(reg_in.sum())
    # matching by registered domain reproduces the synthetic truth of row 2
    assert table.value(2) == int(((~acc["truth_filed"]) & acc["provider_id"].isin(ids)).sum())
    assert table.value(8) == int((reg_in & world.filings["material_uploaded"]).sum())
    assert table.value(5) == len(ids)
    assert table.value(11) == int(sample.frame["provider_id"].isin(ids).sum())
    assert table.rows.loc[11, "value"] is pd.NA  # no estimate given: NA, not 0
    assert table.missing_inputs == (
        "filings_reviewed", "enquiries_handled", "sponsor_accuracy_pct", "access_accuracy_pct",
        *KEYS[13:],
    )  # fmt: skip
