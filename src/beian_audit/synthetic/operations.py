"""The synthetic administration's operations: logs, integration, months of history.

A provincial administration does more each month than the spot check: it
reviews filings and answers enquiries, closes websites with the local
authorities or with the ministry, blacklists websites, interviews, notifies
and penalises providers, and follows its providers through the system
integration. :func:`operations_log` makes such records for one province and a
run of months, and :func:`registry_history` the registry as it stood at the
end of each month, so that a ledger can be filled with a few months of
history (``make demo`` does). :func:`verification_outcomes` gives what the
verifiers find for a drawn sample: the ground truth, with a few sites that
cannot be reached.

Everything is a function of its arguments and ``seed`` only
(``numpy.random.default_rng``). The rates are assumptions, not published
figures: reviews ~ Poisson(40) and enquiries ~ Poisson(12) per working day
for the province; per month closures with local authorities ~ Poisson(4),
with the ministry ~ Poisson(1.5), blacklisted websites ~ Poisson(3),
interviews ~ Poisson(2), notices ~ Poisson(2), penalties ~ Poisson(0.8). No
personal data is made: blacklist values are domains of the registry,
provider ids and dates are all that the logs hold.

Examples
--------
>>> import pandas as pd
>>> providers = pd.DataFrame({"provider_id": ["P1", "P2"], "home_province": ["浙江省"] * 2,
...                           "integration_passed": [True, False]})
>>> ops = operations_log(providers, "浙江", ["2013-04", "2013-05"], seed=1)
>>> sorted(ops.review_log["kind"].unique())
['enquiry', 'review']
>>> ops.integration.groupby("provider_id")["status"].last().to_dict()
{'P1': 'integrated', 'P2': 'not_integrated'}
>>> ops == operations_log(providers, "浙江", ["2013-04", "2013-05"], seed=1)
True
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from beian_audit._provinces import province_codes
from beian_audit.errors import SyntheticParameterError

__all__ = [
    "ENFORCEMENT_RATES",
    "REVIEW_RATES",
    "SyntheticOperations",
    "operations_log",
    "registry_history",
    "verification_outcomes",
]

#: Expected reviews and enquiries per working day of the province.
REVIEW_RATES: dict[str, float] = {"review": 40.0, "enquiry": 12.0}
#: Expected enforcement events per month of the province (the ledger's kinds;
#: ``blacklisted`` is a blacklist entry of a website's domain).
ENFORCEMENT_RATES: dict[str, float] = {
    "closure_local": 4.0, "closure_ministry": 1.5, "blacklisted": 3.0, "interview": 2.0,
    "notice": 2.0, "penalty": 0.8,
}
_AUTHORITY = {"closure_local": "省互联网信息办公室", "closure_ministry": "工业和信息化部电信管理局"}


def _check_months(months: Sequence[str]) -> list[pd.Period]:
    if isinstance(months, str) or not len(months):
        raise SyntheticParameterError("months must be a non-empty list of 'YYYY-MM'")
    try:
        periods = [pd.Period(str(m), freq="M") for m in months]
    except (ValueError, TypeError) as exc:
        raise SyntheticParameterError(f"months ({list(months)!r}) must be 'YYYY-MM'") from exc
    return sorted(set(periods))


def _province(value: str) -> str:
    code = province_codes(pd.Series([value], dtype=object)).iloc[0]
    if code is None:
        raise SyntheticParameterError(f"province ({value!r}) is not a known province")
    return str(code)


def _frame_eq(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return a.shape == b.shape and bool(a.reset_index(drop=True).equals(b.reset_index(drop=True)))


@dataclass(frozen=True, eq=False)
class SyntheticOperations:
    """Operational records of one province over a run of months.

    Attributes
    ----------
    province : str
        GB/T 2260 code.
    months : tuple of str
    review_log : DataFrame
        ``date``, ``kind`` (``review`` / ``enquiry``), ``quantity`` (handled
        that day), ``province``.
    enforcement : DataFrame
        ``date``, ``kind`` (the ledger's ``closure_local``,
        ``closure_ministry``, ``interview``, ``notice``, ``penalty``),
        ``province``, ``provider_id``, ``unit_key`` (a closed website, or
        empty), ``authority``.
    blacklist : DataFrame
        ``listed_on``, ``kind`` (``domain``), ``value``, ``month``,
        ``province``.
    integration : DataFrame
        ``provider_id``, ``status``, ``as_of``, ``province``: every provider
        of the province starts ``not_integrated``; those that have passed
        (``integration_passed``) become ``integrated`` on a date up to the
        end of the last month.
    """

    province: str
    months: tuple[str, ...]
    review_log: pd.DataFrame
    enforcement: pd.DataFrame
    blacklist: pd.DataFrame
    integration: pd.DataFrame

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SyntheticOperations):
            return NotImplemented
        return (self.province, self.months) == (other.province, other.months) and all(
            _frame_eq(getattr(self, n), getattr(other, n))
            for n in ("review_log", "enforcement", "blacklist", "integration"))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"SyntheticOperations(province={self.province!r}, months={list(self.months)}, "
                f"reviews={int(self.review_log['quantity'].sum())}, "
                f"enforcement={len(self.enforcement)}, blacklist={len(self.blacklist)})")


def operations_log(
    providers: pd.DataFrame,
    province: str,
    months: Sequence[str],
    *,
    seed: int,
    registry: pd.DataFrame | None = None,
) -> SyntheticOperations:
    """Review / enquiry log, enforcement events, blacklist and integration of a province.

    Parameters
    ----------
    providers : DataFrame
        ``provider_id``, ``home_province``, ``integration_passed`` (e.g.
        :func:`~beian_audit.synthetic.load_providers`).
    province : str
        The province (name, short name or code).
    months : list of str
        ``YYYY-MM`` months to make records for.
    seed : int
    registry : DataFrame, optional
        Websites closed and domains blacklisted are taken from the filings of
        the province's providers whose synthetic truth has a defect; without
        it they carry no website.

    Returns
    -------
    SyntheticOperations
    """
    periods = _check_months(months)
    code = _province(province)
    rng = np.random.default_rng(seed)
    homes = province_codes(providers["home_province"].astype(object))
    local = providers.loc[(homes == code).to_numpy()].sort_values("provider_id", kind="stable")
    ids = local["provider_id"].astype(str).to_numpy()
    if not len(ids):
        raise SyntheticParameterError(f"no provider has its home in province {code}")
    candidates = np.array([], dtype=object)
    if registry is not None:
        local_rows = registry["provider_id"].astype(str).isin(set(ids)).to_numpy(bool)
        defect = np.zeros(len(registry), dtype=bool)
        for column in ("truth_sponsor_ok", "truth_access_ok"):
            if column in registry.columns:
                defect |= ~registry[column].astype("boolean").fillna(True).to_numpy(bool)
        picked = registry.loc[local_rows & defect].sort_values("website_id", kind="stable")
        candidates = picked[["website_id", "domain", "provider_id"]].to_numpy(dtype=object)

    reviews, events, listed = [], [], []
    for period in periods:
        days = pd.bdate_range(period.start_time, period.end_time.normalize())
        for kind, rate in REVIEW_RATES.items():
            quantity = rng.poisson(rate, size=len(days))
            keep = quantity > 0
            reviews.append(pd.DataFrame({"date": days[keep].date, "kind": kind,
                                         "quantity": quantity[keep].astype(np.int64)}))
        last = calendar.monthrange(period.year, period.month)[1]
        for kind, rate in ENFORCEMENT_RATES.items():
            k = int(rng.poisson(rate))
            day = np.sort(rng.integers(1, last + 1, size=k))
            who = rng.integers(0, len(ids), size=k)
            site = (rng.integers(0, len(candidates), size=k) if len(candidates)
                    else np.full(k, -1))
            for d, w, s in zip(day, who, site, strict=True):
                date = dt.date(period.year, period.month, int(d))
                if kind == "blacklisted":
                    if s >= 0:
                        listed.append({"listed_on": date, "kind": "domain",
                                       "value": str(candidates[s][1]),
                                       "month": str(period), "province": code})
                    continue
                closes = kind.startswith("closure") and s >= 0
                events.append({
                    "date": date, "kind": kind, "province": code,
                    "provider_id": str(candidates[s][2]) if closes else str(ids[w]),
                    "unit_key": str(candidates[s][0]) if closes else None,
                    "authority": _AUTHORITY.get(kind),
                })
    review_log = pd.concat(reviews, ignore_index=True).sort_values(
        ["date", "kind"], kind="stable").reset_index(drop=True)
    review_log["province"] = code
    enforcement = pd.DataFrame(events, columns=["date", "kind", "province", "provider_id",
                                                "unit_key", "authority"])
    blacklist = pd.DataFrame(listed, columns=["listed_on", "kind", "value", "month",
                                              "province"])
    start = periods[0].start_time.date()
    end = periods[-1].end_time.date()
    passed = local["integration_passed"].astype("boolean").fillna(False).to_numpy(bool)
    span = (end - start).days + 180  # integrations began up to half a year earlier
    offsets = rng.integers(0, span + 1, size=len(ids))
    rows = [{"provider_id": p, "status": "not_integrated",
             "as_of": start - dt.timedelta(days=181), "province": code} for p in ids]
    rows += [{"provider_id": p, "status": "integrated",
              "as_of": end - dt.timedelta(days=int(o)), "province": code}
             for p, o, ok in zip(ids, offsets, passed, strict=True) if ok]
    integration = pd.DataFrame(rows).sort_values(["provider_id", "as_of"], kind="stable")
    return SyntheticOperations(
        province=code, months=tuple(str(p) for p in periods), review_log=review_log,
        enforcement=enforcement, blacklist=blacklist,
        integration=integration.reset_index(drop=True))


def registry_history(registry: pd.DataFrame, months: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The registry as it stood at the end of each month (the last month: as given).

    An earlier month's registry lacks the filings approved after its end
    (``approval_date``); the last month's is ``registry`` itself, so that
    it matches a spot check run on the registry as given.

    Examples
    --------
    >>> reg = pd.DataFrame({"website_id": ["W1", "W2"],
    ...                     "approval_date": pd.to_datetime(["2013-03-02", "2013-05-09"])})
    >>> {m: len(r) for m, r in registry_history(reg, ["2013-04", "2013-05"]).items()}
    {'2013-04': 1, '2013-05': 2}
    """
    periods = _check_months(months)
    if "approval_date" not in registry.columns:
        raise SyntheticParameterError("the registry needs approval_date for its history")
    approved = pd.to_datetime(registry["approval_date"])
    out = {}
    for period in periods[:-1]:
        keep = (approved < (period + 1).start_time).fillna(True).to_numpy(bool)
        out[str(period)] = registry.loc[keep].reset_index(drop=True)
    out[str(periods[-1])] = registry
    return out


def verification_outcomes(
    sample: pd.DataFrame,
    registry: pd.DataFrame,
    *,
    seed: int,
    unreachable: float = 0.03,
    key: str = "website_id",
    month: str | None = None,
) -> pd.DataFrame:
    """What the verifiers find for a drawn sample: the truth, a few sites unreachable.

    Returns one row per sampled filing: ``key``, ``sponsor_ok``,
    ``access_ok`` (nullable booleans: empty for an unreachable site),
    ``reason`` (``phone_unreachable`` for an unreachable site, ``other``
    for a defect), ``checked_on`` (a working day of ``month``, default
    none).
    """
    if not 0.0 <= float(unreachable) < 1.0:
        raise SyntheticParameterError(f"unreachable ({unreachable!r}) must be in [0, 1)")
    rng = np.random.default_rng(seed)
    truth = registry.set_index(key)[["truth_sponsor_ok", "truth_access_ok"]]
    keys = sample[key].astype(str).to_numpy()
    found = truth.reindex(keys)
    lost = rng.random(len(keys)) < unreachable
    sponsor = found["truth_sponsor_ok"].astype("boolean").to_numpy(dtype=object)
    access = found["truth_access_ok"].astype("boolean").to_numpy(dtype=object)
    sponsor[lost] = None
    access[lost] = None
    defect = np.array([v is False for v in sponsor]) | np.array([v is False for v in access])
    reason = np.full(len(keys), None, dtype=object)
    reason[defect] = "other"
    reason[lost] = "phone_unreachable"
    out = pd.DataFrame({key: keys, "sponsor_ok": pd.array(sponsor, dtype="boolean"),
                        "access_ok": pd.array(access, dtype="boolean"),
                        "reason": pd.Series(reason, dtype=object)})
    if month is not None:
        period = pd.Period(month, freq="M")
        days = pd.bdate_range(period.start_time, period.end_time.normalize())
        out["checked_on"] = days[rng.integers(0, len(days), size=len(keys))].date
    return out
