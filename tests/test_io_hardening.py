"""Bad files and bad arguments given to the readers (issue #12, parts 4 and 6).

Every case must end in a package error (a subclass of ``BeianAuditError``) that
names the file and, where it applies, the line / row and column as the user sees
them, or be read correctly; never a raw pandas / pyarrow / zipfile / openpyxl
exception and never a silently changed value.

The expected line numbers are counted by hand from the bytes each test writes
(header = line 1); the Big5 and GB18030 bytes come from Python's own codecs.
"""

from __future__ import annotations

import ast
import os
import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beian_audit.errors import (
    ArgumentError,
    ArgumentTypeError,
    BeianAuditError,
    DataQualityWarning,
    InputFileError,
    InputFileNotFoundError,
    SchemaError,
    WorksheetError,
)
from beian_audit.io import read_filings

SRC = Path(__file__).resolve().parents[1] / "src"
HEADER = "website_id,sponsor_name,sponsor_nature,website_icp_number,domain,provider_id"
ROW = "W{i},甲公司,企业,京ICP备10046444号-{i},a{i}.cn,P1"
ROW_BIG5 = "W{i},甲公司,企業,京ICP備10046444號-{i},a{i}.cn,P1"  # traditional: Big5 can hold it


def _base(n: int = 2, **extra: list[object]) -> pd.DataFrame:
    data: dict[str, list[object]] = {
        "website_id": [f"W{i}" for i in range(n)],
        "sponsor_name": ["甲公司"] * n,
        "sponsor_nature": ["企业"] * n,
        "website_icp_number": [f"京ICP备10046444号-{i + 1}" for i in range(n)],
        "domain": [f"a{i}.cn" for i in range(n)],
        "provider_id": ["P1"] * n,
    }
    data.update(extra)
    return pd.DataFrame(data)


def _csv(tmp_path: Path, text: str | bytes, name: str = "r.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def _cases(err: SchemaError) -> set[tuple[object, str, str]]:
    fc = err.failure_cases
    assert fc is not None
    lines = fc["line"] if "line" in fc.columns else fc["row"]
    return {
        (None if pd.isna(line) else int(line), col, why)
        for line, col, why in zip(lines, fc["column"], fc["reason"], strict=True)
    }


# ---------------------------------------------------------------- empty, truncated, not a file


def test_zero_byte_file(tmp_path: Path) -> None:
    path = _csv(tmp_path, b"")
    with pytest.raises(InputFileError, match=r"r\.csv'.*empty \(0 bytes\)") as info:
        read_filings(path)
    assert info.value.path == str(path)
    assert info.value.failure_cases["reason"].tolist() == ["empty_file"]


def test_blank_lines_only(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="only blank lines"):
        read_filings(_csv(tmp_path, "\n\r\n\n"))


def test_header_only_file_is_an_empty_registry(tmp_path: Path) -> None:
    df = read_filings(_csv(tmp_path, HEADER + "\n"))
    assert len(df) == 0 and list(df.columns) == HEADER.split(",")


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "registry.csv"
    folder.mkdir()
    with pytest.raises(InputFileError, match="is a directory") as info:
        read_filings(folder)
    assert not isinstance(info.value, IsADirectoryError)


def test_missing_file_is_also_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(InputFileNotFoundError, match="does not exist") as info:
        read_filings(tmp_path / "nope.xlsx")
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, SchemaError)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _csv(tmp_path, HEADER + "\n" + ROW.format(i=1) + "\n")
    path.chmod(0)
    if os.name != "posix" or os.geteuid() == 0:  # root reads anything: deny it as the OS would
        real_open = Path.open

        def denied(self: Path, *args: object, **kwargs: object) -> object:
            if self == path:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Path, "open", denied)
    try:
        with pytest.raises(InputFileError, match="cannot be read"):
            read_filings(path)
    finally:
        path.chmod(0o600)


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_truncated_xlsx(tmp_path: Path, fraction: float) -> None:
    whole = tmp_path / "whole.xlsx"
    _base().to_excel(whole, index=False)
    data = whole.read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(InputFileError, match=r"cut\.xlsx'.*not a readable \.xlsx workbook"):
        read_filings(cut)


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_truncated_parquet(tmp_path: Path, fraction: float) -> None:
    whole = tmp_path / "whole.parquet"
    _base().to_parquet(whole)
    data = whole.read_bytes()
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(InputFileError, match="not a readable Parquet file"):
        read_filings(cut)


def test_csv_bytes_in_an_xlsx(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"not a readable \.xlsx"):
        read_filings(_csv(tmp_path, HEADER + "\n", name="r.xlsx"))


# ---------------------------------------------------------------- ragged CSV


def test_line_with_too_many_fields_is_named(tmp_path: Path) -> None:
    text = "\n".join([HEADER, ROW.format(i=1), ROW.format(i=2) + ",extra", ROW.format(i=3)])
    with pytest.raises(InputFileError, match=r"line 3 has 7 fields, the header has 6") as info:
        read_filings(_csv(tmp_path, text + "\n"))
    assert info.value.line == 3
    assert info.value.failure_cases["line"].tolist() == [3]


def test_line_with_too_few_fields_is_not_padded(tmp_path: Path) -> None:
    # pandas fills a short line with NaN; the reader must refuse it instead
    text = "\n".join([HEADER, ROW.format(i=1), "", "W2,乙公司,企业", ROW.format(i=3)])
    with pytest.raises(InputFileError, match=r"line 4 has 3 fields") as info:
        read_filings(_csv(tmp_path, text + "\n"))
    assert info.value.line == 4  # the blank line 3 counts, as in an editor


def test_every_ragged_line_is_listed(tmp_path: Path) -> None:
    text = "\n".join([HEADER, "W1", ROW.format(i=2), 'W3,"a\nb",c', ROW.format(i=4) + ",x,y"])
    with pytest.raises(InputFileError) as info:
        read_filings(_csv(tmp_path, text + "\n"))
    assert info.value.failure_cases["line"].tolist() == [2, 4, 6]


# ---------------------------------------- rows and columns as the user sees them


def test_csv_problems_name_line_and_header(tmp_path: Path) -> None:
    text = "网站编号,主办单位名称,主办单位性质,网站备案号,域名,接入服务商编号,审核通过日期\n"
    text += "W1,甲,企业,京ICP备10046444号-1,a.cn,P1,2013-05-01\n\n"
    text += 'W2,"乙\n公司",企业,京ICP备10046444号-2,b.cn,P1,2013-02-30\n'
    with pytest.raises(SchemaError) as info:
        read_filings(_csv(tmp_path, text))
    message = str(info.value)
    assert "line 4, column 'approval_date' (header '审核通过日期'): unparseable_value" in message
    assert info.value.failure_cases["row"].tolist() == [1]  # the 0-based data row stays


def test_excel_problems_name_the_excel_row(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    _base(3, approval_date=["2013-05-01", None, "not a date"]).to_excel(path, index=False)
    with pytest.raises(SchemaError, match=r"row 4, column 'approval_date'") as info:
        read_filings(path)
    assert _cases(info.value) == {(4, "approval_date", "unparseable_value")}


# ---------------------------------------------------------------- duplicate, empty, bad columns


def test_duplicate_csv_headers_are_not_mangled_to_dot_one(tmp_path: Path) -> None:
    text = HEADER + ",domain\n" + ROW.format(i=1) + ",b.cn\n"
    with pytest.raises(SchemaError, match="duplicate_column") as info:
        read_filings(_csv(tmp_path, text))
    assert (None, "domain", "duplicate_column") in _cases(info.value)


@pytest.mark.parametrize(
    "extra",
    [{"unitName": ["乙", "丙"]}, {"主办单位名称": ["乙", "丙"]}, {" Sponsor_Name ": ["乙", "丙"]}],
)
def test_two_headers_mapping_to_one_column(extra: dict[str, list[str]]) -> None:
    raw = pd.concat([_base(), pd.DataFrame(extra)], axis=1)
    with pytest.raises(SchemaError, match="duplicate_column"):
        read_filings(raw)


def test_exact_duplicate_labels_in_a_dataframe() -> None:
    raw = pd.concat([_base(), _base()[["provider_id"]]], axis=1)
    with pytest.raises(SchemaError, match="duplicate_column"):
        read_filings(raw)


@pytest.mark.parametrize("empty", [[None, None], [np.nan, np.nan], ["", " "], [pd.NA, pd.NA]])
def test_all_null_required_column_is_one_problem(empty: list[object]) -> None:
    with pytest.raises(SchemaError) as info:
        read_filings(_base(domain=empty))
    assert _cases(info.value) == {(None, "domain", "empty_column")}


def test_all_null_optional_columns_are_fine() -> None:
    df = read_filings(_base(approval_date=[None, None], material_uploaded=[np.nan, np.nan]))
    assert df["approval_date"].isna().all() and df["material_uploaded"].isna().all()


@pytest.mark.parametrize("bad", [["a"], {"b": 1}, b"\xff\xfe", (1, 2)])
def test_containers_and_undecodable_bytes_in_cells(bad: object) -> None:
    with pytest.raises(SchemaError) as info:
        read_filings(_base(sponsor_name=[bad, "乙"]))
    assert _cases(info.value) == {(0, "sponsor_name", "unparseable_value")}


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("text", ["1200-01-01", "9999-12-31", "1677-01-01", "2262-05-01"])
def test_dates_pandas_cannot_hold_are_rejected_by_name(tmp_path: Path, text: str) -> None:
    csv = HEADER + ",approval_date\n" + ROW.format(i=1) + f",{text}\n"
    with pytest.raises(SchemaError, match=r"line 2, column 'approval_date'.*date_out_of_range"):
        read_filings(_csv(tmp_path, csv))


def test_excel_date_cells_out_of_range(tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([*HEADER.split(","), "approval_date"])
    ws.append(["W1", "甲", "企业", "京ICP备10046444号-1", "a.cn", "P1", dt.datetime(9999, 12, 31)])
    ws.append(["W2", "甲", "企业", "京ICP备10046444号-2", "b.cn", "P1", dt.datetime(2013, 5, 1)])
    path = tmp_path / "d.xlsx"
    wb.save(path)
    with pytest.raises(SchemaError) as info:
        read_filings(path)
    assert _cases(info.value) == {(2, "approval_date", "date_out_of_range")}


def test_datetime_column_beyond_nanoseconds() -> None:
    stamps = np.array(["1200-01-01", "2013-05-01"], dtype="datetime64[us]")
    with pytest.raises(SchemaError) as info:
        read_filings(_base(approval_date=stamps))
    assert _cases(info.value) == {(0, "approval_date", "date_out_of_range")}


def test_tz_aware_dates_become_china_wall_time() -> None:
    utc = pd.to_datetime(["2013-04-30T16:30:00Z", "2013-05-01T01:00:00Z"])
    df = read_filings(_base(approval_date=utc))
    assert df["approval_date"].dtype == "datetime64[ns]"
    assert df["approval_date"].tolist() == [
        pd.Timestamp("2013-05-01 00:30"),
        pd.Timestamp("2013-05-01 09:00"),
    ]


def test_valid_dates_are_unchanged(tmp_path: Path) -> None:
    csv = HEADER + ",approval_date\n" + ROW.format(i=1) + ",2261-12-31\n"
    csv += ROW.format(i=2) + ",1678-01-01 08:30:00.250\n"
    df = read_filings(_csv(tmp_path, csv))
    assert df["approval_date"].tolist() == [
        pd.Timestamp("2261-12-31"),
        pd.Timestamp("1678-01-01 08:30:00"),
    ]


# ---------------------------------------------------------------- sheets


def test_bad_sheet_name_lists_the_sheets(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    with pd.ExcelWriter(path) as xw:
        _base().to_excel(xw, sheet_name="备案", index=False)
        _base().to_excel(xw, sheet_name="other", index=False)
    with pytest.raises(InputFileError, match=r"no sheet 'Sheet1'; its sheets are '备案', 'other'"):
        read_filings(path, sheet_name="Sheet1")
    with pytest.raises(InputFileError, match=r"no sheet at position 2; it has 2 sheet"):
        read_filings(path, sheet_name=2)
    assert len(read_filings(path, sheet_name="other")) == 2


@pytest.mark.parametrize("sheet", [True, 1.0, ["a"], b"a"])
def test_sheet_name_of_the_wrong_type(tmp_path: Path, sheet: object) -> None:
    with pytest.raises(ArgumentTypeError, match="sheet_name"):
        read_filings(_base(), sheet_name=sheet)  # type: ignore[arg-type]


def test_negative_sheet_position() -> None:
    with pytest.raises(ArgumentError, match="sheet_name"):
        read_filings(_base(), sheet_name=-1)


# ---------------------------------------------------------------- wrong argument types


@pytest.mark.parametrize("source", [None, 3, 2.5, ["a.csv"], b"a.csv", {"a": [1]}, pd.Series([1])])
def test_wrong_source_type(source: object) -> None:
    with pytest.raises(ArgumentTypeError, match="path_or_frame must be") as info:
        read_filings(source)  # type: ignore[arg-type]
    assert isinstance(info.value, TypeError)


def test_empty_string_path() -> None:
    with pytest.raises(ArgumentError, match="empty string"):
        read_filings("")


@pytest.mark.parametrize("encoding", ["no-such-codec", 8])
def test_bad_encoding_argument(tmp_path: Path, encoding: object) -> None:
    path = _csv(tmp_path, HEADER + "\n" + ROW.format(i=1) + "\n")
    with pytest.raises(ArgumentError, match="encoding"):
        read_filings(path, encoding=encoding)  # type: ignore[arg-type]


# ---------------------------------------------------------------- encodings (#12.6)

TRAD = "臺灣網路科技股份有限公司,這是繁體中文的說明文字"
SIMP = "杭州云帆网络科技有限公司,这是简体中文的说明文字"


def test_big5_is_read_as_big5_not_gb18030_garbage(tmp_path: Path) -> None:
    text = HEADER + ",name2,note\n" + ROW_BIG5.format(i=1) + "," + TRAD + "\n"
    path = _csv(tmp_path, text.encode("big5"))
    with pytest.warns(DataQualityWarning, match="read as Big5"):
        df = read_filings(path)
    assert df.loc[0, "name2"] == "臺灣網路科技股份有限公司"
    assert df.loc[0, "note"] == "這是繁體中文的說明文字"


def test_gb18030_is_still_read_silently(tmp_path: Path) -> None:
    text = HEADER + ",name2,note\n" + ROW.format(i=1) + "," + SIMP + "\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = read_filings(_csv(tmp_path, text.encode("gb18030")))
    assert df.loc[0, "note"] == "这是简体中文的说明文字"


def test_traditional_text_in_gb18030(tmp_path: Path) -> None:
    # not decodable as Big5 (the simplified header), so GB18030 even with rare characters
    text = "网站编号,主办单位名称,主办单位性质,网站备案号,域名,接入服务商编号\n"
    text += "W1,臺灣網路科技股份有限公司,企业,京ICP备10046444号-1,a.cn,P1\n"
    df = read_filings(_csv(tmp_path, text.encode("gb18030")))
    assert df.loc[0, "sponsor_name"] == "臺灣網路科技股份有限公司"


def test_explicit_encoding(tmp_path: Path) -> None:
    text = HEADER + ",note\n" + ROW_BIG5.format(i=1) + ",說明\n"
    df = read_filings(_csv(tmp_path, text.encode("big5")), encoding="big5")
    assert df.loc[0, "note"] == "說明"


def test_explicit_encoding_that_does_not_fit_names_the_line(tmp_path: Path) -> None:
    text = HEADER + "\n" + ROW.format(i=1) + "\n" + ROW.format(i=2) + "\n"
    with pytest.raises(InputFileError, match="line 2: is not valid ascii") as info:
        read_filings(_csv(tmp_path, text.encode("utf-8")), encoding="ascii")
    assert info.value.line == 2


def test_utf16_with_bom(tmp_path: Path) -> None:
    text = HEADER + "\n" + ROW.format(i=1) + "\n"
    df = read_filings(_csv(tmp_path, text.encode("utf-16")))
    assert df.loc[0, "sponsor_name"] == "甲公司"


def test_neither_encoding(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="pass encoding="):
        read_filings(_csv(tmp_path, b"website_id\n\x81\xff\xfe\n"))


# ---------------------------------------------------------------- numbers that lost digits (#12.6)


def test_eighteen_digit_id_typed_as_a_number_in_excel(tmp_path: Path) -> None:
    path = tmp_path / "ids.xlsx"
    _base(sponsor_principal_id_number=[1.1010519491231002e17, "11010519491231002X"]).to_excel(
        path, index=False
    )
    with pytest.raises(SchemaError, match=r"row 2, column 'sponsor_principal_id_number'") as info:
        read_filings(path)
    assert _cases(info.value) == {(2, "sponsor_principal_id_number", "digits_lost")}
    assert "format the column as text" in str(info.value)
    assert "110105194912310" not in str(info.value)  # masked, never the rounded digits


def test_float_ids_in_a_dataframe_are_never_rounded() -> None:
    with pytest.raises(SchemaError) as info:
        read_filings(_base(sponsor_cert_number=[1.1010519491231002e17, np.nan]))
    assert _cases(info.value) == {(0, "sponsor_cert_number", "digits_lost")}


def test_exact_numbers_are_kept(tmp_path: Path) -> None:
    df = read_filings(_base(sponsor_principal_mobile=[13812345678, 2**53 - 1]))
    assert df["sponsor_principal_mobile"].tolist() == ["13812345678", str(2**53 - 1)]
    # int64 from Parquet is exact at any size
    path = tmp_path / "r.parquet"
    _base(sponsor_cert_number=np.array([110105194912310020, 1], dtype=np.int64)).to_parquet(path)
    assert read_filings(path)["sponsor_cert_number"].iloc[0] == "110105194912310020"


def test_scientific_notation_text_in_an_id_column(tmp_path: Path) -> None:
    csv = HEADER + ",sponsor_principal_id_number\n" + ROW.format(i=1) + ",1.10105E+17\n"
    with pytest.raises(SchemaError, match="digits_lost"):
        read_filings(_csv(tmp_path, csv))


def test_csv_identifiers_are_read_as_text(tmp_path: Path) -> None:
    csv = HEADER + ",sponsor_principal_mobile,sponsor_cert_number\n"
    csv += ROW.format(i=1) + ",013812345678,110105194912310020\n"
    df = read_filings(_csv(tmp_path, csv))
    assert df.loc[0, "sponsor_principal_mobile"] == "013812345678"
    assert df.loc[0, "sponsor_cert_number"] == "110105194912310020"


# ---------------------------------------------------------------- invisible characters (#12.6)

INVISIBLE = [
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d",
    "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\u00ad", "\u2060", "\u061c",
    "\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f", "\u2028",
]


@pytest.mark.parametrize("ch", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_invisible_characters_do_not_hide_duplicate_keys(ch: str) -> None:
    raw = _base(website_id=["W1", f"W{ch}1"])
    with pytest.raises(SchemaError, match="duplicate_key"):
        read_filings(raw)


@pytest.mark.parametrize("ch", ["\u202e", "\u200f", "\x1b"])
def test_invisible_characters_are_removed_from_text_columns(ch: str) -> None:
    df = read_filings(_base(sponsor_name=[f"甲{ch}公司", "乙"]))
    assert df.loc[0, "sponsor_name"] == "甲公司"


# ---------------------------------------------------------------- pickling


def test_file_errors_are_picklable(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as info:
        read_filings(_csv(tmp_path, HEADER + "\nW1\n"))
    clone = pickle.loads(pickle.dumps(info.value))
    assert type(clone) is InputFileError and str(clone) == str(info.value)
    assert (clone.path, clone.line) == (info.value.path, info.value.line)
    with pytest.raises(InputFileNotFoundError) as missing:
        read_filings(tmp_path / "gone.csv")
    assert type(pickle.loads(pickle.dumps(missing.value))) is InputFileNotFoundError


# ---------------------------------------------------------------- random bytes (property)

_PROPERTY = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@_PROPERTY
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.lists(
            st.sampled_from([HEADER, ROW.format(i=1), "W2,乙", ",,,", '"', "\r", "\x00", "é"]),
            max_size=6,
        ).map(lambda lines: "\n".join(lines).encode("utf-8")),
    ),
    suffix=st.sampled_from([".csv", ".tsv", ".xlsx", ".parquet"]),
)
def test_random_bytes_raise_only_package_errors(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"x{suffix}"
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        try:
            read_filings(path)
        except BeianAuditError:
            pass


@_PROPERTY
@given(cut=st.integers(min_value=0, max_value=10_000))
def test_every_truncation_of_an_xlsx_raises_a_package_error(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "whole.xlsx"
    if not path.exists():
        _base().to_excel(path, index=False)
    data = path.read_bytes()
    short = tmp_path / "short.xlsx"
    short.write_bytes(data[: cut % len(data)])
    with pytest.raises(BeianAuditError):
        read_filings(short)


# ---------------------------------------------------------------- read_worksheet and verify_sample


def test_read_worksheet_bad_files(tmp_path: Path) -> None:
    from beian_audit.sampling import read_worksheet

    with pytest.raises(InputFileNotFoundError):
        read_worksheet(tmp_path / "none.xlsx")
    with pytest.raises(InputFileError, match="is a directory"):
        read_worksheet(tmp_path)
    with pytest.raises(InputFileError, match=r"not a readable \.xlsx"):
        read_worksheet(_csv(tmp_path, b"PK\x03\x04 truncated", name="w.xlsx"))
    with pytest.raises(ArgumentTypeError):
        read_worksheet(None)  # type: ignore[arg-type]
    path = tmp_path / "plain.xlsx"
    _base().to_excel(path, index=False)
    with pytest.raises(WorksheetError, match="not a beian_audit worksheet"):
        read_worksheet(path)


def test_read_worksheet_damaged_manifest(tmp_path: Path) -> None:
    import openpyxl

    from beian_audit.sampling import read_worksheet
    from beian_audit.sampling.worksheet import MANIFEST_SHEET

    wb = openpyxl.Workbook()
    ms = wb.create_sheet(MANIFEST_SHEET)
    ms.append(["first_row", "not a number"])
    path = tmp_path / "w.xlsx"
    wb.save(path)
    with pytest.raises(WorksheetError, match="edited or damaged") as info:
        read_worksheet(path)
    assert info.value.failure_cases["reason"].tolist() == ["manifest_damaged"]


def test_verify_sample_argument_types() -> None:
    from beian_audit.sampling import draw_sample, plan_sample, verify_sample

    frame = pd.DataFrame({"website_id": [f"W{i}" for i in range(40)],
                          "provider_id": ["A"] * 20 + ["B"] * 20})
    sample = draw_sample(frame, plan_sample(frame, n=8), seed=3)
    with pytest.raises(ArgumentTypeError, match=r"json\.loads"):
        verify_sample(frame, "{}", sample.frame)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="sample_frame"):
        verify_sample(frame, sample.manifest, [1, 2])  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="raise_on_mismatch"):
        verify_sample(frame, sample.manifest, sample.frame, raise_on_mismatch="yes")  # type: ignore[arg-type]
    broken = {**sample.manifest, "period": "soon", "design": {"nonsense": 1}}
    assert verify_sample(frame, broken, sample.frame) is False
    dup = pd.concat([sample.frame, sample.frame[["website_id"]]], axis=1)
    assert verify_sample(frame, sample.manifest, dup) is False
    odd = sample.frame.assign(inclusion_probability="x")
    assert verify_sample(frame, sample.manifest, odd) is False
    assert verify_sample(frame, sample.manifest, sample.frame) is True


# ---------------------------------------------------------------- the error tree, statically

_BARE = {"ValueError", "TypeError", "KeyError"}
#: write_filings is edited by the writer helper in parallel; its two raises go there.
_PENDING: set[tuple[str, str]] = set()


def _bare_raises() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = path.relative_to(SRC).as_posix()
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if not isinstance(node, ast.Raise) or node.exc is None:
                    continue
                exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(exc, ast.Name) and exc.id in _BARE:
                    if (rel, func.name) not in _PENDING:
                        found.append(f"{rel}:{node.lineno} ({func.name}) raise {exc.id}")
    return sorted(set(found))


def test_no_bare_builtin_raises_in_src() -> None:
    """Deliberate errors use the package tree (ArgumentError, ArgumentTypeError …)."""
    assert _bare_raises() == []


def test_no_bare_raise_in_src_by_text() -> None:
    """The same rule by plain text, as the issue asks (module-level code included)."""
    skip: set[tuple[str, int]] = set()
    for rel, name in _PENDING:
        for node in ast.walk(ast.parse((SRC / rel).read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name == name:
                end = node.end_lineno or node.lineno
                skip |= {(rel, n) for n in range(node.lineno, end + 1)}
    hits = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if (rel, n) not in skip and any(f"raise {b}(" in line for b in _BARE):
                hits.append(f"{rel}:{n}: {line.strip()}")
    assert hits == []
