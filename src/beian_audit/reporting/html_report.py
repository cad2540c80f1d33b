"""The monthly report as one self-contained HTML page (issue #16).

:func:`write_html_report` writes, from a ledger month
(``ledger.month("2013-05", "江苏")``, read through
:meth:`Ledger.report_data <beian_audit.ledger.Ledger.report_data>`),
from a spot check (:class:`~beian_audit.spotcheck.SpotCheckResult`) or from
any month object with the same few attributes, a single HTML file that opens
offline by double-click: all CSS inline, every figure inline SVG with its
glyphs drawn as paths (no font needed at view time, no tofu), a small inline
script that makes the tables sortable, no request to the network (a
Content-Security-Policy forbids any). Chinese by default (``lang="zh-CN"``),
English with ``language="en"``. :func:`render_html_report` returns the text.

Sections, in order:

1. headline verdicts: filing rate, sponsor-information and access-information
   accuracy with their interval, the target (99.5 % / 75 %), met / not met /
   not yet provable and, for an undecided one, the additional sample needed;
2. the 18-row statistics table laid out as the ministry's form;
3. the provider forest plots, sorted, with the target line (and the data
   behind them as a sortable table);
4. the top ten providers by unfiled websites accessed (a census count; for a
   sampled accessed-site list, estimated counts with simulated rank
   intervals, see :func:`unfiled_rank_intervals`);
5. the trend over the months of a panel with the linear projection to the
   year-end target (a note when there is no panel, e.g. the first month);
6. verification progress and nonresponse per stratum;
7. the methodology footnote: design, seed, manifest fingerprints, software
   version.

Every text cell is masked (:func:`~beian_audit.privacy.scrub_text`, frames
through :func:`~beian_audit.privacy.mask_frame`) and HTML-escaped.

Examples
--------
>>> import beian_audit as ba, tempfile, pathlib
>>> result = ba.run_spot_check(ba.load_synthetic_registry(), seed=2013)  # doctest: +SKIP
>>> path = write_html_report(result, pathlib.Path(tempfile.mkdtemp()) / "report.html")
... # doctest: +SKIP
"""

from __future__ import annotations

import html
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from beian_audit._options import check_choice
from beian_audit.errors import ArgumentError
from beian_audit.privacy import mask_frame, scrub_text
from beian_audit.reporting.html_text import TEXT

__all__ = [
    "LANGUAGES",
    "Language",
    "render_html_report",
    "unfiled_rank_intervals",
    "verification_by_stratum",
    "write_html_report",
]

Language = Literal["zh", "en"]
LANGUAGES: tuple[str, ...] = get_args(Language)

_MEASURES = ("filing_rate", "sponsor_accuracy", "access_accuracy")
_OUTCOME_OF = {"sponsor_accuracy": "sponsor_ok", "access_accuracy": "access_ok"}
_ASPECT_OF = {"sponsor_accuracy": "sponsor", "access_accuracy": "access"}

# --------------------------------------------------------------------------- texts
_TEXT = TEXT  # the page's texts, one mapping per language (reporting/html_text.py)

_CSS = """
:root{--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--met:#1a7f37;--notmet:#cf222e;
--open:#9a6700;--bg:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC",
"Microsoft YaHei","Hiragino Sans GB",system-ui,-apple-system,"Segoe UI",sans-serif;
color:var(--ink);line-height:1.5;background:#fff}
main{max-width:1100px;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;margin-top:2.2rem;
border-bottom:2px solid var(--line);padding-bottom:.3rem}
.sub{color:var(--muted);margin:0 0 1rem}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:1rem}
.card{border:1px solid var(--line);border-radius:8px;padding:1rem;background:var(--bg)}
.card h3{margin:0 0 .4rem;font-size:1.05rem}
.value{font-size:2rem;font-weight:700}
.badge{display:inline-block;padding:.1rem .6rem;border-radius:1rem;color:#fff;
font-weight:700}
.badge.met{background:var(--met)}.badge.not_met{background:var(--notmet)}
.badge.inconclusive{background:var(--open)}.badge.no_target{background:var(--muted)}
.small{color:var(--muted);font-size:.9rem}
table{border-collapse:collapse;width:100%;margin:.6rem 0;font-size:.92rem}
caption{text-align:left;font-weight:700;padding:.3rem 0}
th,td{border:1px solid var(--line);padding:.3rem .5rem;vertical-align:top}
thead th{background:var(--bg)}
td.num{text-align:right;font-variant-numeric:tabular-nums}
table.form caption{text-align:center;font-size:1.1rem}
table.form .subtitle{display:block;font-weight:400;font-size:.95rem}
table.form th[scope=rowgroup]{background:#fff;text-align:left;font-weight:600}
table.form th[scope=row]{text-align:left;font-weight:400}
tr.missing td.num{color:var(--muted)}
th button{background:none;border:0;padding:0;margin:0;font:inherit;color:inherit;
text-align:inherit;cursor:pointer;width:100%}
th button::after{content:" \\2195";color:var(--muted)}
th[aria-sort=ascending] button::after{content:" \\2191"}
th[aria-sort=descending] button::after{content:" \\2193"}
figure{margin:1rem 0}figure svg{max-width:100%;height:auto}
figcaption{color:var(--muted);font-size:.9rem}
.note{border-left:4px solid var(--open);padding:.4rem .8rem;background:#fff8c5}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dt{font-weight:600}dd{margin:0;word-break:break-all}
footer{margin-top:2rem;color:var(--muted);font-size:.85rem}
@media print{th button::after{content:""}}
"""

_SCRIPT = """
(function(){
  function key(cell){
    var v = cell.getAttribute('data-sort');
    if (v === null) { v = cell.textContent.trim(); }
    var x = parseFloat(v.replace(/[%,\\s]/g, ''));
    return isNaN(x) ? {t: 1, v: v} : {t: 0, v: x};
  }
  function sortBy(table, col, th){
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    rows.sort(function(a, b){
      var ka = key(a.cells[col]), kb = key(b.cells[col]);
      var c = ka.t !== kb.t ? ka.t - kb.t :
        (ka.t === 0 ? ka.v - kb.v : ka.v.localeCompare(kb.v, 'zh-CN'));
      return asc ? c : -c;
    });
    rows.forEach(function(r){ body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function(h){
      h.removeAttribute('aria-sort');
    });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function(table){
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function(th, col){
      var b = document.createElement('button');
      b.type = 'button';
      while (th.firstChild) { b.appendChild(th.firstChild); }
      th.appendChild(b);
      b.addEventListener('click', function(){ sortBy(table, col, th); });
    });
  });
})();
"""

_CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        "img-src data:; font-src data:")  # fmt: skip


# --------------------------------------------------------------------------- helpers
def _e(value: object) -> str:
    """Masked and escaped text of one cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return html.escape(scrub_text(str(value)), quote=True)


def _pct(value: object, digits: int = 2) -> str:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(x):
        return ""
    return f"{x * 100:.{digits}f}%"


def _level(level: object) -> str:
    try:
        return f"{float(level) * 100:g}%"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""


def _num(value: object) -> str:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(x):
        return ""
    return f"{round(x):,}" if abs(x - round(x)) < 1e-9 else f"{x:,.1f}"


def _table(
    frame: pd.DataFrame,
    *,
    caption: str,
    columns: Sequence[tuple[str, str, str]],
    row_header: str | None = None,
    sortable: bool = True,
    table_id: str = "",
) -> str:
    """An HTML table; ``columns`` = (column, header, kind) with kind text / num / pct."""
    frame = mask_frame(frame, columns={})
    attrs = ' class="sortable"' if sortable else ""
    if table_id:
        attrs += f' id="{table_id}"'
    out = [f"<table{attrs}><caption>{_e(caption)}</caption><thead><tr>"]
    out += [f'<th scope="col">{_e(header)}</th>' for _, header, _ in columns]
    out.append("</tr></thead><tbody>")
    for _, row in frame.iterrows():
        out.append("<tr>")
        for column, _, kind in columns:
            value = row.get(column)
            missing = value is None or (not isinstance(value, str) and bool(pd.isna(value)))
            if kind == "text":
                cell = _e(value)
                sort = ""
            else:
                cell = "" if missing else (_pct(value) if kind == "pct" else _num(value))
                sort = "" if missing else f' data-sort="{float(str(value)):.12g}"'
            css = "" if kind == "text" else ' class="num"'
            tag = "th" if column == row_header else "td"
            scope = ' scope="row"' if tag == "th" else ""
            out.append(f"<{tag}{scope}{css}{sort}>{cell}</{tag}>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _note(text: str) -> str:
    return f'<p class="note">{_e(text)}</p>'


def _measure_estimate(month: Any, name: str) -> Any:
    if name == "filing_rate":
        rate = getattr(month, "filing_rate", None)
        return getattr(rate, "estimate_result", rate)
    return (getattr(month, "estimates", None) or {}).get(name)


# --------------------------------------------------------------------------- section 1
def _advice_text(advice: str, t: Mapping[str, str]) -> str:
    """The ledger's stopping advice in the report's language."""
    fixed = {"stop: met": "advice_stop_met", "stop: not met": "advice_stop_not_met",
             "stop: inconclusive": "advice_stop_inconclusive"}  # fmt: skip
    if advice in fixed:
        return t[fixed[advice]]
    found = re.match(r"continue \(about (\d+) more", advice)
    if found:
        return t["advice_continue"].format(n=f"{int(found.group(1)):,}")
    return advice


def _ledger_notes(month: Any, name: str, t: Mapping[str, str]) -> list[str]:
    """Pending filings, nonresponse and stopping advice of a ledger month's measure."""
    status = getattr(month, "month_status", None)
    aspect = _ASPECT_OF.get(name)
    progress = getattr(status, "progress", None)
    if aspect is None or not isinstance(progress, pd.DataFrame):
        return []
    part = progress[progress["aspect"] == aspect]
    drawn, pending = int(part["n"].sum()), int(part["pending"].sum())
    verified = int(part["verified"].sum())
    nonresponse = int(part["unreachable"].sum() + part["refused"].sum())
    notes = []
    if pending:
        notes.append(t["pending_note"].format(pending=f"{pending:,}", drawn=f"{drawn:,}"))
    if nonresponse:
        rule = str(getattr(status, "nonresponse", "mar"))
        notes.append(t["nonresponse_line"].format(
            k=f"{nonresponse:,}", rate=_pct(verified / (verified + nonresponse), 1),
            rule=t.get(f"nr_{rule}", rule)))  # fmt: skip
        assessment = (getattr(status, "assessments", None) or {}).get(aspect)
        robustness = getattr(assessment, "nonresponse_robustness", "")
        if robustness in ("robust", "mar_only", "flips"):
            notes.append(t[robustness])
    advice = str((getattr(status, "advice", None) or {}).get(aspect, ""))
    decisions = getattr(status, "decisions", None)
    if pending and advice and isinstance(decisions, pd.DataFrame):
        row = decisions[decisions["aspect"] == aspect].iloc[0]
        notes.append(t["advice"].format(look=int(row["look"]), looks=int(row["looks"]),
                                        advice=_advice_text(advice, t)))  # fmt: skip
    return notes


def _verdicts(month: Any, t: Mapping[str, str]) -> str:
    assessments = getattr(month, "assessments", None) or {}
    progress = getattr(month, "progress", None) or {}
    verdicts = getattr(month, "verdicts", None) or {}
    cards = []
    rows = []
    for name in _MEASURES:
        est = _measure_estimate(month, name)
        assessment = assessments.get(name)
        if est is None and assessment is None:
            continue
        status = ("no_target" if assessment is None
                  else str(verdicts.get(name, assessment.status)))  # fmt: skip
        value = getattr(est, "estimate", getattr(assessment, "estimate", math.nan))
        ci = getattr(est, "ci", None)
        low, high = getattr(ci, "low", math.nan), getattr(ci, "high", math.nan)
        level = getattr(est, "confidence_level", getattr(assessment, "confidence_level", 0.95))
        census = bool(getattr(ci, "note", "") == "census") or (
            name == "filing_rate" and getattr(getattr(month, "filing_rate", None), "mode", "")
            == "census")  # fmt: skip
        target = None if assessment is None else float(assessment.target)
        details = []
        if census:
            details.append(t["census"])
        else:
            details.append(f"{t['interval'].format(level=_level(level))} "
                           f"[{_pct(low)}, {_pct(high)}]")  # fmt: skip
        n = getattr(est, "n", None)
        if n is not None:
            details.append(t["n_sites" if census else "n_obs"].format(n=_num(n)))
        if assessment is not None and not census:
            details.append(t["decided_by"].format(
                level=_level(assessment.confidence_level), low=_pct(assessment.lower_bound),
                high=_pct(assessment.upper_bound)))  # fmt: skip
        extra = ""
        if status == "inconclusive" and assessment is not None:
            need = float(assessment.additional_n_needed)
            if math.isinf(need):
                extra = t["additional_inf"]
            elif math.isfinite(need) and need > 0:
                extra = t["additional"].format(n=f"{math.ceil(need):,}")
        state = progress.get(_OUTCOME_OF.get(name, ""))
        partial = ""
        if state is not None and not bool(state.complete):
            partial = t["partial"].format(done=state.n_verified, drawn=state.n_drawn)
        notes = _ledger_notes(month, name, t)
        label = t[status]
        target_text = "" if target is None else f"{t['target']} {_pct(target, 1)}"
        cards.append(
            f'<article class="card" aria-labelledby="card-{name}">'
            f'<h3 id="card-{name}">{_e(t[name])}</h3>'
            f'<div class="value">{_e(_pct(value))}</div>'
            f'<p><span class="badge {status}">{_e(label)}</span> {_e(target_text)}</p>'
            f'<p class="small">{_e("; ".join(details))}</p>'
            + (f'<p class="verdict-extra">{_e(extra)}</p>' if extra else "")
            + (f'<p class="note">{_e(partial)}</p>' if partial else "")
            + "".join(f'<p class="small ledger-note">{_e(n)}</p>' for n in notes)
            + "</article>"
        )
        remark = " ".join(x for x in (extra or partial, *notes) if x)
        rows.append({"measure": t[name], "estimate": value,
                     "ci": t["census"] if census else f"{_pct(low)} – {_pct(high)}",
                     "target": target, "status": label, "extra": remark})  # fmt: skip
    no_counts = getattr(month, "accessed_sites_recorded", True) is False
    if not cards:
        return _note(t["no_counts"]) if no_counts else _note(t["none"])
    table = _table(
        pd.DataFrame(rows),
        caption=t["verdict_caption"],
        columns=[("measure", t["measure"], "text"), ("estimate", t["estimate"], "pct"),
                 ("ci", t["interval_h"], "text"),
                 ("target", t["target"], "pct"), ("status", t["status"], "text"),
                 ("extra", t["remark"], "text")],
        row_header="measure",
        sortable=False,
        table_id="verdict-table",
    )
    counts_note = _note(t["no_counts"]) if no_counts else ""
    return f'<div class="cards">{"".join(cards)}</div>{counts_note}{table}'


# --------------------------------------------------------------------------- section 2
def _remark_en(row: pd.Series) -> str:
    if bool(row["missing"]):
        return f"missing input: {row['missing_input']}"
    if row["unit"] == "percent" and not pd.isna(row["ci_low"]):
        n = "" if pd.isna(row["n"]) else f", n={int(row['n'])}"
        return (f"{float(row['confidence_level']) * 100:g}% interval "
                f"{float(row['ci_low']):.2f}%–{float(row['ci_high']):.2f}% "
                f"({row['method']}{n})")  # fmt: skip
    return ""


def _statistics_table(table: Any, t: Mapping[str, str], language: str) -> str:
    if table is None:
        return _note(t["no_table"])
    from beian_audit.reporting.exports import form_cells

    rows = table.rows
    cells = form_cells(table)
    headers = t["form_headers"].split("|")
    task_col = "task_zh" if language == "zh" else "task_en"
    item_col = "item_zh" if language == "zh" else "item_en"
    spans = rows.groupby(rows[task_col].ne(rows[task_col].shift()).cumsum())[task_col].transform(
        "size")
    first = rows[task_col].ne(rows[task_col].shift())
    title = table.title if language == "zh" else "Monthly statistics of website filing work"
    out = ['<table class="form" id="statistics-table">',
           f'<caption>{_e(title)}<span class="subtitle">{_e(table.subtitle)}</span></caption>',
           "<thead><tr>"]  # fmt: skip
    out += [f'<th scope="col">{_e(h)}</th>' for h in headers]
    out.append("</tr></thead><tbody>")
    for i in range(len(rows)):
        row = rows.iloc[i]
        css = ' class="missing"' if bool(row["missing"]) else ""
        out.append(f'<tr data-row="{int(row["no"])}"{css}>')
        out.append(f'<td class="num">{int(row["no"])}</td>')
        if bool(first.iloc[i]):
            out.append(f'<th scope="rowgroup" rowspan="{int(spans.iloc[i])}">'
                       f"{_e(row[task_col])}</th>")  # fmt: skip
        out.append(f'<th scope="row">{_e(row[item_col])}</th>')
        out.append(f'<td class="num">{_e(cells["数量"].iloc[i])}</td>')
        remark = cells["备注"].iloc[i] if language == "zh" else _remark_en(row)
        out.append(f"<td>{_e(remark)}</td></tr>")
    out.append("</tbody></table>")
    notes = getattr(table, "notes", ())
    if notes:
        out.append(f"<p class=\"small\">{_e(t['table_notes'])}: "
                   f"{'; '.join(_e(n) for n in notes)}</p>")  # fmt: skip
    return "".join(out)


# --------------------------------------------------------------------------- figures
def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _font_context(language: str) -> dict[str, Any]:
    """rcParams for the figures: a CJK font first for Chinese (else English labels)."""
    from beian_audit.reporting.svg import cjk_font

    font = cjk_font() if language == "zh" else None
    if font is None:
        return {}
    return {"font.sans-serif": [font, "DejaVu Sans"], "font.family": "sans-serif",
            "axes.unicode_minus": False}  # fmt: skip


def _figure_language(language: str) -> str:
    from beian_audit.reporting.svg import cjk_font

    if language == "zh" and cjk_font() is None:
        warnings.warn(
            "no font covering Chinese is installed (install fonts-noto-cjk, see "
            "scripts/install_system_deps.sh): the figures of the report are labelled in English",
            UserWarning,
            stacklevel=4,
        )
        return "en"
    return language


def _relabel_legend(ax: Any, t: Mapping[str, str], target: float | None) -> None:
    handles, labels = ax.get_legend_handles_labels()
    names = {"estimate and interval": t["est_and_ci"], "overall": t["overall"],
             "projection": t["proj_label"]}  # fmt: skip
    if target is not None:
        names[f"target {target:.1%}"] = t["target_line"].format(target=f"{target:.1%}")
    ax.legend(handles, [names.get(label, label) for label in labels], loc="lower right",
              fontsize="small")  # fmt: skip


def _forest_section(month: Any, t: Mapping[str, str], language: str, figure_t: Mapping[str, str],
                    fig_language: str) -> str:  # fmt: skip
    from beian_audit.reporting.plots import plot_forest
    from beian_audit.reporting.svg import figure_svg

    plt = _plt()
    assessments = getattr(month, "assessments", None) or {}
    targets = getattr(month, "targets", None) or {}
    names = _provider_names(month)
    parts = []
    for name in ("sponsor_accuracy", "access_accuracy"):
        est = _measure_estimate(month, name)
        by = getattr(est, "by", None)
        if by is None or "provider_id" not in by.columns:
            continue
        frame = by[["provider_id", "n", "estimate", "ci_low", "ci_high"]].copy()
        frame["provider_id"] = [scrub_text(str(v)) for v in frame["provider_id"]]
        frame = frame[frame["estimate"].notna()]
        target = targets.get(name)
        assessment = assessments.get(name)
        aby = getattr(assessment, "by", None)
        if aby is not None and "provider_id" in aby.columns:
            status = aby.set_index(aby["provider_id"].astype(str))["status"]
            frame["status"] = frame["provider_id"].map(status).map(lambda s: t.get(str(s), ""))
        else:
            frame["status"] = ""
        frame["provider_name"] = frame["provider_id"].map(names) if names is not None else ""
        with plt.rc_context(_font_context(fig_language)):
            fig, ax = plt.subplots(figsize=(7.5, max(3.5, 0.24 * len(frame) + 1.4)))
            plot_forest(frame, target=target, label="provider_id", ax=ax)
            overall = float(getattr(est, "estimate", math.nan))
            if math.isfinite(overall):
                ax.axvline(overall, color="0.4", linestyle=":", label="overall")
            ax.set_xlabel(figure_t["accuracy"])
            ax.set_ylabel(figure_t["provider"])
            _relabel_legend(ax, figure_t, target)
            ax.set_title(figure_t["forest_title"].format(measure=figure_t[name],
                                                         month=month.month))  # fmt: skip
            fig.tight_layout()
            title = t["forest_title"].format(measure=t[name], month=month.month)
            if target is not None:
                below = int((frame["ci_high"] < target).sum())
                desc = t["forest_desc"].format(k=len(frame), below=below,
                                               target=_pct(target, 1))  # fmt: skip
            else:
                desc = t["forest_desc_nt"].format(k=len(frame))
            svg = figure_svg(fig, title=title, description=desc, prefix=f"forest-{name}")
            plt.close(fig)
        columns = [("provider_id", t["provider"], "text")]
        if names is not None:
            columns.append(("provider_name", t["provider_name"], "text"))
        columns += [("n", t["n"], "num"), ("estimate", t["estimate"], "pct"),
                    ("ci_low", t["ci_low"], "pct"), ("ci_high", t["ci_high"], "pct"),
                    ("status", t["status"], "text")]  # fmt: skip
        data = _table(frame.sort_values("estimate"), columns=columns, row_header="provider_id",
                      caption=t["forest_caption"].format(measure=t[name]))  # fmt: skip
        parts.append(
            f'<figure id="figure-{name}">{svg}<figcaption>{_e(desc)}</figcaption></figure>'
            f"<details><summary>{_e(t['forest_data'])}: {_e(t[name])}</summary>{data}</details>"
        )
    return "".join(parts) or _note(t["no_forest"])


def _provider_names(month: Any) -> pd.Series | None:
    filings = getattr(month, "filings", None)
    if isinstance(filings, pd.DataFrame) and {"provider_id", "provider_name"} <= set(
        filings.columns
    ):
        pairs = filings[["provider_id", "provider_name"]].drop_duplicates("provider_id")
        return pd.Series(pairs["provider_name"].astype(str).to_numpy(),
                         index=pairs["provider_id"].astype(str).to_numpy())  # fmt: skip
    return None


# --------------------------------------------------------------------------- section 4
def unfiled_rank_intervals(
    estimates: pd.DataFrame,
    *,
    confidence_level: float = 0.95,
    n_sim: int = 4000,
    rng: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Rank providers by an *estimated* number of unfiled websites, with rank intervals.

    Parameters
    ----------
    estimates : DataFrame
        One row per provider: ``provider_id``, ``unfiled`` (estimated count)
        and ``se`` (its standard error).
    confidence_level : float, default 0.95
        Level of the equal-tailed rank intervals.
    n_sim : int, default 4000
        Simulated rankings.
    rng : int or numpy.random.Generator, optional
        Seed or generator.

    Returns
    -------
    DataFrame
        The input sorted by ``unfiled`` (largest first) with ``rank``
        (competition ranking of the estimates), ``rank_low``, ``rank_high``.

    Notes
    -----
    As :func:`~beian_audit.reporting.rank_providers` with ``method="normal"``
    (Goldstein & Spiegelhalter 1996, sect. 5), for counts: each draw is
    :math:`\\hat t_k + se_k Z_k` clipped at 0, the draws are ranked (largest
    first, ties share the smallest rank), and each provider's interval holds
    the central ``confidence_level`` of its simulated ranks.

    Examples
    --------
    >>> frame = pd.DataFrame({"provider_id": ["A", "B", "C"], "unfiled": [500.0, 80.0, 75.0],
    ...                       "se": [20.0, 10.0, 10.0]})
    >>> unfiled_rank_intervals(frame, rng=1)[["provider_id", "rank", "rank_low", "rank_high"]]
      provider_id  rank  rank_low  rank_high
    0           A     1         1          1
    1           B     2         2          3
    2           C     3         2          3
    """
    from scipy.stats import rankdata

    from beian_audit.estimation.intervals import check_level

    level = check_level(confidence_level)
    for column in ("provider_id", "unfiled", "se"):
        if column not in estimates.columns:
            raise ArgumentError(f"estimates must have a column {column!r}")
    if isinstance(n_sim, bool) or not isinstance(n_sim, int) or n_sim < 1:
        raise ArgumentError(f"n_sim ({n_sim!r}) must be a positive integer")
    frame = estimates.sort_values(["unfiled", "provider_id"], ascending=[False, True],
                                  kind="stable").reset_index(drop=True)  # fmt: skip
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    mean = frame["unfiled"].to_numpy(float)
    se = np.nan_to_num(frame["se"].to_numpy(float), nan=0.0)
    draws = np.clip(mean + se * generator.standard_normal((n_sim, len(frame))), 0.0, None)
    ranks = rankdata(-draws, method="min", axis=1)
    tail = (1.0 - level) / 2.0
    frame["rank"] = rankdata(-mean, method="min").astype(np.int64)
    frame["rank_low"] = np.quantile(ranks, tail, axis=0, method="inverted_cdf").astype(np.int64)
    frame["rank_high"] = np.quantile(ranks, 1.0 - tail, axis=0,
                                     method="inverted_cdf").astype(np.int64)  # fmt: skip
    return frame


def _unfiled_section(month: Any, unfiled: Any, t: Mapping[str, str], seed: int | None) -> str:
    names = _provider_names(month)
    rate = getattr(month, "filing_rate", None)
    if unfiled is None and getattr(month, "accessed_sites_recorded", True) is False:
        return _note(t["no_counts"])
    if unfiled is None and rate is not None and getattr(rate, "mode", "") == "sample":
        est = rate.estimate_result
        by = getattr(est, "by", None)
        if by is not None and "provider_id" in by.columns:
            frame = pd.DataFrame({"provider_id": by["provider_id"].astype(str),
                                  "unfiled": by["total_0"].astype(float),
                                  "se": by["se_total_0"].astype(float),
                                  "low": by["total_0_low"].astype(float),
                                  "high": by["total_0_high"].astype(float)})  # fmt: skip
            n_sim = 4000
            ranked = unfiled_rank_intervals(frame, confidence_level=est.confidence_level,
                                            n_sim=n_sim, rng=seed)  # fmt: skip
            ranked = ranked[(ranked["rank"] <= 10) & (ranked["unfiled"] > 0)]
            ranked["rank_interval"] = [f"{a}–{b}" for a, b in
                                       zip(ranked["rank_low"], ranked["rank_high"], strict=True)]
            ranked["unfiled_text"] = [f"{_num(u)} ({_num(lo)}–{_num(hi)})" for u, lo, hi in
                                      zip(ranked["unfiled"], ranked["low"], ranked["high"],
                                          strict=True)]  # fmt: skip
            ranked["provider_name"] = (ranked["provider_id"].map(names) if names is not None
                                       else "")  # fmt: skip
            columns = [("rank", t["rank"], "num"), ("rank_interval", t["rank_interval"], "text"),
                       ("provider_id", t["provider"], "text")]  # fmt: skip
            if names is not None:
                columns.append(("provider_name", t["provider_name"], "text"))
            columns.append(("unfiled_text", t["n_unfiled"], "text"))
            note = t["unfiled_sample"].format(level=_level(est.confidence_level), n_sim=n_sim,
                                              seed=seed)  # fmt: skip
            return (_table(ranked, caption=t["unfiled_caption"], columns=columns,
                           row_header="provider_id", table_id="unfiled-ranking")
                    + f'<p class="small">{_e(note)}</p>')  # fmt: skip
    if unfiled is None and rate is not None:
        from beian_audit.reporting.rankings import top_unfiled_providers

        sites = rate.sites
        if "site_id" not in sites.columns:
            sites = sites.assign(site_id=np.arange(len(sites)).astype(str))
        unfiled = top_unfiled_providers(sites[["site_id", "provider_id"]],
                                        sites["filed"].to_numpy(object), n=10)  # fmt: skip
    if unfiled is None:
        return _note(t["no_unfiled"])
    table = getattr(unfiled, "table", unfiled)
    if not len(table):
        return _note(t["no_unfiled_rows"])
    table = table.copy()
    if "provider_name" not in table.columns and names is not None:
        table["provider_name"] = table["provider_id"].astype(str).map(names)
    columns = [("rank", t["rank"], "num"), ("provider_id", t["provider"], "text")]
    if "provider_name" in table.columns:
        columns.append(("provider_name", t["provider_name"], "text"))
    columns += [("n_unfiled", t["n_unfiled"], "num"), ("n_accessed", t["n_accessed"], "num"),
                ("share_unfiled", t["share_unfiled"], "pct")]  # fmt: skip
    return (_table(table, caption=t["unfiled_caption"], columns=columns, row_header="provider_id",
                   table_id="unfiled-ranking")
            + f'<p class="small">{_e(t["unfiled_census"])}</p>')  # fmt: skip


# --------------------------------------------------------------------------- section 5
def _trend_section(panels: Mapping[str, Any] | None, month: Any, t: Mapping[str, str],
                   figure_t: Mapping[str, str], fig_language: str,
                   projection_month: str) -> str:  # fmt: skip
    if not panels:
        return _note(t["no_panel"])
    from beian_audit.reporting.plots import plot_progress
    from beian_audit.reporting.svg import figure_svg

    plt = _plt()
    targets = getattr(month, "targets", None) or {}
    parts = []
    for name, panel in panels.items():
        if name not in _TEXT["en"]:
            raise ArgumentError(f"panels keys must be measures {list(_MEASURES)}, not {name!r}")
        frame = panel.to_frame()
        total = frame[frame["level"] == "total"].reset_index(drop=True)
        k = int(np.isfinite(total["estimate"].to_numpy(float)).sum())
        target = targets.get(name)
        text = ""
        proj_point = None
        plot = total[["month", "estimate", "ci_low", "ci_high"]].copy()
        plot["projection"] = np.nan
        if target is not None and k >= 3:
            proj = proj_point = panel.projection(float(target), month=projection_month)
            text = t["projection"].format(
                month=projection_month, value=_pct(proj.projected), low=_pct(proj.pred_low),
                high=_pct(proj.pred_high), target=_pct(target, 1),
                prob=f"{proj.probability:.2f}", verdict=t[proj.verdict])  # fmt: skip
            plot.loc[len(plot) - 1, "projection"] = plot["estimate"].iloc[-1]
            plot = pd.concat([plot, pd.DataFrame({"month": [projection_month],
                                                  "projection": [proj.projected]})],
                             ignore_index=True)  # fmt: skip
        elif k < 3:
            text = t["few_months"].format(k=k)
        months = list(panel.months)
        title = t["trend_title"].format(measure=t[name], first=months[0], last=months[-1])
        desc = t["trend_desc"].format(k=k, target=_pct(target, 1) if target else t["none"],
                                      projection=text)  # fmt: skip
        svg = ""
        if k >= 1 and target is not None:
            with plt.rc_context(_font_context(fig_language)):
                fig, ax = plt.subplots(figsize=(7.5, 4.0))
                plot_progress(plot, target=float(target), ax=ax)
                ax.set_xlabel(figure_t["month"])
                ax.set_ylabel(figure_t["rate"])
                ax.set_title(figure_t["trend_title"].format(measure=figure_t[name],
                                                            first=months[0], last=months[-1]))
                if proj_point is not None:
                    when = pd.Period(projection_month, freq="M").to_timestamp()
                    ax.errorbar([when], [proj_point.projected],
                                yerr=[[proj_point.projected - proj_point.pred_low],
                                      [proj_point.pred_high - proj_point.projected]],
                                fmt="none", ecolor="C1", capsize=3)  # fmt: skip
                _relabel_legend(ax, figure_t, float(target))
                fig.tight_layout()
                svg = figure_svg(fig, title=title, description=desc, prefix=f"trend-{name}")
                plt.close(fig)
        table = _table(total.assign(month=total["month"].astype(str)),
                       caption=t["panel_caption"].format(measure=t[name]),
                       columns=[("month", t["month"], "text"), ("n", t["n"], "num"),
                                ("estimate", t["estimate"], "pct"),
                                ("ci_low", t["ci_low"], "pct"),
                                ("ci_high", t["ci_high"], "pct")],
                       row_header="month")  # fmt: skip
        figure = (f'<figure id="trend-{name}">{svg}<figcaption>{_e(desc)}</figcaption></figure>'
                  if svg else "")  # fmt: skip
        parts.append(f"<h3>{_e(t[name])}</h3>{figure}"
                     + (f"<p>{_e(text)}</p>" if text and not svg else "") + table)  # fmt: skip
    return "".join(parts)


# --------------------------------------------------------------------------- section 6
def verification_by_stratum(
    outcomes: pd.DataFrame,
    *,
    sizes: pd.DataFrame | None = None,
    stratum: str = "stratum",
    columns: Sequence[str] = ("sponsor_ok", "access_ok"),
) -> pd.DataFrame:
    """Drawn and verified filings per stratum, and the nonresponse.

    Parameters
    ----------
    outcomes : DataFrame
        One row per drawn filing with the stratum column and the outcome
        columns (missing = not verified yet), e.g. ``SpotCheckResult.outcomes``.
    sizes : DataFrame, optional
        ``stratum``, ``N`` and ``n`` (the plan, ``Sample.plan.sizes``).
    stratum : str, default "stratum"
        The stratum column (``provider_id`` when there is none).
    columns : sequence of str
        Outcome columns counted (those present).

    Returns
    -------
    DataFrame
        ``stratum``, ``N`` / ``n_planned`` (with ``sizes``), ``n_drawn``,
        ``verified_<outcome>`` per outcome, ``nonresponse`` (drawn filings
        with no outcome at all) and ``nonresponse_rate``.

    Examples
    --------
    >>> frame = pd.DataFrame({"stratum": ["A", "A", "B"],
    ...                       "sponsor_ok": pd.array([True, None, False], dtype="boolean")})
    >>> verification_by_stratum(frame, columns=["sponsor_ok"])
      stratum  n_drawn  verified_sponsor_ok  nonresponse  nonresponse_rate
    0       A        2                    1            1               0.5
    1       B        1                    1            0               0.0
    """
    if stratum not in outcomes.columns:
        stratum = "provider_id"
    if stratum not in outcomes.columns:
        raise ArgumentError("outcomes must have a 'stratum' or 'provider_id' column")
    present = [c for c in columns if c in outcomes.columns]
    keys = outcomes[stratum].astype(str)
    data = pd.DataFrame({"stratum": keys.to_numpy()})
    known = np.zeros(len(outcomes), dtype=bool)
    for column in present:
        flags = outcomes[column].notna().to_numpy(bool)
        data[f"verified_{column}"] = flags
        known |= flags
    data["nonresponse"] = ~known if present else np.zeros(len(outcomes), dtype=bool)
    grouped = data.groupby("stratum", sort=True)
    out = pd.DataFrame({"n_drawn": grouped.size().astype(np.int64)})
    for column in present:
        out[f"verified_{column}"] = grouped[f"verified_{column}"].sum().astype(np.int64)
    out["nonresponse"] = grouped["nonresponse"].sum().astype(np.int64)
    out["nonresponse_rate"] = out["nonresponse"] / out["n_drawn"]
    out = out.reset_index()
    if sizes is not None:
        plan = sizes[["stratum", "N", "n"]].rename(columns={"n": "n_planned"})
        plan = plan.assign(stratum=plan["stratum"].astype(str))
        out = plan.merge(out, on="stratum", how="outer")
        out = out[["stratum", "N", "n_planned",
                   *[c for c in out.columns if c not in {"stratum", "N", "n_planned"}]]]
    return out


def _progress_by_aspect(progress: pd.DataFrame, t: Mapping[str, str]) -> str:
    """A ledger month's progress (``MonthStatus.progress``): one table per aspect."""
    counts = ("N", "n", "verified", "correct", "incorrect", "unreachable", "refused", "pending")
    parts = []
    for aspect in dict.fromkeys(progress["aspect"].astype(str)):
        part = progress[progress["aspect"].astype(str) == aspect]
        name = t.get(f"aspect_{aspect}", aspect)
        total = {c: int(part[c].sum()) for c in counts if c in part.columns}
        resolved = total["verified"] + total["unreachable"] + total["refused"]
        rate = total["verified"] / resolved if resolved else math.nan
        summary = t["progress_aspect"].format(aspect=name, rate=_pct(rate, 1),
                                              **{k: f"{v:,}" for k, v in total.items()})
        columns = [("stratum", t["stratum"], "text")]
        columns += [(c, t[c], "num") for c in counts if c in part.columns]
        columns.append(("response_rate", t["response_rate"], "pct"))
        parts.append(f"<h3>{_e(name)}</h3><p>{_e(summary)}</p>" + _table(
            part, caption=t["progress_caption_aspect"].format(aspect=name), columns=columns,
            row_header="stratum", table_id=f"verification-progress-{aspect}"))  # fmt: skip
    return "".join(parts)


def _progress_section(month: Any, progress: pd.DataFrame | None, t: Mapping[str, str]) -> str:
    if progress is not None and "aspect" in progress.columns:
        return _progress_by_aspect(progress, t)
    sample = getattr(month, "sample", None)
    if progress is None:
        outcomes = getattr(month, "outcomes", None)
        if not isinstance(outcomes, pd.DataFrame):
            return _note(t["no_progress"])
        plan = getattr(sample, "plan", None)
        sizes = getattr(plan, "sizes", None)
        progress = verification_by_stratum(
            outcomes, sizes=sizes if isinstance(sizes, pd.DataFrame) else None
        )
    columns = [("stratum", t["stratum"], "text")]
    for column, kind in (("N", "num"), ("n_planned", "num"), ("n_drawn", "num"),
                         ("verified_sponsor_ok", "num"), ("verified_access_ok", "num"),
                         ("nonresponse", "num"), ("nonresponse_rate", "pct")):  # fmt: skip
        if column in progress.columns:
            columns.append((column, t[column], kind))
    drawn = int(progress["n_drawn"].fillna(0).sum())
    shares = []
    for column in ("verified_sponsor_ok", "verified_access_ok"):
        if column in progress.columns:
            done = int(progress[column].fillna(0).sum())
            shares.append(t["progress_outcome"].format(
                what=t[column], done=f"{done:,}",
                share=_pct(done / drawn if drawn else math.nan, 1)))  # fmt: skip
    summary = t["progress_total"].format(drawn=f"{drawn:,}", outcomes="; ".join(shares))
    truth = not (getattr(month, "progress", None) or {}) and hasattr(month, "outcomes")
    out = f"<p>{_e(summary)}</p>"
    if truth:
        out += f'<p class="small">{_e(t["progress_truth"])}</p>'
    return out + _table(progress, caption=t["progress_caption"], columns=columns,
                        row_header="stratum", table_id="verification-progress")  # fmt: skip


# --------------------------------------------------------------------------- section 7
def _methodology(month: Any, t: Mapping[str, str], manifest: Mapping[str, Any] | None) -> str:
    from beian_audit import __version__

    sample = getattr(month, "sample", None)
    if manifest is None:
        manifest = getattr(sample, "manifest", None) or {}
    design = manifest.get("design") or {}
    items: list[tuple[str, str]] = []
    if manifest:
        strata = ", ".join(str(s) for s in design.get("strata", []) or []) or t["none"]
        items.append((t["design"], t["design_text"].format(
            strata=strata, allocation=design.get("allocation", ""),
            min=design.get("min_per_stratum", ""), frame=_num(manifest.get("frame_rows")),
            n=_num(manifest.get("sample_size")), algorithm=manifest.get("algorithm_version", ""),
        )))  # fmt: skip
        items.append((t["seed"], str(manifest.get("seed", ""))))
        items.append((t["frame_fp"], str(manifest.get("frame_fingerprint", ""))))
        items.append((t["sample_fp"], str(manifest.get("sample_fingerprint", ""))))
        if manifest.get("created"):
            items.append((t["manifest_created"], str(manifest["created"])))
    estimates = getattr(month, "estimates", None) or {}
    first = next(iter(estimates.values()), None)
    if first is not None:
        items.append((t["estimation"], t["estimation_text"].format(
            method=first.method, level=_level(first.confidence_level))))  # fmt: skip
    status = getattr(month, "month_status", None)
    if status is not None:
        rule = str(status.nonresponse)
        items.append((t["nonresponse_rule"], t.get(f"nr_{rule}", rule)))
        items.append((t["ledger_source"], t["ledger_text"].format(
            month=status.month, province=getattr(month, "province_name", status.province),
            status=t.get(f"period_{status.status}", status.status))))  # fmt: skip
    snapshot = getattr(month, "snapshot", None) or {}
    if snapshot.get("fingerprint"):
        items.append((t["registry_fp"], t["registry_text"].format(
            fp=snapshot["fingerprint"], rows=_num(snapshot.get("row_count")))))  # fmt: skip
    library = manifest.get("library_version")
    version = f"beian_audit {__version__}" + (
        f" (sample drawn with {library})" if library and library != __version__ else "")
    items.append((t["software"], version))
    body = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items)
    return f"<dl>{body}</dl><p class=\"small\">{_e(t['privacy'])}</p>"


# --------------------------------------------------------------------------- entry points
def _month_of(result: Any) -> Any:
    """A ledger month handle (``Ledger.month(...)``) becomes what the page reads from it."""
    ledger = getattr(result, "ledger", None)
    report_data = getattr(ledger, "report_data", None)
    if callable(report_data) and isinstance(getattr(result, "province", None), str):
        return report_data(result.month, result.province)
    return result


def render_html_report(
    result: Any,
    *,
    table: Any = None,
    panels: Mapping[str, Any] | None = None,
    unfiled: Any = None,
    progress: pd.DataFrame | None = None,
    manifest: Mapping[str, Any] | None = None,
    language: Language = "zh",
    projection_month: str | None = None,
    title: str | None = None,
) -> str:
    """The monthly report as one self-contained HTML document (a string).

    See :func:`write_html_report` for the parameters.
    """
    language = check_choice("language", language, LANGUAGES)  # type: ignore[assignment]
    result = _month_of(result)
    if table is None:
        table = getattr(result, "statistics", None)
    if panels is None:
        panels = getattr(result, "panels", None)
    if unfiled is None:
        unfiled = getattr(result, "unfiled_ranking", None)
    if progress is None:
        progress = getattr(result, "stratum_progress", None)
    if manifest is None:
        manifest = getattr(result, "manifest", None)
    month = getattr(result, "month", None)
    if not isinstance(month, str):
        raise ArgumentError(
            "result must be a SpotCheckResult or a month object with a 'month' ('YYYY-MM'), "
            f"'estimates' and 'assessments'; got {type(result).__name__}"
        )
    if panels is not None and not isinstance(panels, Mapping):
        raise ArgumentError("panels must be a mapping measure -> MonthlyPanel "
                            "(e.g. {'sponsor_accuracy': monthly_panel(...)})")  # fmt: skip
    if projection_month is None:
        projection_month = f"{month[:4]}-12"
    t = _TEXT[language]
    fig_language = _figure_language(language)
    figure_t = _TEXT[fig_language]
    seed = getattr(getattr(result, "sample", None), "seed", None)
    heading = title or t["title"]
    sections = [
        ("verdicts", t["s1"], _verdicts(result, t)),
        ("statistics", t["s2"], _statistics_table(table, t, language)),
        ("forest", t["s3"], _forest_section(result, t, language, figure_t, fig_language)),
        ("unfiled", t["s4"], _unfiled_section(result, unfiled, t, seed)),
        ("trend", t["s5"], _trend_section(panels, result, t, figure_t, fig_language,
                                          projection_month)),
        ("progress", t["s6"], _progress_section(result, progress, t)),
        ("methodology", t["s7"], _methodology(result, t, manifest)),
    ]
    body = "".join(
        f'<section id="{key}" aria-labelledby="h-{key}"><h2 id="h-{key}">{_e(name)}</h2>'
        f"{content}</section>"
        for key, name, content in sections
    )
    lang = "zh-CN" if language == "zh" else "en"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="beian_audit">'
        '<link rel="icon" href="data:,">'
        f"<title>{_e(heading)} {_e(month)}</title><style>{_CSS}</style></head>"
        f'<body><a class="skip" href="#main">{_e(t["skip"])}</a>'
        f'<main id="main"><header><h1>{_e(heading)}</h1>'
        f'<p class="sub">{_e(t["generated"])}: {_e(month)} · '
        f'<span class="small">{_e(t["sort_hint"])}</span></p></header>'
        f"{body}</main>"
        f"<script>{_SCRIPT}</script></body></html>\n"
    )


def write_html_report(
    result: Any,
    path: str | Path,
    *,
    table: Any = None,
    panels: Mapping[str, Any] | None = None,
    unfiled: Any = None,
    progress: pd.DataFrame | None = None,
    manifest: Mapping[str, Any] | None = None,
    language: Language = "zh",
    projection_month: str | None = None,
    title: str | None = None,
    overwrite: bool = True,
) -> Path:
    """Write the monthly report as one self-contained HTML file.

    Parameters
    ----------
    result : LedgerMonth, MonthReportData, SpotCheckResult or month object
        A ledger month (``ledger.month("2013-05", "江苏")``: everything on
        the page is read from the ledger, see
        :meth:`Ledger.report_data <beian_audit.ledger.Ledger.report_data>`
        and :meth:`Ledger.report <beian_audit.ledger.Ledger.report>`),
        the :class:`~beian_audit.ledger.MonthReportData` read
        from one, a :class:`~beian_audit.spotcheck.SpotCheckResult`, or any
        object with the attributes it uses: ``month`` (``"YYYY-MM"``,
        required), ``estimates`` (measure → ProportionEstimate made with
        ``by="provider_id"``), ``assessments`` (measure → TargetAssessment),
        ``targets`` (measure → rate), and optionally ``verdicts`` (measure →
        status shown instead of the assessment's), ``filing_rate``
        (FilingRate), ``progress`` (outcome → VerificationProgress),
        ``outcomes`` (the drawn filings with ``stratum`` and the outcome
        columns), ``sample`` (with ``manifest``, ``seed``, ``plan.sizes``) and
        ``filings`` (``provider_id`` → ``provider_name``); ``statistics``,
        ``panels``, ``unfiled_ranking``, ``stratum_progress`` and
        ``manifest`` are the defaults of the keywords below. Missing pieces
        leave their section with a note.
    path : path
        The ``.html`` file to write (atomically).
    table : StatisticsTable, optional
        The month's 18-row statistics table (section 2).
    panels : mapping of str to MonthlyPanel, optional
        Measure (``"filing_rate"``, ``"sponsor_accuracy"``,
        ``"access_accuracy"``) → :func:`~beian_audit.monthly_panel` of the
        months so far, for the trend and the projection (section 5).
    unfiled : UnfiledRanking, optional
        The top-ten ranking; default computed from ``result.filing_rate``
        (census counts, or estimated counts with rank intervals for a sampled
        accessed-site list).
    progress : DataFrame, optional
        Verification per stratum as :func:`verification_by_stratum` returns
        it, or a ledger month's ``MonthStatus.progress`` (per stratum and
        aspect: one table per aspect with the unreachable, refused and
        pending filings and the response rate); default computed from
        ``result.outcomes``.
    manifest : mapping, optional
        The sample manifest; default ``result.sample.manifest``.
    language : {"zh", "en"}, default "zh"
        Chinese (``lang="zh-CN"``) or English.
    projection_month : str, optional
        Month the trend is projected to (default December of the report's year).
    title : str, optional
        Page heading (default 网站备案核查月报 / the English equivalent).
    overwrite : bool, default True
        ``False``: refuse to replace an existing file
        (:class:`~beian_audit.errors.OutputExistsError`).

    Returns
    -------
    Path

    Notes
    -----
    The page needs nothing at view time: CSS inline, figures inline SVG with
    glyphs as paths (Chinese labels need a CJK font only when the report is
    written; without one the figures are labelled in English, with a
    warning), a sortable-table script inline, and a Content-Security-Policy
    that forbids every request. Personal values are masked in every cell.
    """
    from beian_audit.safe_output import write_text

    text = render_html_report(result, table=table, panels=panels, unfiled=unfiled,
                              progress=progress, manifest=manifest, language=language,
                              projection_month=projection_month, title=title)  # fmt: skip
    return write_text(text, path, overwrite=overwrite)
