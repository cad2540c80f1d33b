"""Design-based estimation: intervals, the stratified estimator, target decisions.

* :func:`proportion_ci` — interval for a simple random sample;
* :func:`design_proportion_ci` — interval from a design-based estimate's summary;
* :func:`estimate_proportion` — stratified / two-stage estimate, overall and by domain;
* :func:`assess_target` — met / not met / inconclusive against a target.

The formulas, their references and the evidence behind the defaults are in
``docs/methodology.md``.

Examples
--------
>>> from beian_audit.estimation import proportion_ci, assess_target
>>> assess_target(proportion_ci(600, 600, method="clopper-pearson"), 0.995).status
'met'
"""

from __future__ import annotations

from beian_audit.estimation.intervals import (
    ALTERNATIVES,
    DESIGN_METHODS,
    SRS_METHODS,
    Alternative,
    ConfidenceInterval,
    DesignMethod,
    SRSMethod,
    design_proportion_ci,
    proportion_ci,
)
from beian_audit.estimation.stratified import (
    LONELY_PSU_RULES,
    LonelyPSU,
    ProportionEstimate,
    estimate_proportion,
)
from beian_audit.estimation.targets import STATUSES, TargetAssessment, assess_target

__all__ = [
    "ALTERNATIVES",
    "DESIGN_METHODS",
    "LONELY_PSU_RULES",
    "SRS_METHODS",
    "STATUSES",
    "Alternative",
    "ConfidenceInterval",
    "DesignMethod",
    "LonelyPSU",
    "ProportionEstimate",
    "SRSMethod",
    "TargetAssessment",
    "assess_target",
    "design_proportion_ci",
    "estimate_proportion",
    "proportion_ci",
]
