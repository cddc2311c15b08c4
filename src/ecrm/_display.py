"""How a figure or a table is shown to a person: the one formatting layer of the report.

Machine outputs (DataFrames, ``customers.csv``, ``summary.json``) keep snake_case
names and full precision. What a person reads goes through here: column and row labels
from :data:`ecrm._labels.REPORT_COLUMNS` in the report language, shares as %, money with
two decimals and thousands separators, counts as integers, and never a raw float.

Every value has a *kind*:

``count``     integer with thousands separators (23,570)
``money``     two decimals, thousands separators, optional currency symbol (1,294,011.53)
``share``     a fraction shown in % with one decimal (0.1747 -> 17.5%)
``points``    a difference of two fractions in percentage points, signed (0.052 -> +5.2)
``percent``   already in %, one decimal (60.5 -> 60.5%)
``number``    two decimals (2.87)
``number1``   one decimal (57.2); ``days`` and ``hours`` are the same with a unit in the label
``score``     a model score with two decimals (ROC AUC 0.84)
``date``      ISO date (1998-06-30)
``text``      shown as given

A column's kind comes from its name (:data:`COLUMN_KINDS`, then the suffix rules of
:func:`kind_of`), else from its dtype (integers are counts, other numbers ``number``);
a table may override kinds per column.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import _labels

KINDS = tuple("count money share points percent number number1 days hours score date text".split())
NUMERIC_KINDS = frozenset(KINDS) - {"date", "text"}
MISSING = "–"

# Kinds of the columns (and row keys) ecrm's tables carry, by machine name. Names not
# listed fall back to the suffix rules in kind_of, then to the dtype.
_NAMES_BY_KIND = {
    "money": """revenue total_spend avg_order_value monetary_value mean_monetary clv expected_order_value
        net_revenue gmv returns aov gross_liability liability point_value""",
    "count": """n size members tickets responded resolved open orders buyers new_buyers returning_buyers
        promoters passives detractors responses earned redeemed expired adjusted reversed balance issued
        points expiring_30d expiring_90d outstanding_points matured_lots matured_lot_points
        matured_expired_points k cluster customers""",
    "share": """share p_alive mean_probability churn_probability breakage first_contact_resolution
        response_within_sla resolution_within_sla net_revenue_growth gmv_growth orders_growth
        buyers_growth""",
    "score": """roc_auc pr_auc brier log_loss silhouette lift_top10 lift_top20 estimate std_error ci_lower
        ci_upper calinski_harabasz davies_bouldin""",
    "number": "inertia",
    "number1": "nps ci_low ci_high",
    "percent": "csat",
    "date": "first_purchase last_purchase",
}
COLUMN_KINDS: Mapping[str, str] = {
    name: kind for kind, names in _NAMES_BY_KIND.items() for name in names.split()
}

# Suffix and prefix rules, in order; the first that matches decides.
_NAME_RULES: tuple[tuple[str, str], ...] = (
    (r"_share$|_rate$|^captured_top", "share"),
    (r"_days$|_days_(mean|median)$", "days"),
    (r"_hours$", "hours"),
    (r"^n_", "count"),
    (r"^(total_spend|revenue|clv)_|_spend_(mean|median)$", "money"),  # clv_12m, clv_12m_total
    (r"^expected_purchases_\d+m$", "number"),
    (r"^n_orders_(mean|median)$", "number"),
)


def kind_of(name: object, values: pd.Series | None = None) -> str:
    """The kind of a column from its name, else from its values' dtype.

    Examples
    --------
    >>> kind_of("revenue_share"), kind_of("mean_recency_days"), kind_of("n_customers")
    ('share', 'days', 'count')
    >>> import pandas as pd
    >>> kind_of("anything", pd.Series([1, 2])), kind_of("anything", pd.Series([0.5]))
    ('count', 'number')
    """
    if isinstance(name, str):
        if name in COLUMN_KINDS:
            return COLUMN_KINDS[name]
        for pattern, kind in _NAME_RULES:
            if re.search(pattern, name):
                return kind
    if values is None:
        return "text"
    if pd.api.types.is_bool_dtype(values):
        return "text"
    if pd.api.types.is_integer_dtype(values):
        return "count"
    if pd.api.types.is_float_dtype(values):
        finite = values.to_numpy(dtype=float)
        finite = finite[np.isfinite(finite)]
        integral = finite.size and np.array_equal(finite, np.round(finite))
        return "count" if integral else "number"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    return "text"


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_value(value: Any, kind: str, *, currency: str = "") -> str:
    """One value as a person reads it.

    Parameters
    ----------
    value : number, string, date or None
    kind : str
        One of :data:`KINDS`.
    currency : str
        Symbol put before money values (e.g. ``"$"``, ``"¥"``); none by default.

    Examples
    --------
    >>> format_value(1294011.53, "money"), format_value(0.1747, "share"), format_value(23570.0, "count")
    ('1,294,011.53', '17.5%', '23,570')
    >>> format_value(-42980.876, "money", currency="$"), format_value(None, "number")
    ('-$42,980.88', '–')
    >>> format_value(0.052, "points"), format_value(-0.004, "points")  # a lift in percentage points
    ('+5.2', '-0.4')
    """
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not one of {KINDS}")
    if _is_missing(value):
        return MISSING
    if kind == "text":
        return str(value)
    if kind == "date":
        return pd.Timestamp(value).date().isoformat()
    if isinstance(value, str):  # a label in a numeric column (e.g. "all")
        return value
    number = float(value)
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    if kind == "count":
        return f"{round(number):,}"
    if kind == "money":
        sign = "-" if number < 0 else ""
        return f"{sign}{currency}{abs(number):,.2f}"
    if kind == "share":
        return f"{100 * number:,.1f}%"
    if kind == "points":  # the label says "percentage points"; the sign says which way
        return f"{100 * number:+,.1f}"
    if kind == "percent":
        return f"{number:,.1f}%"
    if kind in ("number1", "days", "hours"):
        return f"{number:,.1f}"
    return f"{number:,.2f}"  # number, score


# --- labels ------------------------------------------------------------------------------

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9%]+)+$")
_STAT_SUFFIXES = ("mean", "median")


def column_label(name: object, lang: str) -> str:
    """A column or row label in ``lang``: the label of a machine name, else the name.

    Names built from a known column and a statistic (``recency_days_mean``) are
    labelled from both parts; an unknown snake_case name is made readable
    (``mean_gap_days`` -> "Mean gap days"), so no snake_case reaches the page.

    Examples
    --------
    >>> column_label("revenue_share", "en"), column_label("revenue_share", "zh")
    ('Revenue share', '收入占比')
    >>> column_label("recency_days_median", "en"), column_label("Champions", "zh")
    ('Days since last purchase, median', 'Champions')
    """
    if not isinstance(name, str):
        return str(name)
    table = _labels.REPORT_COLUMNS
    with contextlib.suppress(KeyError):  # a known name, or one with a horizon (clv_6m)
        return _labels.label(table, name, lang)
    base, _, stat = name.rpartition("_")
    if stat in _STAT_SUFFIXES and base in table:
        return _labels.label(_labels.REPORT_TEXT, f"column_{stat}", lang).format(column=table[base][lang])
    if _SNAKE.match(name):
        return name.replace("_", " ").capitalize()
    return name


def value_label(value: object, lang: str) -> str:
    """A cell or row key that is a machine word (``bgnbd``, ``estimated``) in ``lang``."""
    if isinstance(value, str) and value in _labels.REPORT_VALUES:
        return _labels.REPORT_VALUES[value][lang]
    if isinstance(value, str) and value in _labels.REPORT_COLUMNS:
        return _labels.REPORT_COLUMNS[value][lang]
    return str(value)


def lower_first(label: str) -> str:
    """``label`` inside a sentence: "Orders" -> "orders", but "CLV" stays "CLV".

    Examples
    --------
    >>> lower_first("High risk"), lower_first("CLV"), lower_first("高风险")
    ('high risk', 'CLV', '高风险')
    """
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


# --- tables ------------------------------------------------------------------------------


@dataclass
class Table:
    """A table of the report: its caption, its data and how to show them.

    Attributes
    ----------
    caption : str
        Title shown above the table (already in the report language).
    data : DataFrame or Series
        Machine names and full precision. A Series is shown as a two-column list of
        labelled rows (its index) and values; ``kinds`` then apply to rows.
    kinds : dict, optional
        Kind per column (per row for a Series), over the defaults of :func:`kind_of`.
    default : str, optional
        Kind of every column not in ``kinds`` (e.g. ``"share"`` for a cohort table).
    details : bool
        Technical table (model parameters, criteria): shown folded under its caption.
    """

    caption: str
    data: pd.DataFrame | pd.Series
    kinds: Mapping[str, str] | None = None
    default: str | None = None
    details: bool = False


@dataclass(frozen=True)
class Shown:
    """A table as it is shown: header labels, and rows of (row label, cells).

    ``numeric[j]`` says whether column ``j`` holds numbers (right-aligned).
    """

    index_label: str
    columns: list[str]
    numeric: list[bool]
    rows: list[tuple[str, list[str]]]


def _kind(table: Table, key: object, values: pd.Series | None) -> str:
    if table.kinds and key in table.kinds:
        return table.kinds[key]
    if table.default is not None:
        return table.default
    return kind_of(key, values)


def _row_label(key: object, lang: str) -> str:
    if isinstance(key, pd.Timestamp):
        return key.date().isoformat()
    if isinstance(key, tuple):
        return ", ".join(_row_label(k, lang) for k in key)
    if isinstance(key, str) and key not in _labels.REPORT_VALUES and _SNAKE.match(key):
        return column_label(key, lang)
    return value_label(key, lang)


def show(table: Table, lang: str, *, currency: str = "") -> Shown:
    """Format a :class:`Table` for display: labels in ``lang``, every cell a string.

    Examples
    --------
    >>> import pandas as pd
    >>> t = Table("Segments", pd.DataFrame({"n_customers": [4118], "revenue_share": [0.518]},
    ...                                    index=pd.Index(["Champions"], name="segment")))
    >>> shown = show(t, "en")
    >>> shown.index_label, shown.columns, shown.rows
    ('Segment', ['Customers', 'Revenue share'], [('Champions', ['4,118', '51.8%'])])
    """
    data = table.data
    if isinstance(data, pd.Series):
        cells = [
            format_value(value, _kind(table, key, None if isinstance(value, str) else pd.Series([value])),
                         currency=currency)
            for key, value in data.items()
        ]  # fmt: skip
        # Text cells that are machine words (e.g. breakage_source "estimated") read as words.
        cells = [value_label(c, lang) for c in cells]
        label = (
            column_label(data.name, lang)
            if data.name is not None
            else _labels.label(_labels.REPORT_TEXT, "value", lang)
        )
        return Shown(
            index_label=column_label(data.index.name, lang) if data.index.name else "",
            columns=[label],
            numeric=[True],
            rows=[(_row_label(k, lang), [c]) for k, c in zip(data.index, cells, strict=True)],
        )
    columns, numeric, formatted = [], [], []
    for key in data.columns:
        values = data[key]
        kind = _kind(table, key, values)
        columns.append(column_label(key, lang))
        numeric.append(kind in NUMERIC_KINDS)
        texts = [format_value(v, kind, currency=currency) for v in values.tolist()]
        if kind == "text":
            texts = [value_label(t, lang) for t in texts]
        formatted.append(texts)
    index_name = data.index.name if data.index.nlevels == 1 else ", ".join(map(str, data.index.names))
    rows = [(_row_label(key, lang), [column[i] for column in formatted]) for i, key in enumerate(data.index)]
    return Shown(
        index_label=column_label(index_name, lang) if index_name else "",
        columns=columns,
        numeric=numeric,
        rows=rows,
    )
