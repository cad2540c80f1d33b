"""beian_audit: honest statistics for auditing an ICP filing (备案) registry.

The public API is re-exported here and listed in ``__all__``; submodules are
imported on first use so that ``import beian_audit`` stays fast.

Examples
--------
>>> import beian_audit as ba
>>> "read_filings" in ba.__all__
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # errors
    "BeianAuditError": "beian_audit.errors",
    "BeianAuditWarning": "beian_audit.errors",
    "SchemaError": "beian_audit.errors",
    "InputFileError": "beian_audit.errors",
    "InputFileNotFoundError": "beian_audit.errors",
    "ArgumentError": "beian_audit.errors",
    "ArgumentTypeError": "beian_audit.errors",
    "WorksheetError": "beian_audit.errors",
    "SampleDesignError": "beian_audit.errors",
    "EstimationError": "beian_audit.errors",
    "MissingDependencyError": "beian_audit.errors",
    "SmallStratumWarning": "beian_audit.errors",
    "DegenerateIntervalWarning": "beian_audit.errors",
    "GoalNotReachableWarning": "beian_audit.errors",
    "MethodWeaknessWarning": "beian_audit.errors",
    "DataQualityWarning": "beian_audit.errors",
    "SkippedCheckWarning": "beian_audit.errors",
    "IncompleteSampleWarning": "beian_audit.errors",
    # data
    "FILING_SCHEMA": "beian_audit.schema",
    "read_filings": "beian_audit.io",
    "write_filings": "beian_audit.io",
    "generate_registry": "beian_audit.synthetic",
    "generate_world": "beian_audit.synthetic",
    "load_synthetic_registry": "beian_audit.synthetic",
    "load_accessed_sites": "beian_audit.synthetic",
    "load_providers": "beian_audit.synthetic",
    # validation
    "check_filings": "beian_audit.checks.filings",
    "CheckReport": "beian_audit.checks.filings",
    "check_phone": "beian_audit.checks.phone",
    "check_email": "beian_audit.checks.email",
    "check_address": "beian_audit.checks.address",
    "check_resident_id": "beian_audit.checks.identity",
    "check_credit_code": "beian_audit.checks.identity",
    "check_org_code": "beian_audit.checks.identity",
    "check_icp_number": "beian_audit.checks.icp",
    "check_domain": "beian_audit.checks.network",
    "IpRangeIndex": "beian_audit.checks.network",
    # sampling
    "plan_sample": "beian_audit.sampling",
    "draw_sample": "beian_audit.sampling",
    "verify_sample": "beian_audit.sampling",
    "read_worksheet": "beian_audit.sampling",
    "write_worksheet": "beian_audit.sampling",
    "SamplePlan": "beian_audit.sampling",
    "Sample": "beian_audit.sampling",
    "sample_size_margin": "beian_audit.sampling",
    "sample_size_target": "beian_audit.sampling",
    "sample_size_power": "beian_audit.sampling",
    "cost_optimal_allocation": "beian_audit.sampling",
    "expected_settlement_cost": "beian_audit.sampling",
    "SettlementCost": "beian_audit.sampling",
    # estimation
    "proportion_ci": "beian_audit.estimation",
    "estimate_proportion": "beian_audit.estimation",
    "assess_target": "beian_audit.estimation",
    "ConfidenceInterval": "beian_audit.estimation",
    "ProportionEstimate": "beian_audit.estimation",
    "TargetAssessment": "beian_audit.estimation",
    "SequentialVerdict": "beian_audit.estimation",
    "sequential_assessment": "beian_audit.estimation",
    "verification_batches": "beian_audit.estimation",
    "verification_order": "beian_audit.estimation",
    "spending_boundaries": "beian_audit.estimation",
    "alpha_spent": "beian_audit.estimation",
    "design_proportion_ci": "beian_audit.estimation",
    "filing_rate": "beian_audit.estimation",
    "FilingRate": "beian_audit.estimation",
    "provider_estimates": "beian_audit.estimation",
    "monthly_panel": "beian_audit.estimation",
    "double_verification_subsample": "beian_audit.estimation",
    "verifier_agreement": "beian_audit.estimation",
    "corrected_accuracy": "beian_audit.estimation",
    "VerifierAgreement": "beian_audit.estimation",
    "CorrectedAccuracy": "beian_audit.estimation",
    # reporting
    "statistics_table": "beian_audit.reporting",
    "national_roll_up": "beian_audit.reporting",
    "StatisticsTable": "beian_audit.reporting",
    "rank_providers": "beian_audit.reporting",
    "top_unfiled_providers": "beian_audit.reporting",
    "match_blacklist": "beian_audit.reporting",
    "plot_forest": "beian_audit.reporting",
    "plot_funnel": "beian_audit.reporting",
    "plot_progress": "beian_audit.reporting",
    "write_html_report": "beian_audit.reporting",
    # the main job
    "run_spot_check": "beian_audit.spotcheck",
    "write_spot_check": "beian_audit.spotcheck",
    "SpotCheckResult": "beian_audit.spotcheck",
    # privacy
    "mask_frame": "beian_audit.privacy",
    # the ledger (extra: ledger)
    "Ledger": "beian_audit.ledger",
    "LedgerMonth": "beian_audit.ledger",
    "MonthStatus": "beian_audit.ledger",
    "ImportResult": "beian_audit.ledger",
    "LedgerError": "beian_audit.errors",
    "LedgerNotFoundError": "beian_audit.errors",
    "LedgerUpgradeRequiredError": "beian_audit.errors",
    "LedgerVersionError": "beian_audit.errors",
    "PeriodStateError": "beian_audit.errors",
    "OutcomeImportError": "beian_audit.errors",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'beian_audit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from beian_audit.checks.address import check_address
    from beian_audit.checks.email import check_email
    from beian_audit.checks.filings import CheckReport, check_filings
    from beian_audit.checks.icp import check_icp_number
    from beian_audit.checks.identity import check_credit_code, check_org_code, check_resident_id
    from beian_audit.checks.network import IpRangeIndex, check_domain
    from beian_audit.checks.phone import check_phone
    from beian_audit.errors import (
        ArgumentError,
        ArgumentTypeError,
        BeianAuditError,
        BeianAuditWarning,
        DataQualityWarning,
        DegenerateIntervalWarning,
        EstimationError,
        GoalNotReachableWarning,
        IncompleteSampleWarning,
        InputFileError,
        InputFileNotFoundError,
        LedgerError,
        LedgerNotFoundError,
        LedgerUpgradeRequiredError,
        LedgerVersionError,
        MethodWeaknessWarning,
        MissingDependencyError,
        OutcomeImportError,
        PeriodStateError,
        SampleDesignError,
        SchemaError,
        SkippedCheckWarning,
        SmallStratumWarning,
        WorksheetError,
    )
    from beian_audit.estimation import (  # type: ignore[no-redef]
        ConfidenceInterval,
        CorrectedAccuracy,
        FilingRate,
        ProportionEstimate,
        TargetAssessment,
        VerifierAgreement,
        assess_target,
        corrected_accuracy,
        design_proportion_ci,
        double_verification_subsample,
        estimate_proportion,
        filing_rate,
        monthly_panel,
        proportion_ci,
        provider_estimates,
        verifier_agreement,
    )
    from beian_audit.io import read_filings, write_filings
    from beian_audit.ledger import ImportResult, Ledger, LedgerMonth, MonthStatus
    from beian_audit.privacy import mask_frame
    from beian_audit.reporting import (  # type: ignore[no-redef]
        StatisticsTable,
        match_blacklist,
        national_roll_up,
        plot_forest,
        plot_funnel,
        plot_progress,
        rank_providers,
        statistics_table,
        top_unfiled_providers,
    )
    from beian_audit.sampling import (
        Sample,
        SamplePlan,
        SettlementCost,
        cost_optimal_allocation,
        draw_sample,
        expected_settlement_cost,
        plan_sample,
        read_worksheet,
        sample_size_margin,
        sample_size_power,
        sample_size_target,
        verify_sample,
        write_worksheet,
    )
    from beian_audit.schema import FILING_SCHEMA
    from beian_audit.spotcheck import SpotCheckResult, run_spot_check, write_spot_check
    from beian_audit.synthetic import (
        generate_registry,
        generate_world,
        load_accessed_sites,
        load_providers,
        load_synthetic_registry,
    )
