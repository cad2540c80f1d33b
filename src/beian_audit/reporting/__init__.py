"""Reporting: the monthly statistics table, provider rankings, blacklists, plots, exports.

* :func:`statistics_table` → :class:`StatisticsTable` (the 18-row
  网站备案管理工作情况统计表; XLSX laid out like the form, CSV, versioned JSON)
  and :func:`national_roll_up`;
* :func:`top_unfiled_providers`, :func:`rank_providers` (rank intervals),
  :func:`match_accessed_sites`;
* :func:`match_blacklist` → :class:`BlacklistMatch`;
* :func:`plot_forest`, :func:`plot_funnel` (with :func:`funnel_limits`),
  :func:`plot_progress` (matplotlib, imported when called);
* :func:`write_html_report`: the month on one self-contained HTML page.

Personal data is masked in every rendering and export unless ``reveal=True``.
Row definitions, the JSON schema and the methods are in ``docs/reporting.md``.

Examples
--------
>>> from beian_audit.reporting import statistics_table
>>> statistics_table(province="浙江", month=5, counts={"filed_websites": 3},
...                  province_by="none").value(1)
3
"""

from __future__ import annotations

from beian_audit.reporting.blacklist import (
    BLACKLIST_KINDS,
    BlacklistMatch,
    match_blacklist,
)
from beian_audit.reporting.exports import (
    form_cells,
    statistics_table_json_schema,
    write_statistics_table_xlsx,
)
from beian_audit.reporting.html_report import (
    render_html_report,
    unfiled_rank_intervals,
    verification_by_stratum,
    write_html_report,
)
from beian_audit.reporting.plots import (
    CJK_FONT_FAMILIES,
    find_cjk_font,
    funnel_limits,
    plot_forest,
    plot_funnel,
    plot_progress,
    progress_panel,
)
from beian_audit.reporting.rankings import (
    ProviderRanking,
    UnfiledRanking,
    match_accessed_sites,
    rank_providers,
    top_unfiled_providers,
)
from beian_audit.reporting.statistics_table import (
    ENFORCEMENT_ACTIONS,
    NATIONAL_LABEL,
    REVIEW_KINDS,
    ROWS,
    SUBTITLE_TEMPLATE,
    TITLE_ZH,
    RollUpWarning,
    RowDefinition,
    StatisticsTable,
    national_roll_up,
    row_definitions,
    statistics_table,
)

__all__ = [
    "BLACKLIST_KINDS",
    "CJK_FONT_FAMILIES",
    "ENFORCEMENT_ACTIONS",
    "NATIONAL_LABEL",
    "REVIEW_KINDS",
    "ROWS",
    "SUBTITLE_TEMPLATE",
    "TITLE_ZH",
    "BlacklistMatch",
    "ProviderRanking",
    "RollUpWarning",
    "RowDefinition",
    "StatisticsTable",
    "UnfiledRanking",
    "find_cjk_font",
    "form_cells",
    "funnel_limits",
    "match_accessed_sites",
    "match_blacklist",
    "national_roll_up",
    "plot_forest",
    "plot_funnel",
    "plot_progress",
    "progress_panel",
    "rank_providers",
    "render_html_report",
    "row_definitions",
    "statistics_table",
    "statistics_table_json_schema",
    "top_unfiled_providers",
    "unfiled_rank_intervals",
    "verification_by_stratum",
    "write_html_report",
    "write_statistics_table_xlsx",
]
