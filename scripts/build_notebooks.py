"""Regenerate the auditor notebooks in notebooks/ (without outputs): python scripts/build_notebooks.py"""
from pathlib import Path

import nbformat as nbf


def nb(cells):
    book = nbf.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.cells = [nbf.v4.new_markdown_cell(c[1]) if c[0] == "md" else nbf.v4.new_code_cell(c[1]) for c in cells]
    return book

one = [
("md", """# 1. A complete monthly spot check

This notebook runs the support centre's monthly job on the bundled synthetic registry
(35 000 filings at 1:100 national scale): read → check → plan → draw → verify → estimate
→ assess against the 2013 targets (filing rate 99.5 %, sponsor-information accuracy 75 %).

The verification outcomes come from the synthetic ground truth: what a careful human
verifier would find. In real use they come from the auditors' filled worksheets
(`ba.read_worksheet`)."""),
("code", """import beian_audit as ba

registry = ba.read_filings(ba.load_synthetic_registry())   # or a CSV / XLSX / Parquet path
providers = ba.load_providers()
registry.shape"""),
("md", """## Automatic checks of every filing

`check_filings` validates phones, emails, ID and credit-code numbers, addresses, ICP
numbers and domains, then the cross-field rules and the access information. Personal
values are masked in every output."""),
("code", """checks = ba.check_filings(registry, providers=providers)
checks"""),
("code", """checks.failures.head(8)"""),
("code", """checks.summary(by="provider_id").sort_values("sponsor_info_ok").head()"""),
("md", """## Plan and draw the sample

The provincial rule (1 → 1, 2–49 → 2, 50–100 → 3, > 100 → 3 %) per access provider.
The draw uses permanent random numbers: the same seed re-creates the same sample on any
machine, whatever the row order."""),
("code", """plan = ba.plan_sample(registry, strata="provider_id", allocation="tianjin")
plan"""),
("code", """sample = ba.draw_sample(registry, plan, seed=2013)
assert ba.verify_sample(registry, sample.manifest, sample.frame)
sample"""),
("md", """## Verification outcomes and design-based estimates

Here the outcomes come from the synthetic truth; `sample.to_worksheet("worksheet.xlsx")`
writes the auditors' workbook and `ba.read_worksheet` reads it back."""),
("code", """data = sample.frame.assign(
    sponsor_ok=sample.frame["truth_sponsor_ok"],
    access_ok=sample.frame["truth_access_ok"],
)
sponsor = ba.estimate_proportion(data, "sponsor_ok", by="provider_id")
access = ba.estimate_proportion(data, "access_ok")
sponsor.estimate, sponsor.ci, access.estimate, access.ci"""),
("code", """ba.assess_target(sponsor, 0.75)"""),
("code", """from beian_audit.estimation.filing_rate import filing_rate

rate = filing_rate(ba.load_accessed_sites().drop(columns="truth_filed"), registry)
rate"""),
("md", """The whole chain is also one call, and one command (`beian-audit demo`):"""),
("code", """result = ba.run_spot_check(registry, providers=providers,
                          accessed_sites=ba.load_accessed_sites().drop(columns="truth_filed"))
print(result.summary_text())"""),
]

two = [
("md", """# 2. Planning sample sizes, and what they can prove

How many filings must be checked to *show* that a rate meets its target? The answer
depends on the target, the confidence level, how many failures we are prepared to see,
and the design effect of the allocation."""),
("code", """import beian_audit as ba
from beian_audit.sampling import max_failures, sample_size_target, sample_size_power, target_power"""),
("md", """Showing 99.5 % at 95 % confidence with no failure at all needs
⌈ln 0.05 / ln 0.995⌉ = 598 filings under simple random sampling:"""),
("code", """sample_size_target(0.995, confidence_level=0.95, failures=0)"""),
("code", """[sample_size_target(0.995, confidence_level=0.95, failures=k) for k in range(4)]"""),
("md", """Power: if the true rate is 99.9 %, how large must the sample be to show 99.5 % with
probability 0.8? Power is not monotone in n (the allowed number of failures jumps), so
the library reports both the first n that reaches the power and the n from which every
larger n does."""),
("code", """sample_size_power(0.995, 0.999, power=0.8), sample_size_power(0.995, 0.999, power=0.8, stable=True)"""),
("code", """import matplotlib.pyplot as plt
ns = range(300, 2001, 10)
plt.plot(list(ns), [target_power(n, 0.995, 0.999) for n in ns])
plt.xlabel("sample size n"); plt.ylabel("power to show 99.5 %"); plt.axhline(0.8, ls="--", c="grey");"""),
("md", """For the 75 % sponsor-accuracy target a margin-based size is the usual question:"""),
("code", """ba.sample_size_margin(0.03, expected=0.75, confidence_level=0.95)"""),
("md", """## Allocation across access providers

The provincial rule gives a few filings per small provider and 3 % of the big ones; a
proportional allocation has no design effect from unequal weights. The plan reports its
Kish design effect and the expected margin, and warns when a goal is out of reach."""),
("code", """registry = ba.load_synthetic_registry()
# anticipated accuracy per provider, e.g. last month's estimates (here: the synthetic truth)
anticipated = registry.groupby("provider_id")["truth_sponsor_ok"].mean()
for allocation in ["tianjin", "proportional", "neyman", "equal"]:
    kwargs = {} if allocation == "tianjin" else {"n": 1000}
    if allocation == "neyman":
        kwargs["anticipated"] = anticipated
    print(ba.plan_sample(registry, allocation=allocation, **kwargs))"""),
("code", """import warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    ba.plan_sample(registry, n=200, target=0.995)
[str(w.message)[:120] for w in caught]"""),
]

three = [
("md", """# 3. The monthly report and provider rankings

Each provincial administration files the 18-row 网站备案管理工作情况统计表 every month; the
ministry ranks access providers. Rates come from the design-based estimates, never from
averaging percentages."""),
("code", """import beian_audit as ba
from beian_audit.reporting import (plot_forest, plot_funnel, rank_providers,
                                   statistics_table, top_unfiled_providers)

registry = ba.load_synthetic_registry()
providers = ba.load_providers()
accessed = ba.load_accessed_sites().drop(columns="truth_filed")
result = ba.run_spot_check(registry, providers=providers, accessed_sites=accessed)"""),
("code", """from beian_audit.spotcheck import province_table

table = province_table(result, province="湖南省", providers=providers, accessed_sites=accessed)
table.to_frame()"""),
("code", """table.to_excel("statistics_table.xlsx")
table.to_dict()["schema_version"]"""),
("md", """## Top ten providers by unfiled websites accessed"""),
("code", """top_unfiled_providers(accessed, registry, n=10).to_frame()"""),
("md", """## Ranking by estimated accuracy, with rank intervals

Providers whose intervals overlap are not falsely ordered: the rank interval says which
ranks are consistent with the data."""),
("code", """ranking = rank_providers(result.outcomes, "sponsor_ok", rng=2013)
ranking.to_frame().head(10)"""),
("code", """import matplotlib.pyplot as plt
fig, axes = plt.subplots(1, 2, figsize=(12, 6))
plot_forest(result.estimates["sponsor_accuracy"], target=0.75, ax=axes[0])
counts = (result.outcomes.groupby("provider_id")["sponsor_ok"]
          .agg(successes="sum", n="count").reset_index())
plot_funnel(counts, target=0.75, ax=axes[1]);"""),
]

out = Path("notebooks")
nbf.write(nb(one), out / "01_monthly_spot_check.ipynb")
nbf.write(nb(two), out / "02_planning_sample_sizes.ipynb")
nbf.write(nb(three), out / "03_monthly_report_and_rankings.ipynb")
