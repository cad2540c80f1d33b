"""No raw personal value in any export, rendering or error (#12 part 2, the scan).

A registry is built with known personal values in the schema's personal
columns, in unknown columns (as text, as numbers read from Excel, inside free
text, in full-width and ``+86`` forms) and in a shifted row; every writer,
rendering and error message is produced and its text searched for the raw
values. The values are fictitious; the ID numbers follow GB 11643-1999
(18 characters, check character ``X`` included).
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from beian_audit.errors import BeianAuditError, SchemaError
from beian_audit.io import read_filings, write_filings
from beian_audit.privacy import detect_personal, mask_frame, mask_personal, scrub_text
from beian_audit.safe_output import write_table
from beian_audit.schema import header_map, normalise_header

IDS = ["11010519491231002X", "440514195404300318", "310101198001011234", "320106850101123"]
MOBILES = ["13912345678", "15800001111", "18688889999"]
EMAILS = ["wang.wu@example.cn", "li_si88@qq.com"]
# how each raw value may be spelt where it hides; all of these must disappear
SPELLINGS = {
    "13912345678": ["+86 139 1234 5678", "0086-139-1234-5678", "１３９１２３４５６７８"],
    "15800001111": ["(+86)15800001111", "158 0000 1111"],
}
RAW = IDS + MOBILES + EMAILS


def _registry() -> pd.DataFrame:
    n = 6
    return pd.DataFrame(
        {
            "website_id": [f"W{i}" for i in range(n)],
            "unitName": ["张三", "甲公司", "李四", "乙公司", "王五", "丙公司"],
            "natureName": ["个人", "企业", "个人", "企业", "个人", "企业"],
            "serviceLicence": [f"京ICP备1004644{i}号-1" for i in range(n)],
            "domain": [f"s{i}.cn" for i in range(n)],
            "provider_id": ["P1", "P2"] * 3,
            "投资者或上级主管单位": ["张三", "甲集团", "李四", "乙集团", "王五", "丙集团"],
            "负责人身份证号码": IDS[:3] * 2,
            "联系人手机号码": MOBILES * 2,
            "E-mail": EMAILS * 3,
            # unknown columns: the detector, not the header, finds these
            "备用联系方式": ["+86 139 1234 5678", "无", "0086-139-1234-5678", None,
                       "１３９１２３４５６７８", "(+86)15800001111"],
            "证件": [110105194912310020, 440514195404300318, None, None, None, None],
            "座机或手机": [13912345678.0, 15800001111.0, None, None, None, None],
            "备注": ["联系 wang.wu@example.cn", "身份证 320106850101123 已核", "—",
                   "158 0000 1111 转", "ok", "li_si88＠qq.com"],
        }
    )  # fmt: skip


def _spellings() -> list[str]:
    out = list(RAW)
    for spelt in SPELLINGS.values():
        out += spelt
    out += ["110105194912310020"]
    return out


def _leaks(text: str) -> list[str]:
    return [v for v in _spellings() if v in text]


def _text(path: Path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if path.suffix == ".parquet":
        return pd.read_parquet(path).to_csv()
    return path.read_text(encoding="utf-8-sig")


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    return read_filings(_registry())


def test_headers_of_the_registry_map_to_the_schema(registry):
    assert {"investor", "sponsor_principal_id_number", "sponsor_principal_mobile",
            "sponsor_principal_email"} <= set(registry.columns)  # fmt: skip


def test_detector_finds_every_spelling():
    values = pd.Series([*_spellings(), "W1", "京ICP备10046444号-1", "2013-05-01", "0668-6932496"])
    kinds = detect_personal(values)
    assert kinds.iloc[: len(_spellings())].notna().all()
    assert kinds.iloc[len(_spellings()):].isna().all()  # ICP numbers, dates, keys are not personal
    masked = mask_personal(values)
    assert _leaks(" ".join(map(str, masked))) == []


def test_every_export_is_free_of_raw_personal_values(registry, tmp_path):
    files = [
        write_filings(registry, tmp_path / "r.csv"),
        write_filings(registry, tmp_path / "r_zh.csv", headers="chinese"),
        write_filings(registry, tmp_path / "r.xlsx"),
        write_filings(registry, tmp_path / "r.parquet"),
    ]
    for path in files:
        assert _leaks(_text(path)) == [], path.name
    # reveal=True is the explicit way to get them back
    raw = _text(write_filings(registry, tmp_path / "raw.csv", reveal=True))
    assert set(IDS[:3]) <= {v for v in _spellings() if v in raw}


def test_investor_is_masked_for_individual_sponsors_only(registry):
    masked = mask_frame(registry)
    assert masked["investor"].tolist() == ["张*", "甲集团", "李*", "乙集团", "王*", "丙集团"]


def test_check_failures_worksheet_and_results(registry, tmp_path):
    from beian_audit.checks.filings import check_filings
    from beian_audit.reporting import match_blacklist
    from beian_audit.sampling import draw_sample, plan_sample

    corpus: dict[str, str] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = check_filings(registry)
        sample = draw_sample(registry, plan_sample(registry, n=6), seed=1)
        blacklist = pd.DataFrame(
            {"kind": ["sponsor", "mobile", "domain"], "value": [IDS[0], MOBILES[0], "s1.cn"],
             "reason": ["原负责人 13912345678", "x", f"举报人 {EMAILS[0]}"]}
        )  # fmt: skip
        match = match_blacklist(registry, blacklist)
    assert len(match.hits) >= 3
    fail = write_table(report.failures, tmp_path / "failures.csv")
    sheet = sample.to_worksheet(tmp_path / "w.xlsx", columns=list(registry.columns[6:]))
    hits = match.to_csv(tmp_path / "hits.csv")
    for path in (fail, sheet, hits):
        corpus[path.name] = _text(path)
    for obj in (report, match, sample):
        corpus[type(obj).__name__] = repr(obj) + str(getattr(obj, "_repr_html_", str)())
    corpus["hits.json"] = match.to_json()
    corpus["sample.frame"] = sample.to_frame().to_string() if hasattr(sample, "to_frame") else ""
    assert {k: _leaks(v) for k, v in corpus.items() if _leaks(v)} == {}


def test_shifted_row_error_message_is_masked():
    raw = _registry().drop(columns=["证件", "座机或手机"])
    raw["approval_date"] = ["2013-05-01", IDS[0], MOBILES[1], EMAILS[0], None, "2013-02-30"]
    with pytest.raises(SchemaError) as info:
        read_filings(raw)
    err = info.value
    text = str(err) + repr(err) + err.failure_cases.to_string() + str(err.args)
    assert _leaks(text) == []
    assert "110105********002X" in str(err)
    assert set(err.failure_cases["reason"]) == {"unparseable_value"}
    # pickling keeps the masked text
    import pickle

    back = pickle.loads(pickle.dumps(err))
    assert _leaks(str(back) + back.failure_cases.to_string()) == []


def test_any_package_error_and_warning_masks_by_value():
    err = BeianAuditError(f"value {IDS[1]!r} in column 'x'; contact {EMAILS[1]}")
    assert _leaks(str(err)) == [] and "440514********0318" in str(err)
    from beian_audit.errors import DataQualityWarning

    with pytest.warns(DataQualityWarning) as record:
        warnings.warn(f"odd value {MOBILES[2]}", DataQualityWarning, stacklevel=1)
    assert _leaks(str(record[0].message)) == []
    assert scrub_text("no personal value here: W1, 2013-05-01") == (
        "no personal value here: W1, 2013-05-01"
    )


# --------------------------------------------------------------------------- aliases
ALIASES = {
    "sponsor_principal_id_number": ["负责人身份证号码", "负责人身份证号", "主体负责人证件号码",
                                    "主体负责人身份证号", "身份证号码", "联系人身份证号码",
                                    "id number", "ID No.", "ID_Card", "identity number"],
    "sponsor_principal_mobile": ["联系人手机号码", "手机号码", "主体负责人移动电话", "负责人手机",
                                 "手机", "mobile", "Mobile Phone", "cellphone", "mobile_no"],
    "sponsor_principal_phone": ["联系电话", "办公电话", "负责人电话", "phone number", "Tel.",
                                "telephone"],
    "sponsor_principal_email": ["电子邮箱", "联系邮箱", "邮箱", "负责人邮箱", "E-mail", "email",
                                "Email Address", "mail"],
    "sponsor_principal_name": ["负责人姓名", "联系人", "联系人姓名", "contact person",
                               "leaderName"],
    "website_principal_mobile": ["网站负责人手机", "网站负责人手机号码", "网站负责人移动电话",
                                 "网站联系人手机"],
    "website_principal_id_number": ["网站负责人证件号码", "网站负责人身份证号码",
                                    "网站负责人身份证号"],
    "website_principal_email": ["网站负责人电子邮箱", "网站负责人邮箱", "网站联系邮箱"],
    "website_principal_phone": ["网站负责人电话", "网站负责人办公电话", "网站负责人联系电话"],
    "investor": ["投资者或上级主管单位", "投资人或主管单位"],
}  # fmt: skip


@pytest.mark.parametrize(
    ("canonical", "header"), [(c, h) for c, hs in ALIASES.items() for h in hs]
)
def test_header_variant_maps_to_schema(canonical: str, header: str) -> None:
    names = header_map()
    assert (names.get(header) or names.get(normalise_header(header))) == canonical
    # and (remarks in brackets, full-width spaces) still match
    assert names.get(normalise_header(f" {header}（必填） ")) == canonical


def test_headers_that_are_not_personal_keep_their_meaning() -> None:
    names = header_map()
    assert names["证件号码"] == "sponsor_cert_number"
    assert names["id"] == "website_id"
