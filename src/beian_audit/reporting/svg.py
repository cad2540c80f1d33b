"""Matplotlib figures as self-contained, accessible inline SVG.

:func:`figure_svg` renders a figure to an SVG string fit to paste into an HTML
page: glyphs are drawn as paths (``svg.fonttype = "path"``), so the page
needs no font at view time and Chinese text shows without tofu; the XML
prolog, DOCTYPE and metadata are dropped; every ``id`` (and every reference
to it) gets a per-figure prefix, so several figures in one page never share
an id; and the ``<svg>`` element carries ``role="img"``, an ``aria-label``
and a ``<title>`` / ``<desc>``. The output is deterministic (fixed hash salt,
no date).

:func:`cjk_font` finds a font that covers Chinese (Noto Sans CJK from the
Debian package ``fonts-noto-cjk``, Source Han, WenQuanYi, the Windows and
macOS system fonts), registering installed font files matplotlib's cache does
not know yet. ``scripts/install_system_deps.sh`` installs Noto CJK.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots(figsize=(2, 1))
>>> _ = ax.plot([0, 1], [0, 1])
>>> svg = figure_svg(fig, title="A line", description="From (0, 0) to (1, 1).", prefix="f1")
>>> plt.close(fig)
>>> svg.startswith("<svg") and 'aria-label="A line"' in svg and "<title>A line</title>" in svg
True
>>> "<?xml" in svg or "<metadata" in svg
False
"""

from __future__ import annotations

import html
import io
import re
from functools import cache
from typing import Any

from beian_audit.errors import ArgumentError

__all__ = ["cjk_font", "figure_svg"]

_ID = re.compile(r'\bid="([^"]+)"')
_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


@cache
def cjk_font() -> str | None:
    """The family name of an installed font that covers Chinese, or ``None``.

    :func:`beian_audit.reporting.plots.find_cjk_font` (the one font lookup of
    the package: preference order, font files missing from matplotlib's cache
    registered, coverage read from the font's character map), cached for the
    report's figures.

    Examples
    --------
    >>> name = cjk_font()
    >>> name is None or isinstance(name, str)
    True
    """
    from beian_audit.reporting.plots import find_cjk_font

    return find_cjk_font()


def _svg_text(fig: Any) -> str:
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "beian_audit",
                                "svg.image_inline": True}):  # fmt: skip
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def figure_svg(fig: Any, *, title: str, description: str = "", prefix: str) -> str:
    """A matplotlib figure as an inline ``<svg>`` element with a text alternative.

    Parameters
    ----------
    fig : matplotlib Figure
    title : str
        Short text alternative (``<title>`` and ``aria-label``); escaped here.
    description : str, optional
        Longer text alternative (``<desc>``); escaped here.
    prefix : str
        Prefix of every id in the figure (letters, digits, ``-``, ``_``);
        must differ between the figures of one page.

    Returns
    -------
    str
        The ``<svg …>…</svg>`` element, glyphs drawn as paths.
    """
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        raise ArgumentError(f"prefix ({prefix!r}) must be letters, digits, '-' or '_'")
    text = _svg_text(fig)
    start = text.find("<svg")
    if start < 0:  # pragma: no cover - matplotlib always writes one
        raise ArgumentError("matplotlib did not produce an <svg> element")
    text = text[start:]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)
    ids = set(_ID.findall(text))
    if ids:
        alternation = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
        text = re.sub(rf'\bid="({alternation})"', rf'id="{prefix}-\1"', text)
        text = re.sub(rf'(href=")#({alternation})"', rf'\1#{prefix}-\2"', text)
        text = re.sub(rf"url\(#({alternation})\)", rf"url(#{prefix}-\1)", text)
    label = html.escape(title, quote=True)
    head_end = text.find(">") + 1
    opening = text[:head_end]
    opening = opening.replace("<svg", f'<svg role="img" aria-label="{label}" '
                                      f'aria-describedby="{prefix}-desc"', 1)  # fmt: skip
    alt = (f'<title>{html.escape(title)}</title>'
           f'<desc id="{prefix}-desc">{html.escape(description or title)}</desc>')  # fmt: skip
    return opening + alt + text[head_end:]
