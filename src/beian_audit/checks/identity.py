"""Identity numbers: resident ID (GB 11643), credit code (GB 32100), organisation code (GB 11714).

Each checker takes a list or Series of raw values (``None`` / NaN / numbers allowed),
validates each distinct value once and returns a DataFrame with the same index:
``valid`` (bool), ``reason`` (a stable code from :data:`REASONS`, ``""`` when valid)
and the normalised and parsed parts of the number.

Check digits come from python-stdnum (``stdnum.iso7064.mod_11_2`` for the resident
ID, ``stdnum.cn.uscc.calc_check_digit`` for the credit code); the region and
registering-authority rules are our own because ``stdnum.cn.ric`` and
``stdnum.cn.uscc`` get them wrong (see ``docs/checks-identity.md``):

* ``stdnum.cn.ric`` requires the region code to be valid in the *birth year*, but a
  number carries the code in force when it was issued, so genuine numbers of older
  people fail; and it raises ``KeyError`` for codes missing from its table
  (330113 临平区, 330114 钱塘区). We accept any code that ever existed in GB/T 2260.
* ``stdnum.cn.uscc`` rejects registering authorities ``A``, ``N`` and ``Y`` and checks
  neither the authority/type pair nor the embedded organisation code.

With ``method="fast"`` (the default) values made only of ASCII letters and digits are
decided with vectorised arithmetic on character matrices (the same MOD 11-2, mod-31
and GB 11714 sums, a calendar check for the birth date, set look-ups for codes); the
results are identical to the per-value path, ``method="reference"``, which
``tests/test_checks_fastpaths.py`` checks on generated and mutated numbers.

Examples
--------
>>> check_resident_id(["11010519491231002X", "110105194912310021", None])[
...     ["valid", "reason", "birth_date", "sex"]]
   valid        reason birth_date  sex
0   True               1949-12-31    F
1  False  bad_checksum 1949-12-31    F
2  False       missing        NaT  NaN
>>> check_credit_code(["914403001922038216"])[["valid", "authority", "entity_type", "org_code"]]
   valid authority entity_type   org_code
0   True         9           1  192203821
>>> check_org_code(["D2143569-X"])[["valid", "normalised", "formatted"]]
   valid normalised   formatted
0   True  D2143569X  D2143569-X
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from beian_audit._options import check_choice
from beian_audit.checks._common import (
    Method,
    _assemble,
    _char_matrix,
    _check_method,
    _const_piece,
    _distinct_text,
    _join,
    _labels,
    _match,
    _matrix_strings,
    _np,
    _per_value,
    _str_array,
    as_text,
    check_date,
    checker_values,
    map_distinct,
)
from beian_audit.errors import ArgumentError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "CREDIT_CODE_AUTHORITIES",
    "REASONS",
    "WARNINGS",
    "check_credit_code",
    "check_org_code",
    "check_resident_id",
    "org_code_check_char",
]

#: Reason codes of the three checkers: code -> (Chinese message, English message).
REASONS: dict[str, tuple[str, str]] = {
    "missing": ("缺失", "missing value"),
    "bad_format": ("格式错误", "wrong length or characters"),
    "bad_checksum": ("校验码错误", "check character does not match"),
    "bad_birth_date": ("出生日期无效", "birth date is not a real date (or before 1850)"),
    "future_birth_date": ("出生日期晚于核查日期", "birth date is after the reference date"),
    "unknown_region": ("行政区划代码不存在", "region code never existed in GB/T 2260"),
    "first_generation": ("第一代15位身份证号码", "15-digit first-generation ID number"),
    "unknown_authority": ("登记管理部门代码无效", "unknown registering authority"),
    "bad_entity_type": (
        "机构类别代码与登记管理部门不符",
        "entity type not defined for this authority",
    ),
    "bad_org_code": (
        "主体标识码（组织机构代码）校验码错误",
        "embedded organisation code fails its check",
    ),
    "is_credit_code": (
        "填写的是统一社会信用代码",
        "a unified social credit code, not an organisation code",
    ),
}

#: Warning codes (value accepted, but worth a look): code -> (Chinese, English).
WARNINGS: dict[str, tuple[str, str]] = {
    "unlisted_region": (
        "登记机关区划码不在GB/T 2260代码表中（如开发区代码）",
        "registering region not in GB/T 2260 (e.g. a development-zone code)",
    ),
}

#: GB 32100-2015 registering authorities (登记管理部门) and the entity types
#: (机构类别) each may assign, with amendments adding A (军队) and N (农业).
#: authority -> (name, {entity type -> name}).
CREDIT_CODE_AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": (
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {
            "1": "外国旅游部门常驻代表机构",
            "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "9": "其他",
        },
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": (
        "农业",
        {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    ),
    "Y": ("其他", {"1": "其他"}),
}

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_RE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
_ORG_RE = re.compile(r"([0-9A-Z]{8})([0-9X])")
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ID18_RE = re.compile(r"[0-9]{17}[0-9X]")
_ID15_RE = re.compile(r"[0-9]{15}")
_SEPARATORS = re.compile(r"[\s\u200b-\u200d\ufeff\-‐‑‒–—―_.·/\\]+")
#: Residence permits of Hong Kong, Macao and Taiwan residents (港澳台居民居住证) use
#: these codes (GB 11643 layout); 830000 is not a GB/T 2260 code.
_PERMIT_REGIONS = {"810000", "820000", "830000"}
_MIN_BIRTH_YEAR = 1850

FirstGeneration = Literal["reject", "accept"]

#: Lone surrogates (from bad decoding upstream) cannot be stored in pandas' string
#: dtype; they are replaced by U+FFFD before anything else.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(text: str) -> str:
    """NFKC, drop whitespace and separators, upper-case."""
    text = _SURROGATE.sub("\ufffd", text)
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def _text_columns(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Give text columns pandas' default string dtype, whatever the rows held."""
    for col in columns:
        frame[col] = frame[col].astype("str")
    return frame


def _region_codes() -> frozenset[str]:
    from beian_audit.checks.address import division_codes

    return division_codes()


@functools.cache
def _province_codes() -> frozenset[str]:
    return frozenset(c for c in _region_codes() if c.endswith("0000"))


# --------------------------------------------------------------------------- resident ID


def _id_one(raw: str, as_of: date, first_generation: FirstGeneration) -> dict[str, Any]:
    from stdnum.iso7064 import mod_11_2

    out: dict[str, Any] = _ID_MISSING | {"reason": "bad_format"}
    text = _clean(raw)
    if not text:
        return _ID_MISSING
    if _ID18_RE.fullmatch(text):
        generation, body, ymd = 2, text, text[6:14]
    elif _ID15_RE.fullmatch(text):
        generation, body, ymd = 1, None, "19" + text[6:12]
    else:
        return out
    region = text[:6]
    sex_digit = int(text[16] if generation == 2 else text[14])
    out |= {
        "generation": generation,
        "region_code": region,
        "province_code": region[:2] + "0000",
        "sex": "M" if sex_digit % 2 else "F",
        "residence_permit": region in _PERMIT_REGIONS,
    }
    if generation == 1:
        body17 = text[:6] + "19" + text[6:]
        body = body17 + mod_11_2.calc_check_digit(body17)
    out["normalised"] = body
    birth = None
    try:
        birth = date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:8]))
    except ValueError:
        pass
    if birth is not None and birth.year >= _MIN_BIRTH_YEAR:
        out["birth_date"] = birth.isoformat()
    if generation == 2 and mod_11_2.checksum(text) != 1:
        return out | {"reason": "bad_checksum"}
    if birth is None or birth.year < _MIN_BIRTH_YEAR:
        return out | {"reason": "bad_birth_date"}
    if birth > as_of:
        return out | {"reason": "future_birth_date"}
    if region not in _PERMIT_REGIONS and region not in _region_codes():
        return out | {"reason": "unknown_region"}
    if generation == 1 and first_generation == "reject":
        return out | {"reason": "first_generation"}
    return out | {"valid": True, "reason": ""}


_ID_MISSING: dict[str, Any] = {
    "valid": False,
    "reason": "missing",
    "normalised": None,
    "generation": None,
    "birth_date": None,
    "sex": None,
    "region_code": None,
    "province_code": None,
    "residence_permit": False,
}


def check_resident_id(
    values: Iterable[object] | pd.Series,
    *,
    as_of: date | None = None,
    first_generation: FirstGeneration = "reject",
    method: Method = "fast",
) -> pd.DataFrame:
    """Validate resident identity numbers (公民身份号码, GB 11643-1999).

    Parameters
    ----------
    values : list or Series
        Raw values; ``None`` / NaN give ``reason="missing"``. Full-width digits,
        spaces, dashes and a lower-case ``x`` are normalised away.
    as_of : date, optional
        Reference date for the "not in the future" rule (a datetime or Timestamp
        counts by its date); default today.
    first_generation : {"reject", "accept"}, default "reject"
        What to do with a well-formed 15-digit first-generation number (withdrawn
        on 2013-01-01): ``"reject"`` gives ``reason="first_generation"``,
        ``"accept"`` counts it valid. Either way ``generation`` is 1 and
        ``normalised`` is its 18-digit form.
    method : {"fast", "reference"}, default "fast"
        ``"reference"`` runs the per-value rules below on every distinct value;
        ``"fast"`` decides plain 15- and 18-character values (ASCII letters and
        digits only) with vectorised arithmetic and hands anything else to the
        per-value rules. Both give the same frame (property-tested).

    Returns
    -------
    DataFrame
        Same index as ``values``, columns

        * ``valid`` (bool), ``reason`` (code from :data:`REASONS`, ``""`` when valid);
        * ``normalised``: the 18-digit number (15-digit numbers upgraded by inserting
          ``19`` and appending the check digit);
        * ``generation`` (Int8: 1 or 2), ``birth_date`` (datetime64), ``sex``
          (``"M"`` / ``"F"``), ``region_code``, ``province_code``;
        * ``residence_permit``: region 810000 / 820000 / 830000, the residence
          permits of Hong Kong, Macao and Taiwan residents, which share the layout.

        Parsed parts are filled whenever the layout allows, even when a later
        check fails. Reasons are tested in this order: ``bad_format``,
        ``bad_checksum``, ``bad_birth_date``, ``future_birth_date``,
        ``unknown_region``, ``first_generation``.

    Raises
    ------
    ValueError
        If ``first_generation`` or ``method`` is not one of the allowed strings.

    Notes
    -----
    Check digit: ISO 7064 MOD 11-2 over the 17 body digits (``X`` stands for 10).
    The region code (digits 1-6) must be a code that *ever* existed in GB/T 2260
    (``divisions.csv``, current and historical), not one valid in the birth year:
    a number keeps the code in force when it was issued, so rules based on the
    birth year reject genuine numbers of older people. Birth dates before 1850 are
    treated as not real.

    References
    ----------
    GB 11643-1999 公民身份号码; ISO 7064:2003; GB/T 2260 行政区划代码.

    Examples
    --------
    >>> from datetime import date
    >>> check_resident_id(["11010519491231002x", "110105491231002"],
    ...                   as_of=date(2026, 1, 1))[["valid", "reason", "normalised", "generation"]]
       valid            reason          normalised  generation
    0   True                    11010519491231002X           2
    1  False  first_generation  11010519491231002X           1
    """
    values = checker_values(values)
    check_choice("first_generation", first_generation, ("reject", "accept"))
    ref = check_date("as_of", as_of) or date.today()
    _check_method(method)
    if method == "reference":
        out = map_distinct(
            as_text(values), lambda v: _id_one(v, ref, first_generation), _ID_MISSING
        )
        return _id_finish(out)
    return _id_fast(values, ref, first_generation)


def _id_finish(out: pd.DataFrame) -> pd.DataFrame:
    out["valid"] = out["valid"].astype(bool)
    out["generation"] = out["generation"].astype("Int8")
    out["birth_date"] = pd.to_datetime(out["birth_date"], format="%Y-%m-%d").astype("datetime64[s]")
    out["residence_permit"] = out["residence_permit"].astype(bool)
    return _text_columns(out, "reason", "normalised", "sex", "region_code", "province_code")


def _id_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows of :func:`_id_one` with the column types of :func:`check_resident_id`."""
    return _id_finish(pd.DataFrame.from_records(rows, columns=list(_ID_MISSING)))


# --------------------------------------------------------------------------- organisation code


def org_code_check_char(body: str) -> str:
    """GB 11714 check character of an 8-character organisation-code body.

    Characters are valued ``0``-``9`` as digits and ``A``-``Z`` as 10-35; with
    weights 3, 7, 9, 10, 5, 8, 4, 2 the check value is ``11 - (sum mod 11)``,
    written ``X`` for 10 and ``0`` for 11.

    Parameters
    ----------
    body : str
        Eight characters from ``0-9A-Z``.

    Returns
    -------
    str
        One character, ``0``-``9`` or ``X``.

    Raises
    ------
    ValueError
        If ``body`` is not eight characters from ``0-9A-Z``.

    Examples
    --------
    >>> org_code_check_char("D2143569")   # the example of GB 11714-1997
    'X'
    >>> org_code_check_char("19220382")
    '1'
    """
    if len(body) != 8 or not re.fullmatch(r"[0-9A-Z]{8}", body):
        raise ArgumentError(f"body ({body!r}) must be eight characters from 0-9 and A-Z")
    total = sum(int(ch, 36) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


_ORG_MISSING: dict[str, Any] = {
    "valid": False,
    "reason": "missing",
    "normalised": None,
    "formatted": None,
}


def _org_one(raw: str) -> dict[str, Any]:
    text = _clean(raw)
    if not text:
        return _ORG_MISSING
    m = _ORG_RE.fullmatch(text)
    if m is None:
        if len(text) == 18 and _uscc_one(text)["valid"]:
            return _ORG_MISSING | {"reason": "is_credit_code", "normalised": text}
        return _ORG_MISSING | {"reason": "bad_format"}
    body, check = m.groups()
    out = {"valid": False, "reason": "", "normalised": text, "formatted": f"{body}-{check}"}
    if org_code_check_char(body) != check:
        return out | {"reason": "bad_checksum"}
    return out | {"valid": True}


def check_org_code(
    values: Iterable[object] | pd.Series, *, method: Method = "fast"
) -> pd.DataFrame:
    """Validate organisation codes (组织机构代码, GB 11714-1997).

    Parameters
    ----------
    values : list or Series
        Raw values, e.g. ``"12345678-9"`` or ``"123456789"``; full-width
        characters, spaces and dashes are normalised.
    method : {"fast", "reference"}, default "fast"
        ``"fast"`` decides values made only of ASCII letters and digits with
        vectorised arithmetic and hands anything else to the per-value rules
        (``"reference"``); both give the same frame.

    Returns
    -------
    DataFrame
        Same index as ``values``; ``valid``, ``reason`` (``missing``,
        ``bad_format``, ``bad_checksum``, ``is_credit_code`` when an 18-character
        credit code was filed instead), ``normalised`` (nine characters, no dash,
        the form embedded in credit codes) and ``formatted`` (``XXXXXXXX-X``).

    Notes
    -----
    See :func:`org_code_check_char` for the check character. No reference library
    implements GB 11714 (python-stdnum has no module for it).

    Examples
    --------
    >>> check_org_code(["19220382-1", "19220382-2", "914403001922038216", ""])[
    ...     ["valid", "reason", "normalised"]]
       valid          reason          normalised
    0   True                           192203821
    1  False    bad_checksum           192203822
    2  False  is_credit_code  914403001922038216
    3  False         missing                 NaN
    """
    values = checker_values(values)
    _check_method(method)
    if method == "reference":
        return _org_finish(map_distinct(as_text(values), _org_one, _ORG_MISSING))
    return _org_fast(values)


def _org_finish(out: pd.DataFrame) -> pd.DataFrame:
    out["valid"] = out["valid"].astype(bool)
    return _text_columns(out, "reason", "normalised", "formatted")


def _org_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return _org_finish(pd.DataFrame.from_records(rows, columns=list(_ORG_MISSING)))


# --------------------------------------------------------------------------- credit code


_USCC_MISSING: dict[str, Any] = {
    "valid": False,
    "reason": "missing",
    "warning": "",
    "normalised": None,
    "authority": None,
    "authority_name": None,
    "entity_type": None,
    "entity_type_name": None,
    "region_code": None,
    "region_known": False,
    "org_code": None,
}


def _uscc_one(raw: str) -> dict[str, Any]:
    from stdnum.cn.uscc import calc_check_digit

    text = _clean(raw)
    if not text:
        return _USCC_MISSING
    if not _USCC_RE.fullmatch(text):
        return _USCC_MISSING | {"reason": "bad_format"}
    authority, etype, region, org = text[0], text[1], text[2:8], text[8:17]
    known = region == "100000" or region in _region_codes()
    auth = CREDIT_CODE_AUTHORITIES.get(authority)
    out = _USCC_MISSING | {
        "reason": "",
        "normalised": text,
        "authority": authority,
        "authority_name": auth[0] if auth else None,
        "entity_type": etype,
        "entity_type_name": auth[1].get(etype) if auth else None,
        "region_code": region,
        "region_known": known,
        "org_code": org,
    }
    if not region.isdigit():
        return out | {"reason": "bad_format"}
    if calc_check_digit(text) != text[17]:
        return out | {"reason": "bad_checksum"}
    if auth is None:
        return out | {"reason": "unknown_authority"}
    if etype not in auth[1]:
        return out | {"reason": "bad_entity_type"}
    if region[:2] != "10" and region[:2] + "0000" not in _province_codes():
        return out | {"reason": "unknown_region"}
    if (not org[8].isdigit() and org[8] != "X") or org_code_check_char(org[:8]) != org[8]:
        return out | {"reason": "bad_org_code"}
    return out | {"valid": True, "warning": "" if known else "unlisted_region"}


def check_credit_code(
    values: Iterable[object] | pd.Series, *, method: Method = "fast"
) -> pd.DataFrame:
    """Validate unified social credit codes (统一社会信用代码, GB 32100-2015).

    Parameters
    ----------
    values : list or Series
        Raw values; full-width characters, spaces, dashes and lower case are
        normalised.
    method : {"fast", "reference"}, default "fast"
        ``"fast"`` decides values made only of ASCII letters and digits with
        vectorised arithmetic (the same weights and check characters as
        ``stdnum.cn.uscc`` and :func:`org_code_check_char`) and hands anything else
        to the per-value rules (``"reference"``); both give the same frame.

    Returns
    -------
    DataFrame
        Same index as ``values``, columns ``valid``, ``reason`` (code from
        :data:`REASONS`), ``warning`` (code from :data:`WARNINGS` or ``""``),
        ``normalised``, ``authority`` (character 1), ``authority_name``,
        ``entity_type`` (character 2), ``entity_type_name``, ``region_code``
        (characters 3-8), ``region_known`` (the region is ``100000``, the national
        level, or a GB/T 2260 code that ever existed) and ``org_code``
        (characters 9-17, the GB 11714 organisation code).

    Notes
    -----
    In order: 18 characters from ``0-9A-HJ-NPQRTUWXY`` (no I, O, Z, S, V) with
    characters 3-8 digits (``bad_format``); the check character, mod 31 with weights
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
    (``bad_checksum``, computed by ``stdnum.cn.uscc.calc_check_digit``); the
    registering authority (``unknown_authority``) and the authority/entity-type
    pair of :data:`CREDIT_CODE_AUTHORITIES` (``bad_entity_type``); the province
    part of the region (``unknown_region``); the embedded organisation code's
    GB 11714 check character (``bad_org_code``).

    The full six-digit region is a *soft* check (``warning="unlisted_region"``):
    codes issued in development zones carry local codes that GB/T 2260 does not
    list (for example 320594 for Suzhou Industrial Park).

    Examples
    --------
    >>> check_credit_code(["91440300708461136T", "91440300708461136t ", "A1440300708461136T"])[
    ...     ["valid", "reason", "normalised"]]
       valid        reason          normalised
    0   True                91440300708461136T
    1   True                91440300708461136T
    2  False  bad_checksum  A1440300708461136T
    """
    values = checker_values(values)
    _check_method(method)
    if method == "reference":
        return _uscc_finish(map_distinct(as_text(values), _uscc_one, _USCC_MISSING))
    return _uscc_fast(values)


def _uscc_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return _uscc_finish(pd.DataFrame.from_records(rows, columns=list(_USCC_MISSING)))


def _uscc_finish(out: pd.DataFrame) -> pd.DataFrame:
    out["valid"] = out["valid"].astype(bool)
    out["region_known"] = out["region_known"].astype(bool)
    return _text_columns(
        out,
        "reason",
        "warning",
        "normalised",
        "authority",
        "authority_name",
        "entity_type",
        "entity_type_name",
        "region_code",
        "org_code",
    )


# --------------------------------------------------------------------------- fast paths
#
# The fast paths decide the distinct values made only of ASCII letters and digits,
# for which the per-value cleaning (NFKC, separators, upper case) is just upper case,
# with vectorised arithmetic on character matrices; every other value goes to the
# per-value functions above. The two paths give identical frames
# (tests/test_checks_fastpaths.py).

_ALNUM = r"^[0-9A-Za-z]+$"
#: ISO 7064 MOD 11-2: the checksum of c_1 … c_n is sum(c_i * 2^(n-i)) mod 11.
_POW2_MOD11 = np.array([pow(2, 17 - i, 11) for i in range(18)], dtype=np.int64)
#: GB 32100 check character: weights 3^(i-1) mod 31 over the first 17 characters.
_USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
_USCC_VALUE = np.full(256, -1, dtype=np.int64)
_USCC_VALUE[[ord(c) for c in _USCC_ALPHABET]] = np.arange(len(_USCC_ALPHABET))
_USCC_BYTES = np.frombuffer(_USCC_ALPHABET.encode("ascii"), dtype=np.uint8)
#: GB 11714 character values: 0-9 as digits, A-Z as 10-35 (int(ch, 36)).
_BASE36_VALUE = np.full(256, 0, dtype=np.int64)
_BASE36_VALUE[48:58] = np.arange(10)
_BASE36_VALUE[65:91] = np.arange(10, 36)
_ORG_W = np.array(_ORG_WEIGHTS, dtype=np.int64)
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


@functools.cache
def _region_value_set() -> pa.Array:
    import pyarrow as pa

    return pa.array(sorted(_region_codes()), type=pa.large_string())


def _prefix(array: pa.Array, stop: int, start: int = 0) -> pa.Array:
    import pyarrow.compute as pc

    return pc.utf8_slice_codeunits(array, start, stop)


def _is_in(array: pa.Array, values: Iterable[str]) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    value_set = values if isinstance(values, pa.Array) else pa.array(sorted(values))
    return _np(pc.is_in(array, value_set=value_set.cast(pa.large_string())))


def _simple_upper(uniques: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Positions of the plain ASCII letter-and-digit values, and those values upper-cased."""
    import pyarrow as pa
    import pyarrow.compute as pc

    simple = np.flatnonzero(_match(uniques, _ALNUM))
    return simple, pc.ascii_upper(uniques.take(pa.array(simple)))


def _org_check_chars(matrix: np.ndarray) -> np.ndarray:
    """GB 11714 check character (as an ASCII byte) of each row of 8 bytes from 0-9A-Z."""
    value = 11 - (_BASE36_VALUE[matrix] @ _ORG_W) % 11
    return np.where(value == 10, ord("X"), np.where(value == 11, ord("0"), 48 + value))


def _id_fast(
    values: Iterable[object] | pd.Series, as_of: date, first_generation: FirstGeneration
) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.compute as pc

    index, codes, uniques = _distinct_text(values)
    k = len(uniques)
    is18 = _match(uniques, r"^[0-9]{17}[0-9Xx]$")
    is15 = _match(uniques, r"^[0-9]{15}$")
    others = np.flatnonzero(~(is18 | is15))
    plain = _match(uniques.take(pa.array(others)), _ALNUM)  # cleaning only upper-cases them
    rest = others[~plain]
    other = _per_value(
        lambda v: _id_one(v, as_of, first_generation), uniques.take(pa.array(rest)).to_pylist()
    )
    pieces = [
        (np.flatnonzero(is18),
         _id_parsed(pc.ascii_upper(uniques.filter(pa.array(is18))), 2, as_of, first_generation)),
        (np.flatnonzero(is15),
         _id_parsed(uniques.filter(pa.array(is15)), 1, as_of, first_generation)),
        (
            others[plain],
            _const_piece(_id_frame([_ID_MISSING | {"reason": "bad_format"}]), int(plain.sum())),
        ),
        (rest, _id_frame(other)),
        (np.array([k]), _id_frame([_ID_MISSING])),
    ]
    return _assemble(codes, index, k, pieces)


def _number(mat: np.ndarray, start: int, stop: int) -> np.ndarray:
    """The decimal number written by ASCII digit columns ``start:stop`` of a byte matrix."""
    out = np.zeros(len(mat), dtype=np.int32)
    for j in range(start, stop):
        out = out * 10 + (mat[:, j].astype(np.int32) - 48)
    return out


def _mod11_2(mat: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """ISO 7064 MOD 11-2 checksum of rows of digit bytes (``X`` counts 10)."""
    total = np.zeros(len(mat), dtype=np.int32)
    for j, w in enumerate(weights):
        column = mat[:, j].astype(np.int32) - 48
        total += np.where(column == ord("X") - 48, 10, column) * int(w)
    return total % 11


def _id_parsed(
    array: pa.Array, generation: int, as_of: date, first_generation: FirstGeneration
) -> pd.DataFrame:
    """:func:`_id_one` for upper-cased 18-character (generation 2) or 15-digit values."""
    m = len(array)
    mat = _char_matrix(array, 18 if generation == 2 else 15)
    if generation == 2:
        bad_checksum = _mod11_2(mat, _POW2_MOD11) != 1
        year, month, day = _number(mat, 6, 10), _number(mat, 10, 12), _number(mat, 12, 14)
        sex_digit = mat[:, 16].astype(np.int32) - 48
        normalised = array
    else:
        body = np.concatenate(
            [mat[:, :6], np.tile(np.frombuffer(b"19", dtype=np.uint8), (m, 1)), mat[:, 6:]],
            axis=1,
        )
        check = (1 - 2 * _mod11_2(body, _POW2_MOD11[1:])) % 11
        check_char = np.where(check == 10, ord("X"), 48 + check).astype(np.uint8)
        normalised = _matrix_strings(np.column_stack([body, check_char]))
        bad_checksum = np.zeros(m, dtype=bool)
        year = 1900 + _number(mat, 6, 8)
        month, day = _number(mat, 8, 10), _number(mat, 10, 12)
        sex_digit = mat[:, 14].astype(np.int32) - 48
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = _DAYS_IN_MONTH[np.clip(month - 1, 0, 11)] + (leap & (month == 2))
    real = (month >= 1) & (month <= 12) & (day >= 1) & (day <= days) & (year >= 1)
    birth_ok = real & (year >= _MIN_BIRTH_YEAR)
    months = np.where(birth_ok, (year.astype(np.int64) - 1970) * 12 + month - 1, 0)
    birth = months.astype("datetime64[M]").astype("datetime64[D]") + np.where(birth_ok, day - 1, 0)
    future = birth_ok & (birth > np.datetime64(as_of, "D"))
    region = _prefix(array, 6)
    permit = _is_in(region, _PERMIT_REGIONS)
    known = permit | _is_in(region, _region_value_set())
    reason = np.select(
        [bad_checksum, ~birth_ok, future, ~known,
         np.full(m, generation == 1 and first_generation == "reject")],
        [1, 2, 3, 4, 5],
        0,
    )
    names = ["", "bad_checksum", "bad_birth_date", "future_birth_date", "unknown_region",
             "first_generation"]
    return pd.DataFrame(
        {
            "valid": reason == 0,
            "reason": _str_array(_labels(reason, names)),
            "normalised": _str_array(normalised),
            "generation": pd.array(np.full(m, generation, dtype=np.int8), dtype="Int8"),
            "birth_date": np.where(birth_ok, birth, np.datetime64("NaT")).astype("datetime64[s]"),
            "sex": _str_array(_labels(sex_digit % 2, ["F", "M"])),
            "region_code": _str_array(region),
            "province_code": _str_array(_join(_prefix(array, 2), "0000")),
            "residence_permit": permit,
        }
    )


def _uscc_parts(array: pa.Array) -> dict[str, Any]:
    """Vectorised :func:`_uscc_one` for upper-cased 18-character values of the alphabet."""
    mat = _char_matrix(array, 18)
    m = len(mat)
    region = _prefix(array, 8, 2)
    region_digits = np.all((mat[:, 2:8] >= 48) & (mat[:, 2:8] <= 57), axis=1)
    total = _USCC_VALUE[mat[:, :17]] @ _USCC_WEIGHTS
    bad_checksum = _USCC_BYTES[(31 - total) % 31] != mat[:, 17]
    pair = mat[:, 0].astype(np.int64) * 256 + mat[:, 1]
    pairs, inverse = np.unique(pair, return_inverse=True)
    auth_names: list[str | None] = []
    type_names: list[str | None] = []
    auth_known = np.zeros(len(pairs), dtype=bool)
    type_known = np.zeros(len(pairs), dtype=bool)
    for i, p in enumerate(pairs):
        auth = CREDIT_CODE_AUTHORITIES.get(chr(p // 256))
        auth_names.append(auth[0] if auth else None)
        type_names.append(auth[1].get(chr(p % 256)) if auth else None)
        auth_known[i] = auth is not None
        type_known[i] = auth is not None and chr(p % 256) in auth[1]
    province_ok = (mat[:, 2] == ord("1")) & (mat[:, 3] == ord("0")) | _is_in(
        _province_head(region), _province_codes()
    )
    known = _is_in(region, _region_value_set()) | (_np(region) == "100000")
    bad_org = _org_check_chars(mat[:, 8:16]) != mat[:, 16]
    reason = np.select(
        [~region_digits, bad_checksum, ~auth_known[inverse], ~type_known[inverse],
         ~province_ok, bad_org],
        [1, 2, 3, 4, 5, 6],
        0,
    )
    return {
        "m": m,
        "reason": reason,
        "known": known,
        "region": region,
        "auth_names": _labels(inverse, auth_names),
        "type_names": _labels(inverse, type_names),
    }


_USCC_REASONS = ["", "bad_format", "bad_checksum", "unknown_authority", "bad_entity_type",
                 "unknown_region", "bad_org_code"]


def _province_head(region: pa.Array) -> pa.Array:
    return _join(_prefix(region, 2), "0000")


def _uscc_fast(values: Iterable[object] | pd.Series) -> pd.DataFrame:
    import pyarrow as pa

    index, codes, uniques = _distinct_text(values)
    k = len(uniques)
    simple, upper = _simple_upper(uniques)
    shaped = _match(upper, "^" + _USCC_RE.pattern + "$")
    array = upper.filter(pa.array(shaped))
    parts = _uscc_parts(array)
    reason = parts["reason"]
    valid = reason == 0
    warning = np.where(valid & ~parts["known"], 1, 0)
    parsed = pd.DataFrame(
        {
            "valid": valid,
            "reason": _str_array(_labels(reason, _USCC_REASONS)),
            "warning": _str_array(_labels(warning, ["", "unlisted_region"])),
            "normalised": _str_array(array),
            "authority": _str_array(_prefix(array, 1)),
            "authority_name": _str_array(parts["auth_names"]),
            "entity_type": _str_array(_prefix(array, 2, 1)),
            "entity_type_name": _str_array(parts["type_names"]),
            "region_code": _str_array(parts["region"]),
            "region_known": parts["known"],
            "org_code": _str_array(_prefix(array, 17, 8)),
        }
    )
    rest = np.setdiff1d(np.arange(k), simple, assume_unique=True)
    other = _per_value(_uscc_one, uniques.take(pa.array(rest)).to_pylist())
    pieces = [
        (simple[shaped], parsed),
        (
            simple[~shaped],
            _const_piece(_uscc_frame([_USCC_MISSING | {"reason": "bad_format"}]),
                         int((~shaped).sum())),
        ),
        (rest, _uscc_frame(other)),
        (np.array([k]), _uscc_frame([_USCC_MISSING])),
    ]
    return _assemble(codes, index, k, pieces)


def _org_fast(values: Iterable[object] | pd.Series) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.compute as pc

    index, codes, uniques = _distinct_text(values)
    k = len(uniques)
    simple, upper = _simple_upper(uniques)
    shaped = _match(upper, "^" + _ORG_RE.pattern + "$")
    array = upper.filter(pa.array(shaped))
    mat = _char_matrix(array, 9)
    valid = _org_check_chars(mat[:, :8]) == mat[:, 8]
    parsed = pd.DataFrame(
        {
            "valid": valid,
            "reason": _str_array(_labels(np.where(valid, 0, 1), ["", "bad_checksum"])),
            "normalised": _str_array(array),
            "formatted": _str_array(_join(_prefix(array, 8), "-", _prefix(array, 9, 8))),
        }
    )
    # an 18-character value may be a credit code filed in the wrong field
    unshaped = simple[~shaped]
    long_values = upper.filter(pa.array(~shaped))
    is18 = _np(pc.utf8_length(long_values)) == 18 if len(long_values) else np.zeros(0, bool)
    candidates = long_values.filter(pa.array(is18))
    credit = _match(candidates, "^" + _USCC_RE.pattern + "$")
    credit_valid = np.zeros(len(candidates), dtype=bool)
    if credit.any():
        credit_valid[credit] = _uscc_parts(candidates.filter(pa.array(credit)))["reason"] == 0
    is_credit = pd.DataFrame(
        {
            "valid": np.zeros(int(credit_valid.sum()), dtype=bool),
            "reason": _str_array(["is_credit_code"] * int(credit_valid.sum())),
            "normalised": _str_array(candidates.filter(pa.array(credit_valid))),
            "formatted": _str_array([None] * int(credit_valid.sum())),
        }
    )
    credit_positions = unshaped[is18][credit_valid]
    bad_positions = np.setdiff1d(unshaped, credit_positions, assume_unique=True)
    rest = np.setdiff1d(np.arange(k), simple, assume_unique=True)
    other = _per_value(_org_one, uniques.take(pa.array(rest)).to_pylist())
    pieces = [
        (simple[shaped], parsed),
        (credit_positions, is_credit),
        (
            bad_positions,
            _const_piece(_org_frame([_ORG_MISSING | {"reason": "bad_format"}]), len(bad_positions)),
        ),
        (rest, _org_frame(other)),
        (np.array([k]), _org_frame([_ORG_MISSING])),
    ]
    return _assemble(codes, index, k, pieces)
