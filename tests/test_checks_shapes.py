"""Every public checker refuses the wrong shape of input the same way (issue #12, part 7).

The rule (``beian_audit.checks._common.checker_values``): a single ``str`` or
number is one value and gives a one-row result (never one row per character); a
generator is read once; ``None``, a DataFrame, a dict, a set, ``bytes`` and 2-D
arrays raise ``ArgumentTypeError``; option strings and booleans are checked
before any work (``check_deliverability="no"`` must not reach DNS).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from beian_audit.checks.address import check_address, match_divisions
from beian_audit.checks.email import check_email
from beian_audit.checks.filings import check_filings
from beian_audit.checks.icp import check_icp_number
from beian_audit.checks.identity import check_credit_code, check_org_code, check_resident_id
from beian_audit.checks.network import check_domain, parse_ip_list
from beian_audit.checks.phone import check_phone
from beian_audit.errors import ArgumentError, ArgumentTypeError, BeianAuditError, SchemaError

CHECKERS: dict[str, tuple[Callable[..., pd.DataFrame], str]] = {
    "check_phone": (check_phone, "13912345679"),
    "check_email": (check_email, "info@example.com"),
    "check_address": (check_address, "浙江省杭州市西湖区文三路90号"),
    "match_divisions": (match_divisions, "浙江省杭州市西湖区"),
    "check_resident_id": (check_resident_id, "11010519491231002X"),
    "check_org_code": (check_org_code, "D2143569-X"),
    "check_credit_code": (check_credit_code, "91350100M000100Y43"),
    "check_icp_number": (check_icp_number, "京ICP备10046444号-1"),
    "check_domain": (check_domain, "example.com"),
    "parse_ip_list": (parse_ip_list, "1.2.3.4"),
}
NAMES = list(CHECKERS)
METHODS = ["fast", "reference"]


def _call(name: str, values: object, method: str = "fast", **kw: Any) -> pd.DataFrame:
    func, _ = CHECKERS[name]
    return func(values, method=method, **kw)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", NAMES)
def test_a_bare_string_is_one_value(name: str, method: str) -> None:
    _, good = CHECKERS[name]
    one = _call(name, good, method)
    listed = _call(name, [good], method)
    pd.testing.assert_frame_equal(one, listed)
    if name != "parse_ip_list":  # one row per parsed IP, still from one value
        assert len(one) == 1


@pytest.mark.parametrize("name", NAMES)
def test_generators_tuples_arrays_and_indexes_agree_with_lists(name: str) -> None:
    _, good = CHECKERS[name]
    values = [good, None, "x"]
    want = _call(name, values)
    for other in (
        (v for v in values),
        tuple(values),
        np.array(values, dtype=object),
        pd.Index(values, dtype=object),
    ):
        got = _call(name, other)
        pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))


@pytest.mark.parametrize(
    "bad",
    [
        None,
        pd.DataFrame({"a": ["x"]}),
        {"a": "x"},
        {"x", "y"},
        frozenset({"x"}),
        b"13912345679",
        np.array([["a", "b"], ["c", "d"]], dtype=object),
    ],
    ids=["None", "DataFrame", "dict", "set", "frozenset", "bytes", "2-D array"],
)
@pytest.mark.parametrize("name", NAMES)
def test_ambiguous_shapes_are_refused(name: str, bad: object) -> None:
    with pytest.raises(ArgumentTypeError, match="values") as info:
        _call(name, bad)
    assert isinstance(info.value, TypeError) and isinstance(info.value, BeianAuditError)


@pytest.mark.parametrize("element", [["a"], {"a": 1}, b"abc", ("a", "b")])
@pytest.mark.parametrize("name", NAMES)
def test_container_elements_are_refused_not_stringified(name: str, element: object) -> None:
    with pytest.raises(ArgumentTypeError, match="position 1"):
        _call(name, ["x", element], "reference")


@pytest.mark.parametrize("name", ["check_phone", "check_resident_id", "check_credit_code"])
def test_a_number_is_one_value(name: str) -> None:
    number = {"check_phone": 13912345679, "check_resident_id": 110105194912310021,
              "check_credit_code": 12345}[name]
    assert len(_call(name, number)) == 1


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("method", ["Fast", "", None, 1, ["fast"]])
def test_method_is_validated(name: str, method: object) -> None:
    with pytest.raises(ArgumentError, match="method"):
        _call(name, ["x"], method)  # type: ignore[arg-type]


@pytest.mark.parametrize("flag", ["no", "False", 0, 1, None, "yes"])
def test_check_deliverability_must_be_a_bool(flag: object, monkeypatch: pytest.MonkeyPatch) -> None:
    import email_validator

    def no_dns(*_: object, **__: object) -> None:
        raise AssertionError("DNS must not be touched")

    monkeypatch.setattr(email_validator, "caching_resolver", no_dns)
    with pytest.raises(ArgumentTypeError, match="check_deliverability must be True or False"):
        check_email(["info@example.com"], check_deliverability=flag)  # type: ignore[arg-type]


def test_other_options_are_validated() -> None:
    with pytest.raises(ArgumentError, match="kind"):
        check_phone(["13912345679"], kind="cell")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="first_generation"):
        check_resident_id(["x"], first_generation="no")  # type: ignore[arg-type]
    for func in (check_resident_id, check_icp_number):
        with pytest.raises(ArgumentTypeError, match="as_of"):
            func(["x"], as_of="2024-01-01")
        with pytest.raises(ArgumentError, match="as_of"):
            func(["x"], as_of=pd.NaT)
    with pytest.raises(ArgumentError, match="declared_province"):
        check_address(["浙江省杭州市"], declared_province=["浙江", "江苏"])


def test_as_of_accepts_dates_datetimes_and_timestamps() -> None:
    values = ["11010519491231002X"]
    ref = check_resident_id(values, as_of=date(2024, 5, 1))
    later = check_resident_id(values, as_of=pd.Timestamp("2024-05-01 13:00"))
    pd.testing.assert_frame_equal(ref, later)


# ---------------------------------------------------------------- check_filings entry


def _frame() -> pd.DataFrame:
    from beian_audit.io import read_filings

    return read_filings(
        pd.DataFrame(
            {
                "website_id": ["W1"], "sponsor_name": ["甲公司"], "sponsor_nature": ["企业"],
                "website_icp_number": ["京ICP备10046444号-1"], "domain": ["a.cn"],
                "provider_id": ["P1"],
            }
        )
    )


@pytest.mark.parametrize("frame", [None, [1], "registry.csv", {"website_id": ["W1"]}])
def test_check_filings_needs_a_dataframe(frame: object) -> None:
    with pytest.raises(ArgumentTypeError, match="frame must be a DataFrame"):
        check_filings(frame)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"reveal": "no"}, ArgumentTypeError, "reveal"),
        ({"progress": 1}, ArgumentTypeError, "progress"),
        ({"providers": [1]}, ArgumentTypeError, "providers"),
        ({"ring_threshold": 2.5}, ArgumentTypeError, "ring_threshold"),
        ({"ring_threshold": True}, ArgumentTypeError, "ring_threshold"),
        ({"ring_threshold": 1}, ArgumentError, "ring_threshold"),
        ({"as_of": "2024"}, ArgumentTypeError, "as_of"),
        ({"workers": 0}, ArgumentError, "workers"),
    ],
)
def test_check_filings_arguments(kwargs: dict[str, Any], error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        check_filings(_frame(), **kwargs)


def test_check_filings_duplicate_labels() -> None:
    frame = _frame()
    dup = pd.concat([frame, frame[["domain"]]], axis=1)
    with pytest.raises(SchemaError, match="duplicate column labels") as info:
        check_filings(dup)
    assert info.value.failure_cases["reason"].tolist() == ["duplicate_column"]


def test_check_filings_still_runs() -> None:
    report = check_filings(_frame(), as_of=date(2024, 1, 1))
    assert len(report.verdict) == 1
