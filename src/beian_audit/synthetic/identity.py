"""Identity numbers: resident ID numbers (GB 11643), credit codes (GB 32100), certificates.

Numbers are drawn distinct and with correct check characters; the certificate step
then breaks the check character of sponsors with the ``id_checksum`` defect.

Examples
--------
>>> import numpy as np
>>> body = np.array([11010519491231002])
>>> _ric_strings(body, _ric_check(body)).to_pylist()
['11010519491231002X']
>>> _ymd(np.array(["2013-12-31"], dtype="datetime64[D]"))
array([20131231])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from beian_audit.synthetic.geography import _Reference
from beian_audit.synthetic.vectors import _ascii, _choice, _choice_within, _digits_ascii

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_RIC_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
_NATURE_USCC = {
    "企业": "91",
    "事业单位": "12",
    "政府机关": "11",
    "社会团体": "51",
    "民办非企业单位": "52",
    "基金会": "53",
}
_ALPHA = np.frombuffer(_USCC_ALPHABET.encode(), dtype=np.uint8)
_ALPHA_INDEX = np.full(128, -1, dtype=np.int64)
_ALPHA_INDEX[_ALPHA] = np.arange(31)


def _ymd(dates: np.ndarray) -> np.ndarray:
    """YYYYMMDD integers of datetime64[D] values."""
    y = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    m = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (dates - dates.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return y * 10_000 + m * 100 + d


def _year_dates(rng: np.random.Generator, year: np.ndarray) -> np.ndarray:
    """A uniformly random day (datetime64[D]) within each given year."""
    start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    days = ((year + 1 - 1970).astype("datetime64[Y]").astype("datetime64[D]") - start).astype(
        np.int64
    )
    return start + np.floor(rng.random(len(year)) * days).astype(np.int64).astype("timedelta64[D]")


def _id_bodies(
    rng: np.random.Generator, ref: _Reference, home_prov: np.ndarray, first_year: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """First 17 digits of distinct resident ID numbers, and the county of the region code.

    Region: a current county of the home province (80 %) or of any province. Birth:
    20–64 years before ``first_year`` (the year of the person's first filing), so the
    person is an adult at every approval.
    """
    n = len(home_prov)
    local = rng.random(n) < 0.8
    anywhere = _choice(rng, n, ref.prov_weight)
    region_prov = np.where(local, home_prov, anywhere)
    county = _choice_within(rng, region_prov, ref.county_prov, ref.county_weight)
    birth = _year_dates(rng, first_year - 20 - rng.integers(0, 45, n))
    body = ref.county_code[county] * 100_000_000_000 + _ymd(birth) * 1000 + rng.integers(0, 1000, n)
    for _ in range(200):
        dup = pd.Series(body).duplicated().to_numpy()
        if not dup.any():
            break
        idx = np.flatnonzero(dup)
        body[idx] = (body[idx] // 1000) * 1000 + rng.integers(0, 1000, len(idx))
    return body, county


def _ric_check(body: np.ndarray) -> np.ndarray:
    """ISO 7064 MOD 11-2 check value (0–10, 10 = 'X') of 17-digit ID bodies."""
    digits = _digits_ascii(body, 17).astype(np.int64) - 48
    return (12 - (digits @ _RIC_WEIGHTS) % 11) % 11


def _ric_strings(body: np.ndarray, check: np.ndarray) -> pa.Array:
    mat = np.empty((len(body), 18), dtype=np.uint8)
    mat[:, :17] = _digits_ascii(body, 17)
    mat[:, 17] = np.frombuffer(b"0123456789X", dtype=np.uint8)[check]
    return _ascii(mat)


def _uscc_matrix(rng: np.random.Generator, pair: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Unified social credit codes (GB 32100) as an ``(n, 18)`` ASCII matrix.

    ``pair`` holds the two-character registering authority + type (``"91"`` …),
    ``region`` the six-digit division code. Characters 9–17 are a GB 11714
    organisation code with its own correct check character; character 18 is the
    mod-31 check character.
    """
    n = len(region)
    mat = np.empty((n, 18), dtype=np.uint8)
    mat[:, :2] = np.frombuffer("".join(pair.tolist()).encode(), dtype=np.uint8).reshape(n, 2)
    mat[:, 2:8] = _digits_ascii(region, 6)

    def body(m: int) -> np.ndarray:
        out = _digits_ascii(rng.integers(10_000_000, 100_000_000, m), 8).copy()
        modern = rng.random(m) < 0.5
        tail = _ALPHA[rng.integers(0, 31, (m, 6))]
        out[modern, 0] = ord("M")
        out[modern, 1] = ord("A")
        out[modern, 2:] = tail[modern]
        return out

    mat[:, 8:16] = body(n)
    for _ in range(100):
        keys = pd.Series(np.ascontiguousarray(mat[:, :16]).view("S16").ravel())
        dup = keys.duplicated().to_numpy()
        if not dup.any():
            break
        mat[dup, 8:16] = body(int(dup.sum()))
    org = mat[:, 8:16].astype(np.int64)
    org_values = np.where(org <= ord("9"), org - 48, org - 55)
    c9 = 11 - (org_values @ _ORG_WEIGHTS) % 11
    mat[:, 16] = np.where(c9 == 10, ord("X"), np.where(c9 == 11, ord("0"), c9 + 48))
    check = (31 - (_ALPHA_INDEX[mat[:, :17]] @ _USCC_WEIGHTS) % 31) % 31
    mat[:, 17] = _ALPHA[check]
    return mat
