"""Design-based estimation: intervals, the stratified estimator, target decisions.

* :func:`proportion_ci` — interval for a simple random sample;
* :func:`design_proportion_ci` — interval from a design-based estimate's summary;
* :func:`estimate_proportion` — stratified / two-stage estimate, overall and by domain;
* :func:`assess_target` — met / not met / inconclusive against a target;
* :mod:`~beian_audit.estimation.nonresponse` — unreachable / refused outcomes
  (MAR reweighting, worst / best cases, robustness of the verdict);
* :func:`exact_coverage`, :func:`simulate_coverage` — coverage of the methods;
* :func:`provider_estimates` — exact per-provider bounds and empirical-Bayes ranking;
* :func:`filing_rate` — census or sampled filing rate of accessed sites;
* :func:`monthly_panel` — estimates month by month, trend and year-end projection;
* :func:`double_verification_subsample`, :func:`verifier_agreement`,
  :func:`corrected_accuracy` — verifier error: double verification, Cohen's
  kappa, accuracy corrected for misclassification (Rogan–Gladen).
* :func:`sequential_assessment` — running "stop: met / not met / continue" verdict
  while verifying in PRN-ordered batches (:func:`verification_batches`).

The formulas, their references and the evidence behind the defaults are in
``docs/methodology.md``.

Examples
--------
>>> from beian_audit.estimation import proportion_ci, assess_target
>>> assess_target(proportion_ci(600, 600, method="clopper-pearson"), 0.995).status
'met'
"""

from __future__ import annotations

from beian_audit.estimation.coverage import exact_coverage, simulate_coverage
from beian_audit.estimation.filing_rate import (
    UNDETERMINED_RULES,
    FilingRate,
    Undetermined,
    filing_rate,
    match_sites,
)
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
from beian_audit.estimation.misclassification import (
    CORRECTION_METHODS,
    CorrectedAccuracy,
    CorrectionMethod,
    VerifierAgreement,
    corrected_accuracy,
    double_verification_subsample,
    verifier_agreement,
)
from beian_audit.estimation.nonresponse import (
    NONRESPONSE_RULES,
    NONRESPONSE_STATUSES,
    OUTCOME_STATUSES,
    NonresponseRule,
    OutcomeStatus,
)
from beian_audit.estimation.panel import (
    VERDICTS,
    MonthlyPanel,
    PanelProjection,
    PanelTrend,
    monthly_panel,
)
from beian_audit.estimation.providers import (
    ESTIMANDS,
    EXACT_METHODS,
    BetaBinomialFit,
    Estimand,
    ExactMethod,
    HyperPosterior,
    ProviderEstimates,
    fit_beta_binomial,
    hyper_posterior,
    hypergeometric_ci,
    provider_estimates,
)
from beian_audit.estimation.sequential import (
    DECISIONS,
    SEQUENTIAL_METHODS,
    SPENDING_FUNCTIONS,
    SequentialMethod,
    SequentialVerdict,
    Spending,
    alpha_spent,
    ppr_interval,
    sequential_assessment,
    spending_boundaries,
    verification_batches,
    verification_order,
)
from beian_audit.estimation.stratified import (
    LONELY_PSU_RULES,
    LonelyPSU,
    ProportionEstimate,
    estimate_proportion,
)
from beian_audit.estimation.targets import (
    MULTIPLICITY,
    STATUSES,
    Multiplicity,
    TargetAssessment,
    adjust_p_values,
    assess_target,
)

__all__ = [
    "ALTERNATIVES",
    "CORRECTION_METHODS",
    "DECISIONS",
    "DESIGN_METHODS",
    "ESTIMANDS",
    "EXACT_METHODS",
    "LONELY_PSU_RULES",
    "MULTIPLICITY",
    "NONRESPONSE_RULES",
    "NONRESPONSE_STATUSES",
    "OUTCOME_STATUSES",
    "SEQUENTIAL_METHODS",
    "SPENDING_FUNCTIONS",
    "SRS_METHODS",
    "STATUSES",
    "UNDETERMINED_RULES",
    "VERDICTS",
    "Alternative",
    "BetaBinomialFit",
    "ConfidenceInterval",
    "CorrectedAccuracy",
    "CorrectionMethod",
    "DesignMethod",
    "Estimand",
    "ExactMethod",
    "FilingRate",
    "HyperPosterior",
    "LonelyPSU",
    "MonthlyPanel",
    "Multiplicity",
    "NonresponseRule",
    "OutcomeStatus",
    "PanelProjection",
    "PanelTrend",
    "ProportionEstimate",
    "ProviderEstimates",
    "SRSMethod",
    "SequentialMethod",
    "SequentialVerdict",
    "Spending",
    "TargetAssessment",
    "Undetermined",
    "VerifierAgreement",
    "adjust_p_values",
    "alpha_spent",
    "assess_target",
    "corrected_accuracy",
    "design_proportion_ci",
    "double_verification_subsample",
    "estimate_proportion",
    "exact_coverage",
    "filing_rate",
    "fit_beta_binomial",
    "hyper_posterior",
    "hypergeometric_ci",
    "match_sites",
    "monthly_panel",
    "ppr_interval",
    "proportion_ci",
    "provider_estimates",
    "sequential_assessment",
    "simulate_coverage",
    "spending_boundaries",
    "verification_batches",
    "verification_order",
    "verifier_agreement",
]
