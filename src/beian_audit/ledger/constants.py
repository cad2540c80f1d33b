"""The ledger's fixed vocabularies (no database import needed).

Examples
--------
>>> OUTCOME_STATUSES
('correct', 'incorrect', 'unreachable', 'refused', 'pending')
"""

from __future__ import annotations

__all__ = [
    "ASPECTS",
    "BLACKLIST_KINDS",
    "CASE_STATUSES",
    "ENFORCEMENT_KINDS",
    "INTEGRATION_STATUSES",
    "OUTCOME_STATUSES",
    "PERIOD_EVENTS",
    "REVIEW_KINDS",
]

#: The two aspects verified per filing.
ASPECTS: tuple[str, ...] = ("sponsor", "access")
#: Status of one verification outcome.
OUTCOME_STATUSES: tuple[str, ...] = ("correct", "incorrect", "unreachable", "refused", "pending")
PERIOD_EVENTS: tuple[str, ...] = ("opened", "drawn", "closed", "reopened")
#: Case statuses: ``correction_ordered`` leads to one of the three others.
CASE_STATUSES: tuple[str, ...] = (
    "correction_ordered", "corrected", "access_cut", "filing_cancelled",
)
BLACKLIST_KINDS: tuple[str, ...] = ("sponsor", "domain", "mobile", "website")
#: Enforcement events (rows 14, 15, 17 and 18 of the statistics table).
ENFORCEMENT_KINDS: tuple[str, ...] = (
    "closure_local", "closure_ministry", "interview", "notice", "penalty",
)
#: Review-log entries (rows 3 and 4 of the statistics table).
REVIEW_KINDS: tuple[str, ...] = ("review", "enquiry")
INTEGRATION_STATUSES: tuple[str, ...] = ("integrated", "not_integrated")
