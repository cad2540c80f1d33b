"""Plan, draw and verify stratified spot-check samples of filings.

The public names are re-exported here:

* sample sizes — :func:`sample_size_margin`, :func:`sample_size_target`,
  :func:`sample_size_power`, :func:`target_power`, :func:`max_failures`;
* allocation — :func:`allocate`, :func:`tianjin_rule`, :func:`cost_optimal_allocation`;
* cost — :func:`expected_settlement_cost` → :class:`SettlementCost`;
* plans — :func:`plan_sample` → :class:`SamplePlan`;
* draws — :func:`draw_sample` → :class:`Sample`, :func:`verify_sample`,
  :func:`draw_partition`, :func:`select_psus`, :func:`prn`;
* worksheets — :func:`write_worksheet` (``Sample.to_worksheet``),
  :func:`read_worksheet`, :func:`verification_progress`.

Examples
--------
>>> import pandas as pd
>>> from beian_audit.sampling import plan_sample, draw_sample, verify_sample
>>> frame = pd.DataFrame({"website_id": [f"W{i}" for i in range(300)],
...                       "provider_id": ["P1"] * 200 + ["P2"] * 100})
>>> sample = draw_sample(frame, plan_sample(frame, n=30), seed=20130401)
>>> sample
Sample(n=30, strata=2, seed=20130401, key='website_id', algorithm='beian-prn/1')
>>> verify_sample(frame, sample.manifest, sample.frame)
True
"""

from __future__ import annotations

from beian_audit.sampling.allocation import (
    ALLOCATIONS,
    Allocation,
    allocate,
    cost_optimal_allocation,
    tianjin_rule,
)
from beian_audit.sampling.cost import SettlementCost, expected_settlement_cost
from beian_audit.sampling.draw import (
    Sample,
    draw_partition,
    draw_sample,
    select_psus,
    verify_sample,
)
from beian_audit.sampling.plan import (
    PSU_SELECTIONS,
    PsuSelection,
    SamplePlan,
    plan_from_design,
    plan_sample,
)
from beian_audit.sampling.prn import ALGORITHM_VERSION, fingerprint, prn
from beian_audit.sampling.size import (
    max_failures,
    sample_size_margin,
    sample_size_power,
    sample_size_target,
    target_power,
)
from beian_audit.sampling.worksheet import (
    OUTCOME_COLUMNS,
    REASON_CODES,
    VerificationProgress,
    read_worksheet,
    verification_progress,
    write_worksheet,
)

__all__ = [
    "ALGORITHM_VERSION",
    "ALLOCATIONS",
    "OUTCOME_COLUMNS",
    "PSU_SELECTIONS",
    "REASON_CODES",
    "Allocation",
    "PsuSelection",
    "Sample",
    "SamplePlan",
    "SettlementCost",
    "VerificationProgress",
    "allocate",
    "cost_optimal_allocation",
    "draw_partition",
    "draw_sample",
    "expected_settlement_cost",
    "fingerprint",
    "max_failures",
    "plan_from_design",
    "plan_sample",
    "prn",
    "read_worksheet",
    "sample_size_margin",
    "sample_size_power",
    "sample_size_target",
    "select_psus",
    "target_power",
    "tianjin_rule",
    "verification_progress",
    "verify_sample",
    "write_worksheet",
]
