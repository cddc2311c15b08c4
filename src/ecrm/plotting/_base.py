"""Helpers shared by every figure: axes, titles, legends, words and fonts."""

from __future__ import annotations

import functools
import warnings
from typing import Any

import pandas as pd

from .. import _labels, _schema
from ..errors import EcrmWarning, SchemaError

# CJK fonts tried for Chinese labels, first found wins. Debian and Ubuntu ship the first
# in the package fonts-noto-cjk (conda-forge: font-ttf-noto-cjk); the others are common
# on other systems.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
# File-name fragments of CJK fonts, to find fonts installed after matplotlib built its
# font cache (the cache is not refreshed when a font package is installed later).
_CJK_FILE_HINTS = ("notosanscjk", "notoserifcjk", "sourcehansans", "wqy", "simhei", "msyh", "pingfang")


def axes(ax: Any = None, figsize: tuple[float, float] = (6.4, 4.0)) -> Any:
    """Return ``ax``, or a new Axes on a new figure when ``ax`` is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=figsize)
    return new


def phrase(key: str, lang: str, **values: Any) -> str:
    """A figure word (:data:`ecrm._labels.PLOT_TEXT`) in ``lang``, with ``values`` filled in."""
    return _labels.label(_labels.PLOT_TEXT, key, lang).format(**values)


def contrast_text(image: Any, value: float) -> str:
    """Black or white, whichever reads better on the colour ``image`` gives ``value``."""
    if value is None or value != value:  # NaN: an empty cell
        return "black"
    red, green, blue, _ = image.cmap(image.norm(value))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "black" if luminance > 0.5 else "white"


def date_axis(ax: Any) -> None:
    """Dates on the x axis that never run together: at most seven ticks, in numbers only
    (2024-03), so that they read the same in every language."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    formatter = mdates.ConciseDateFormatter(
        locator,
        formats=["%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M", "%S.%f"],
        zero_formats=["", "%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M"],
        offset_formats=["", "", "%Y", "%Y-%m-%d", "%Y-%m-%d", "%Y-%m-%d %H:%M"],
    )
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)


def plain_numbers(axis: Any) -> None:
    """Tick labels as plain numbers with thousands separators (1,000 rather than 10³), and
    no minor ticks (on a log axis they cost half the drawing time and say little)."""
    from matplotlib.ticker import NullLocator, StrMethodFormatter

    axis.set_major_formatter(StrMethodFormatter("{x:,.10g}"))  # no lambda: figures stay picklable
    axis.set_minor_locator(NullLocator())


def legend_outside(ax: Any, **kwargs: Any) -> Any:
    """A legend to the right of the axes, so that it never covers data (for stacks and
    long lists, in the order they are drawn)."""
    kwargs.setdefault("fontsize", "small")
    return ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, frameon=False, **kwargs)


def legend_above(ax: Any, ncol: int | None = None, **kwargs: Any) -> Any:
    """A legend in rows between the title and the axes: it never covers data and does not
    widen the figure. :func:`finish` raises the title above it."""
    handles, labels = (kwargs.pop("handles", None), kwargs.pop("labels", None))
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    elif labels is None:
        labels = [h.get_label() for h in handles]
    if ncol is None:  # as many per row as fit, by the length of the labels
        width = max((len(str(label)) for label in labels), default=1)
        ncol = max(1, min(len(labels), 70 // (width + 6)))
    kwargs.setdefault("fontsize", "small")
    legend = ax.legend(
        handles, labels, loc="lower center", bbox_to_anchor=(0.5, 1.01), ncol=ncol, frameon=False,
        borderaxespad=0.2, **kwargs,
    )  # fmt: skip
    legend._ecrm_rows = -(-len(labels) // ncol)  # read by finish() to make room for the title
    return legend


@functools.cache
def cjk_fonts() -> tuple[str, ...]:
    """Names of the installed CJK fonts matplotlib can use, best first (empty if none).

    Fonts installed after matplotlib built its font cache are found on disk and
    registered for this session.
    """
    from matplotlib import font_manager

    def known() -> tuple[str, ...]:
        installed = {f.name for f in font_manager.fontManager.ttflist}
        return tuple(name for name in CJK_FONTS if name in installed)

    found = known()
    if not found:
        for path in font_manager.findSystemFonts():
            if any(hint in path.lower().replace("-", "").replace("_", "") for hint in _CJK_FILE_HINTS):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # an unreadable font file
                    continue
        found = known()
    if not found:
        warnings.warn(
            "plotting: no Chinese font found, so Chinese labels in figures show as boxes; install "
            "one (Debian/Ubuntu: apt-get install fonts-noto-cjk; conda: conda install -c conda-forge "
            "font-ttf-noto-cjk)",
            EcrmWarning,
            stacklevel=4,
        )
    return found


def use_language_font(figure: Any, lang: str) -> None:
    """Give every text of ``figure`` a font that has the glyphs of ``lang``."""
    if lang != "zh":
        return
    fonts = cjk_fonts()
    if not fonts:
        return
    from matplotlib.text import Text

    families = [*fonts, "DejaVu Sans"]
    for artist in figure.findobj(Text):
        artist.set_fontfamily(families)
    for each in figure.axes:  # tick labels made at draw time take the axes' settings
        each.tick_params(labelfontfamily=families)


def finish(
    ax: Any, title: str, xlabel: str | None = None, ylabel: str | None = None, lang: str = "en"
) -> Any:
    """Set the title and axis labels every ecrm figure carries and the font of ``lang``;
    returns ``ax``."""
    legend = ax.get_legend()
    rows = getattr(legend, "_ecrm_rows", 0)
    ax.set_title(title, pad=10 + 18 * rows)  # above a legend_above() legend
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    use_language_font(ax.figure, lang)
    return ax


def table_input(data: Any, what: str, columns: Any = (), *, series: bool = False, numbers: Any = ()) -> Any:
    """The table a figure draws: a non-empty DataFrame (or Series, when ``series``: then
    ``columns`` are its index labels) with ``columns``, and finite numbers in ``numbers``
    (``"all"``: every column); anything else is a SchemaError naming the figure."""
    if series and isinstance(data, pd.Series):
        missing = [c for c in columns if c not in data.index]
        if len(data) == 0 or missing:
            raise SchemaError(f"{what}: the series is empty or lacks {missing}; there is nothing to draw")
        return data
    frame = _schema.check_frame(data, what)
    _schema.require_columns(frame, list(columns), what)
    for column in frame.columns if numbers == "all" else numbers:
        _schema.amounts(frame, column, what)  # finite numbers: no text, NaN or infinity
    return frame


def fitted_input(obj: Any, kind: type, what: str, attribute: str) -> Any:
    """A fitted ``kind`` (an ecrm model or result), else a SchemaError (another object) or
    scikit-learn's NotFittedError (not fitted yet)."""
    from sklearn.exceptions import NotFittedError

    if not isinstance(obj, kind):
        raise SchemaError(f"{what}: expected a {kind.__name__}, got {type(obj).__name__}")
    if not hasattr(obj, attribute):
        raise NotFittedError(f"{what}: this {kind.__name__} is not fitted yet; call fit first")
    return obj
