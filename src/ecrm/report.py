"""The whole picture of a customer base in one HTML page: ``ecrm.report.build``.

The page opens with an executive summary (the best customers and their share of
revenue, the valuable customers at risk and what is at stake, what changed since the
previous month, three actions) and a "Notes on the data" box (each distinct warning
once, with how often and where it arose). Then come the *sections* (:data:`SECTIONS`):
each is one function that takes the report :class:`Context` (the inputs and the
customer table built so far) and returns a :class:`Section`: its headline figures,
tables, figures, notes, a caveat when its own validation is weak, and the per-customer
columns it adds to ``customers.csv``. A section runs only when the optional inputs it
needs (surveys, loyalty events, tickets) are given.

Tables keep machine names and full precision in Python (``Table.data``); the page shows
them through one formatting layer (:mod:`ecrm._display`): labels in the report
language, % for shares, money with two decimals and thousands separators, counts as
integers. Adding a section is writing one function and adding one line to
:data:`SECTIONS` (and its words to :mod:`ecrm._labels`).
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import _display, _labels, _schema, lifecycle, metrics, rfm, service, survey
from ._display import Table
from .errors import DataDroppedWarning, EcrmError, EcrmWarning, SchemaError
from .summary import customer_summary
from .transactions import EngineTransactions, Transactions, as_transactions

__all__ = ["SECTIONS", "Context", "Report", "Section", "SectionSpec", "Table", "build", "overview"]


# Survey score columns the report looks for, first match wins (DESIGN: ``score`` is the
# NPS answer; ecrm.datasets.make_surveys writes ``nps_score``, ``csat_score``, ``ces_score``).
SURVEY_SCORES = {"nps": ("score", "nps_score"), "csat": ("csat_score",), "ces": ("ces_score",)}
SURVEY_DATE_COL = "date"

_FIGURE_DPI = 100
# Figures wider than this (in pixels at _FIGURE_DPI) take a row of the page to themselves,
# as do those a section marks wide.
WIDE_FIGURE_PX = 900
# Tables with more columns than this are set in smaller type.
COMPACT_TABLE_COLUMNS = 10
# The model sections (segments, CLV, churn) need a customer base to learn from; below this
# many customers they show a note instead of fitting a model to a handful of points.
MIN_MODEL_CUSTOMERS = 50
# k-means settings of the segments section: silhouettes on a 5,000-customer sample and
# 2 initialisations per k keep the automatic choice of k to 0.3 s on CDNOW (4 gave the
# same k and the same labels there, and 99.95% the same on an Online Retail-shaped export).
SEGMENT_SAMPLE_SIZE = 5_000
SEGMENT_N_INIT = 2
CLV_HORIZON_MONTHS = 12
CHURN_HORIZON_DAYS = 90
# Below this out-of-time ROC AUC the churn section says its tiers are unreliable (0.5 is
# chance; 0.6 is the usual floor for a model worth acting on).
CHURN_MIN_AUC = 0.6
# The churn section's classifier (an ecrm.churn.ChurnModel estimator). Out of time, on
# CDNOW, a 4,372-customer Online Retail-shaped export and 20,000 synthetic customers,
# calibrated logistic regression ranked as well as the gradient-boosting default (ROC AUC
# 0.839 / 0.793 / 0.811 against 0.837 / 0.788 / 0.812) in a tenth of the time.
CHURN_ESTIMATOR = "logistic"
LOYALTY_EVENT_DATE_COL = "ts"
CAMPAIGN_WINDOW_DAYS = 30
# The assignments column the campaign section breaks the lift down by when present (the
# column of ecrm.datasets.make_campaign); without one, the RFM segment at the send.
CAMPAIGN_SEGMENT_COL = "segment"
# Rules and products per segment shown by the products section, and the days held out
# to test its recommendations.
PRODUCTS_TOP = 10
PRODUCTS_HOLDOUT_DAYS = 90
# A segment with fewer customers than this in a group is marked too small to read.
CAMPAIGN_MIN_CUSTOMERS = 100
# ... or fewer buyers than this in a group (campaign.evaluate's min_converters says why).
CAMPAIGN_MIN_CONVERTERS = 10


def overview(summary: pd.DataFrame) -> pd.Series:
    """Headline figures of a customer summary.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :func:`ecrm.customer_summary` (read back from a file too: ``as_of`` is
        then None, unknown, as it lives in ``attrs``).

    Returns
    -------
    pandas.Series
        customers, orders, revenue, first and last purchase dates, ``as_of``, share of
        one-time buyers, mean orders per customer, average order value (revenue / orders)
        and median recency in days.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way: an alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284.

    Examples
    --------
    >>> import ecrm
    >>> s = ecrm.customer_summary(ecrm.datasets.load_cdnow())
    >>> overview(s)[["customers", "orders", "one_time_buyer_share"]].tolist()
    [23570, 67591, 0.5114]
    """
    what = "overview"
    frame = _schema.check_frame(summary, what)
    _schema.require_columns(
        frame, ["n_orders", "total_spend", "recency_days", "first_purchase", "last_purchase"], what
    )
    n_orders = _schema.amounts(frame, "n_orders", what).to_numpy()
    orders = int(n_orders.sum())
    revenue = float(_schema.amounts(frame, "total_spend", what).sum())
    as_of = frame.attrs.get("as_of")  # unknown (None) when attrs were lost, e.g. in a CSV
    return pd.Series(
        {
            "customers": len(frame),
            "orders": orders,
            "revenue": round(revenue, 2),
            "first_purchase": _schema.dates(frame, "first_purchase", what).min().date().isoformat(),
            "last_purchase": _schema.dates(frame, "last_purchase", what).max().date().isoformat(),
            "as_of": None if as_of is None else pd.Timestamp(as_of).date().isoformat(),
            "one_time_buyer_share": round(float((n_orders == 1).mean()), 4),
            "orders_per_customer": round(orders / len(frame), 3),
            "average_order_value": round(revenue / orders, 2) if orders else float("nan"),
            "median_recency_days": float(np.median(_schema.amounts(frame, "recency_days", what))),
        },
        dtype=object,
    )


# ---------------------------------------------------------------------------------------
# Options


@dataclass(frozen=True)
class Options:
    """The report's options: keyword arguments of :func:`build`, or keys of the
    ``[report]`` table of ``ecrm report --config FILE.toml``.

    Attributes
    ----------
    currency : str
        Symbol put before money values on the page (``"$"``, ``"£"``, ``"¥"``); none by default.
    clv_horizon_months : int
        Months of the CLV forecast (columns ``clv_<months>m``, ``expected_purchases_<months>m``).
    clv_penalizer : float
        L2 penalty of the CLV purchase and spend models (:class:`ecrm.clv.CLVModel`); a
        small value (0.001) steadies a fit that does not converge.
    churn_horizon_days : int
        A customer churns when they buy nothing in this many days.
    churn_tiers : dict, optional
        Lower churn-probability bounds of the high and medium risk tiers,
        ``{"high": 0.7, "medium": 0.4}`` by default.
    campaign_start : str, optional
        The day the campaign was sent (its window starts then); without it, each
        customer's ``assigned_at`` in the assignments.
    campaign_window_days : int
        Days after the send in which the campaign section counts orders (default 30).
    campaign_cuped : bool
        Also show the revenue lift adjusted by CUPED on spend before the send (default on).
    campaign_split : float
        Planned share of the treatment group, for the sample-ratio check (0.5 for an A/B
        test, 0.9 for a 10% holdout).
    campaign_by : str, optional
        Assignments column to break the lift down by; default ``segment`` when the
        assignments have one, else the RFM segment at the send (with ``campaign_start``).
    """

    currency: str = ""
    clv_horizon_months: int = CLV_HORIZON_MONTHS
    clv_penalizer: float = 0.0
    churn_horizon_days: int = CHURN_HORIZON_DAYS
    churn_tiers: Mapping[str, float] | None = None
    campaign_start: str | None = None  # kept as an ISO date string
    campaign_window_days: int = CAMPAIGN_WINDOW_DAYS
    campaign_cuped: bool = True
    campaign_split: float = 0.5
    campaign_by: str | None = None

    def __post_init__(self) -> None:
        if len(_schema.text(self.currency, "currency", empty=True)) > 5:  # type: ignore[arg-type]
            raise SchemaError(f"currency={self.currency!r}: expected a short symbol such as '$' or '¥'")
        _schema.integer(self.clv_horizon_months, "clv_horizon_months", low=1, high=120)
        _schema.integer(self.churn_horizon_days, "churn_horizon_days", low=1, high=3_650)
        _schema.number(self.clv_penalizer, "clv_penalizer", low=0)  # e.g. 0.001
        tiers = self.churn_tiers
        if tiers is not None:
            if not isinstance(tiers, Mapping) or set(tiers) != {"high", "medium"}:
                raise SchemaError(
                    f"churn_tiers={tiers!r}: expected {{'high': p, 'medium': q}} with 0 <= q <= p <= 1"
                )
            for key, bound in tiers.items():
                _schema.probability(bound, f"churn_tiers[{key!r}]")
            if tiers["medium"] > tiers["high"]:
                raise SchemaError(
                    f"churn_tiers={tiers!r}: expected {{'high': p, 'medium': q}} with 0 <= q <= p <= 1"
                )
        _schema.integer(self.campaign_window_days, "campaign_window_days", low=1, high=3_650)
        _schema.flag(self.campaign_cuped, "campaign_cuped")
        _schema.probability(self.campaign_split, "campaign_split", strict=True)
        _schema.text(self.campaign_by, "campaign_by", none=True)
        if self.campaign_start is not None:  # a string, or a date from a TOML file
            start = _schema.timestamp(self.campaign_start, None, "campaign_start")
            object.__setattr__(
                self,
                "campaign_start",
                start.isoformat() if start != start.normalize() else start.date().isoformat(),
            )

    def words(self) -> dict[str, Any]:
        """The values report texts refer to: ``{months}``, ``{days}`` and ``{window}``."""
        return {
            "months": self.clv_horizon_months,
            "days": self.churn_horizon_days,
            "window": self.campaign_window_days,
        }


# ---------------------------------------------------------------------------------------
# The section protocol


@dataclass
class Context:
    """What every section function sees.

    ``transactions`` is the log validated once and cut at ``as_of``: sections pass it to
    every function that reads transactions, which then re-derive nothing (on an engine,
    an :class:`ecrm.EngineTransactions`: those functions aggregate there). ``customers``
    is the joined customer table so far: the customer summary plus the columns of every
    earlier section (so the survey section can break NPS down by the RFM segment).
    Sections must not modify it; they return their columns instead. ``customer_col``
    names the customer in the transactions, surveys and tickets.
    """

    transactions: Transactions | EngineTransactions
    customers: pd.DataFrame
    as_of: pd.Timestamp
    lang: str
    customer_col: str
    surveys: pd.DataFrame | None = None
    loyalty: pd.DataFrame | None = None
    tickets: pd.DataFrame | None = None
    campaign: pd.DataFrame | None = None
    loyalty_program: Any = None
    options: Options = field(default_factory=Options)
    # English text of the report's own warnings -> the same in the report language.
    messages: dict[str, str] = field(default_factory=dict)

    def text(self, key: str, **values: Any) -> str:
        """A report word (:data:`ecrm._labels.REPORT_TEXT`) in the report language, with
        ``values`` (and the horizons of :meth:`Options.words`) filled in."""
        return _labels.label(_labels.REPORT_TEXT, key, self.lang).format_map(self.options.words() | values)

    def headline_label(self, key: str) -> str:
        """The label of a headline figure (:data:`ecrm._labels.REPORT_HEADLINES`)."""
        return _labels.label(_labels.REPORT_HEADLINES, key, self.lang).format_map(self.options.words())

    def label(self, table: _labels.Table, key: str) -> str:
        """The label of ``key`` in one of the :mod:`ecrm._labels` tables."""
        return _labels.label(table, key, self.lang)

    def show(self, value: Any, kind: str) -> str:
        """A value as the page shows it (see :func:`ecrm._display.format_value`)."""
        return _display.format_value(value, kind, currency=self.options.currency)

    def warn(self, key: str, category: type[Warning] = DataDroppedWarning, **values: Any) -> None:
        """Issue the report's own warning ``key`` in English; the page shows it in the
        report language."""
        english = _labels.label(_labels.REPORT_TEXT, key, "en").format_map(self.options.words() | values)
        self.messages[english] = self.text(key, **values)
        warnings.warn(english, category, stacklevel=3)


@dataclass
class Section:
    """What a section function returns.

    Attributes
    ----------
    headline : list of (key, value, kind) or (key, value, kind, qualifier)
        Headline figures; ``key`` is in :data:`ecrm._labels.REPORT_HEADLINES`, ``kind``
        one of :data:`ecrm._display.KINDS` (``"share"`` is a fraction shown as %,
        ``"percent"`` is already in %, ``"text"`` is shown as given). A qualifier (e.g.
        "unreliable") is shown after the label.
    tables : list of Table or (caption, DataFrame)
        Shown through :func:`ecrm._display.show`: column kinds from the column names
        unless the :class:`Table` says otherwise.
    figures : list of (name, Axes) or (name, Axes, wide)
        Saved as ``figures/<section>_<name>.png`` next to ``index.html``; two share a
        row of the page, unless ``wide`` is true (a heat map with many cells).
    columns : DataFrame, optional
        Per-customer columns indexed by customer id, joined to ``customers.csv``.
    notes : list of str
        Short sentences shown under the section title, in the report language.
    caveat : str, optional
        Shown first, highlighted, when the section's own validation is weak (a churn
        model no better than chance, a model fit that did not converge).
    summary : list of str
        Sentences for the executive summary at the top of the page.
    """

    headline: list[tuple[Any, ...]] = field(default_factory=list)
    tables: list[Table | tuple[str, pd.DataFrame]] = field(default_factory=list)
    figures: list[tuple[Any, ...]] = field(default_factory=list)
    columns: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    caveat: str | None = None
    summary: list[str] = field(default_factory=list)

    def table_list(self) -> list[Table]:
        """The tables, each as a :class:`Table`."""
        return [t if isinstance(t, Table) else Table(*t) for t in self.tables]


@dataclass(frozen=True)
class SectionSpec:
    """One entry of :data:`SECTIONS`: a key (title in ``REPORT_SECTIONS``), the optional
    inputs the section needs (it is skipped unless all are given) and its function."""

    key: str
    needs: tuple[str, ...]
    function: Callable[[Context], Section]


@dataclass(frozen=True)
class Report:
    """What :func:`build` wrote: the page, the customer table and the headline summary.

    ``headline`` holds the headline figures as shown on the page, one ``"label: value"``
    string each; ``executive_summary`` the lines of the summary at the top of the page.
    """

    index_html: Path
    customers: pd.DataFrame
    summary: dict[str, Any]
    headline: list[str]
    executive_summary: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# Sections, in report order

# Per-customer figures of the overview tables, and how each is shown.
_SUMMARY_KINDS = {
    "n_orders": "number",
    "total_spend": "money",
    "avg_order_value": "money",
    "recency_days": "days",
    "tenure_days": "days",
}


def _statistics(frame: pd.DataFrame, percentiles: list[float]) -> pd.DataFrame:
    """``describe()`` without the count: one row per statistic, one column per figure."""
    table = frame.describe(percentiles=percentiles).drop(index="count")
    table.index.name = "statistic"
    return table


def _overview(ctx: Context) -> Section:
    summary = ctx.customers
    head = overview(summary)
    columns = list(_SUMMARY_KINDS)
    top = summary.nlargest(10, "total_spend")[["first_purchase", "last_purchase", *columns[:3]]]
    top.index.name = "customer"
    from .plotting import summary_histograms

    return Section(
        headline=[
            ("customers", int(head["customers"]), "count"),
            ("orders", int(head["orders"]), "count"),
            ("revenue", float(head["revenue"]), "money"),
            ("average_order_value", float(head["average_order_value"]), "money"),
            ("orders_per_customer", float(head["orders_per_customer"]), "number"),
            ("one_time_buyer_share", float(head["one_time_buyer_share"]), "share"),
            ("median_recency_days", float(head["median_recency_days"]), "count"),
        ],
        tables=[
            Table(
                ctx.text("distribution"),
                _statistics(summary[columns], [0.25, 0.5, 0.75, 0.9]),
                _SUMMARY_KINDS,
            ),
            Table(ctx.text("top_customers"), top),
        ],
        figures=[
            ("n_orders", summary_histograms(summary, "n_orders", lang=ctx.lang)),
            ("total_spend", summary_histograms(summary, "total_spend", lang=ctx.lang)),
        ],
    )


def _rfm(ctx: Context) -> Section:
    scored = rfm.score(ctx.customers)
    standard = rfm.segment(scored, lang=ctx.lang)
    cn8 = rfm.segment(scored, scheme="cn8", lang=ctx.lang)
    table = rfm.segment_summary(standard)
    champions = table.loc[ctx.label(_labels.RFM_STANDARD, "champions")]
    hibernating = table.loc[ctx.label(_labels.RFM_STANDARD, "hibernating")]
    columns = scored[[*rfm.SCORE_COLUMNS, "rfm_code", "rfm_score"]].assign(
        rfm_segment=standard["segment"], rfm_segment_cn8=cn8["segment"]
    )
    from .plotting import rfm_heatmap, segment_bar

    return Section(
        headline=[
            ("champions", int(champions["n_customers"]), "count"),
            ("champions_revenue_share", float(champions["revenue_share"]), "share"),
            ("hibernating_share", float(hibernating["customer_share"]), "share"),
        ],
        tables=[
            Table(ctx.text("segments_standard"), table),
            Table(ctx.text("segments_cn8"), rfm.segment_summary(cn8)),
        ],
        figures=[
            ("heatmap", rfm_heatmap(scored, lang=ctx.lang)),
            ("segments", segment_bar(table, lang=ctx.lang)),
        ],
        columns=columns,
    )


_ACTIVE_STAGES = ("new", "active", "loyal", "reactivated")


def _lifecycle(ctx: Context) -> Section:
    stages = lifecycle.stage(ctx.transactions, lang=ctx.lang)
    counts = stages["stage"].value_counts(sort=False).rename("n_customers").to_frame()
    counts["share"] = counts["n_customers"] / len(stages)
    share = counts["share"]

    def stage_label(key: str) -> str:
        return ctx.label(_labels.LIFECYCLE_STAGES, key)

    from .plotting import lifecycle_area, transition_heatmap

    section = Section(
        headline=[
            ("active_share", float(share[[stage_label(k) for k in _ACTIVE_STAGES]].sum()), "share"),
            ("at_risk", int(counts.loc[stage_label("at_risk"), "n_customers"]), "count"),
            ("churned_share", float(share[stage_label("churned")]), "share"),
        ],
        tables=[Table(ctx.text("stage_counts"), counts)],
        columns=stages[["stage"]].rename(columns={"stage": "lifecycle_stage"}),
    )
    if isinstance(ctx.transactions, EngineTransactions):
        # Every customer's stage at every month end: a pass over the log per month.
        section.notes.append(ctx.text("engine_lifecycle", engine=ctx.transactions.engine))
        return section
    history = lifecycle.history(ctx.transactions, freq="M", lang=ctx.lang)
    section.figures.append(("history", lifecycle_area(lifecycle.stage_counts(history), lang=ctx.lang)))
    # Transitions over the last six months, when the data reach that far back.
    start = ctx.as_of - pd.DateOffset(months=6)
    if start >= ctx.customers["first_purchase"].min():
        matrix = lifecycle.transitions(ctx.transactions, start=start, end=ctx.as_of, lang=ctx.lang)
        # Stages nobody was in at either date are empty rows and columns: left out.
        used = (matrix.sum(axis=1) > 0).to_numpy() | (matrix.sum(axis=0) > 0).to_numpy()
        section.tables.append(Table(ctx.text("transitions"), matrix.loc[used, used], default="count"))
        section.figures.append(("transitions", transition_heatmap(matrix, lang=ctx.lang)))
    return section


def _too_few(ctx: Context) -> Section | None:
    """A note-only section when there are too few customers to fit a model."""
    if len(ctx.customers) >= MIN_MODEL_CUSTOMERS:
        return None
    return Section(notes=[f"{ctx.text('too_few_customers')} {MIN_MODEL_CUSTOMERS} ({len(ctx.customers)})."])


def _segments(ctx: Context) -> Section:
    from threadpoolctl import threadpool_limits

    from .segmentation import DEFAULT_FEATURES, KMeansSegmenter

    if (few := _too_few(ctx)) is not None:
        return few
    customers = ctx.customers
    # A constant feature (e.g. every customer bought once) cannot separate clusters.
    features = [f for f in DEFAULT_FEATURES if customers[f].nunique() > 1]
    segmenter = KMeansSegmenter(
        features=features, sample_size=SEGMENT_SAMPLE_SIZE, n_init=SEGMENT_N_INIT, random_state=0
    )
    # Three features of a few thousand customers: OpenMP threads cost more to start than
    # they save, and on a busy machine they made the fit 10 to 50 times slower.
    with threadpool_limits(1):
        segmenter.fit(customers)
    names = segmenter.name_segments(ctx.lang)
    labels = pd.Series(segmenter.labels_, index=customers.index, name="cluster")
    revenue = customers["total_spend"].groupby(labels).sum()
    profiles = segmenter.profiles_
    # The median customer of each cluster reads better than means of skewed figures.
    profiles = profiles[["size", "share", *[c for c in profiles.columns if c.endswith("_median")]]]
    profiles.insert(0, "name", names)
    profiles.insert(3, "revenue_share", revenue / customers["total_spend"].sum())
    from .plotting import cluster_profiles, k_selection

    return Section(
        headline=[
            ("n_clusters", int(segmenter.n_clusters_), "count"),
            ("top_cluster_share", float(profiles.loc[0, "share"]), "share"),
            ("top_cluster_revenue_share", float(profiles.loc[0, "revenue_share"]), "share"),
        ],
        tables=[
            Table(ctx.text("cluster_profiles"), profiles, {"n_orders_median": "number"}),
            Table(ctx.text("k_scores"), segmenter.k_scores_, details=True),
        ],
        figures=[
            ("k_selection", k_selection(segmenter, lang=ctx.lang)),
            ("profiles", cluster_profiles(segmenter, lang=ctx.lang)),
        ],
        columns=pd.DataFrame(
            {
                "cluster": labels,
                "cluster_name": pd.Categorical.from_codes(labels.to_numpy(), categories=names.tolist()),
            },
            index=customers.index,
        ),
    )


def _clv_column(ctx: Context) -> str:
    """The name of the CLV column, after its horizon: ``clv_12m``."""
    return f"clv_{ctx.options.clv_horizon_months}m"


def _clv(ctx: Context) -> Section:
    from .clv import CLVModel, ConvergenceWarning

    if (few := _too_few(ctx)) is not None:
        return few
    weekly = customer_summary(ctx.transactions, time_unit="W")
    options = ctx.options
    with warnings.catch_warnings(record=True) as fitting:
        model = CLVModel(
            purchase_model="bgnbd", spend_model="gamma_gamma", penalizer=options.clv_penalizer
        ).fit(weekly)
        value = model.predict_clv(horizon=options.clv_horizon_months, horizon_unit="M")
    for caught in fitting:  # on to the notes on the data and the caller
        warnings.warn_explicit(caught.message, caught.category, caught.filename, caught.lineno)
    clv, purchases = _clv_column(ctx), f"expected_purchases_{options.clv_horizon_months}m"
    columns = value.rename(
        columns={"expected_purchases": purchases, "expected_spend": "expected_order_value", "clv": clv}
    )
    # An infinite CLV (a spend model without a finite mean) is no statistic; the caveat says why.
    finite = columns[["p_alive", purchases, clv]].replace([np.inf, -np.inf], np.nan)
    distribution = _statistics(finite, [0.25, 0.5, 0.75, 0.9, 0.99])
    from .plotting import clv_distribution, p_alive_matrix

    section = Section(
        headline=[
            (f"{clv}_total", float(columns[clv].sum()), "money"),
            (f"{clv}_mean", float(columns[clv].mean()), "money"),
            (purchases, float(columns[purchases].sum()), "count"),
            ("p_alive_repeat_mean", float(columns["p_alive"][weekly["frequency"] > 0].mean()), "share"),
        ],
        tables=[
            Table(ctx.text("clv_distribution"), distribution, {purchases: "number"}),
            Table(ctx.text("clv_params"), model.params_, details=True),
        ],
        figures=[
            ("distribution", clv_distribution(value, lang=ctx.lang)),
            ("p_alive", p_alive_matrix(model, lang=ctx.lang)),
        ],
        columns=columns,
        notes=[ctx.text("clv_note")],
    )
    # A fit that warned (not converged, or no finite mean spend) is not to be taken as fact;
    # leaving customers out of the spend model is only a note on the data.
    if any(issubclass(caught.category, ConvergenceWarning) for caught in fitting):
        section.caveat = ctx.text("clv_not_converged", penalizer=options.clv_penalizer)
    elif any(
        issubclass(w.category, EcrmWarning) and not issubclass(w.category, DataDroppedWarning)
        for w in fitting
    ):
        section.caveat = ctx.text("clv_warned")
    if "rfm_segment" in ctx.customers.columns:
        by_segment = columns.groupby(ctx.customers["rfm_segment"], observed=False).agg(
            n_customers=(clv, "size"),
            p_alive=("p_alive", "mean"),
            **{f"{clv}_mean": (clv, "mean"), f"{clv}_total": (clv, "sum")},
        )
        by_segment["clv_share"] = by_segment[f"{clv}_total"] / columns[clv].sum()
        section.tables.insert(1, Table(ctx.text("clv_by_rfm"), by_segment))
    return section


def _churn(ctx: Context) -> Section:
    """One churn model, learnt two horizons before the data end, tested out of time on the
    last full horizon (next to the BG/NBD baseline), scoring every customer as of ``as_of``."""
    from threadpoolctl import threadpool_limits

    from . import churn

    if (few := _too_few(ctx)) is not None:
        return few
    days = ctx.options.churn_horizon_days
    horizon = pd.Timedelta(days=days)
    first = ctx.customers["first_purchase"].min()
    # Label windows must be fully observed: they end at the snapshot or the last purchase.
    end = min(ctx.as_of, ctx.customers["last_purchase"].max())
    test_cutoff = end - horizon
    if test_cutoff < first:
        return Section(notes=[ctx.text("churn_short_history")])
    test = churn.dataset(ctx.transactions, cutoff=test_cutoff, horizon_days=days)
    if test.y.nunique() < 2:  # everyone churned, or no one: nothing to learn
        return Section(notes=[ctx.text("churn_short_history")])
    train = None
    if test_cutoff - horizon >= first:
        train = churn.dataset(ctx.transactions, cutoff=test_cutoff - horizon, horizon_days=days)
        if train.y.nunique() < 2:
            train = None
    tested = train is not None
    if not tested:  # one horizon of history: learn from it, nothing is left to test on
        train = test
    today = churn.features(ctx.transactions)
    features = train.X.columns  # a feature absent at the training cutoff cannot be used
    # Small customer tables: threads cost more to start than they save, and on a busy
    # machine they made the fit and the predictions many times slower than one thread.
    with threadpool_limits(1):
        model = churn.ChurnModel(estimator=CHURN_ESTIMATOR, random_state=0).fit(train.X, train.y)
        risk = model.risk_tier(
            today.reindex(columns=features, fill_value=0.0), tiers=ctx.options.churn_tiers, lang=ctx.lang
        )
        if tested:
            scores = {
                "churn_model": model.churn_probability(test.X.reindex(columns=features, fill_value=0.0))
            }
    risk = risk.reindex(ctx.customers.index)
    if _clv_column(ctx) in ctx.customers:
        # A customer the spend model leaves out (spend netted to zero by returns) is worth 0.
        value = ctx.customers[_clv_column(ctx)].fillna(0.0)
    else:
        value = ctx.customers["total_spend"]
    plan = churn.interventions(risk.dropna(subset=["churn_probability"]), segments=value, lang=ctx.lang)

    tiers = risk.groupby("risk_tier", observed=False).agg(
        n_customers=("churn_probability", "size"), mean_probability=("churn_probability", "mean")
    )
    tiers.insert(1, "share", tiers["n_customers"] / tiers["n_customers"].sum())
    actions = pd.crosstab(plan["risk_tier"], plan["intervention"])
    high = ctx.label(_labels.CHURN_RISK_TIERS, "high")
    section = Section(
        headline=[
            ("recent_churn_rate", float(test.y.mean()), "share"),
            ("high_risk_customers", int(tiers.loc[high, "n_customers"]), "count"),
            ("expected_churners", float(risk["churn_probability"].sum()), "count"),
        ],
        columns=pd.DataFrame(
            {
                "churn_probability": risk["churn_probability"],
                "churn_risk_tier": risk["risk_tier"],
                "churn_intervention": plan["intervention"].reindex(ctx.customers.index),
            }
        ),
        notes=[
            ctx.text(
                "churn_note",
                days=days,
                cutoff=train.cutoff.date().isoformat(),
                test=test_cutoff.date().isoformat(),
            )
        ],
    )
    qualifier = None
    if tested:
        expected = churn.bgnbd_baseline(ctx.transactions, as_of=test_cutoff, horizon_days=days)
        scores["bgnbd_baseline"] = -expected.reindex(test.X.index)
        table = pd.DataFrame(
            {
                "churn_model": churn.score_metrics(test.y, scores["churn_model"]),
                "bgnbd_baseline": churn.score_metrics(test.y, scores["bgnbd_baseline"], probability=False),
            }
        ).T[["n", "churn_rate", "roc_auc", "pr_auc", "brier", "lift_top10", "captured_top10"]]
        auc = float(table.loc["churn_model", "roc_auc"])
        section.headline[:0] = [
            ("churn_auc", auc, "score"),
            ("churn_auc_bgnbd", float(table.loc["bgnbd_baseline", "roc_auc"]), "score"),
        ]
        section.tables.append(Table(ctx.text("churn_backtest"), table))
        if auc < CHURN_MIN_AUC:
            qualifier = ctx.text("unreliable")
            section.caveat = ctx.text("churn_unreliable", auc=auc, floor=CHURN_MIN_AUC)
        from .plotting import calibration_curve, roc

        named = {_display.value_label(k, ctx.lang): s.to_numpy() for k, s in scores.items()}
        section.figures += [
            ("roc", roc(test.y, named, lang=ctx.lang)),
            ("calibration", calibration_curve(test.y, scores["churn_model"].to_numpy(), lang=ctx.lang)),
        ]
    else:
        qualifier = ctx.text("untested")
        section.caveat = ctx.text("churn_untested")
    if qualifier is not None:  # the tiers are not to be taken as fact
        tiers.index = [f"{tier} ({qualifier})" for tier in tiers.index]
        actions.index = [f"{tier} ({qualifier})" for tier in actions.index]
        tiers.index.name = actions.index.name = "risk_tier"
        section.headline = [
            (*h[:3], qualifier) if h[0] == "high_risk_customers" else h for h in section.headline
        ]
    section.tables[:0] = [
        Table(ctx.text("churn_tiers"), tiers),
        Table(ctx.text("churn_interventions"), actions, default="count"),
    ]
    return section


_KPI_COLUMNS = [
    "net_revenue",
    "orders",
    "buyers",
    "new_buyers",
    "aov",
    "repeat_purchase_rate",
    "return_rate",
    "net_revenue_growth",
]


def _kpis(ctx: Context) -> Section:
    monthly = metrics.kpis(ctx.transactions, freq="M")
    cohorts = metrics.cohort_retention(ctx.transactions, freq="M")
    counts = metrics.cohort_retention(ctx.transactions, freq="M", normalize=False)
    # The cards compare whole months: a month the data end inside is left out of them.
    partial = ctx.as_of.normalize() < monthly.index[-1].end_time.normalize() and len(monthly) > 1
    whole = monthly.iloc[:-1] if partial else monthly
    last = whole.iloc[-1]
    from .plotting import cohort_heatmap, kpi_trend

    shown = cohorts.rename(columns=lambda k: ctx.text("month_n", n=k))
    shown.index.name = "cohort"
    section = Section(
        headline=[
            ("last_period", str(whole.index[-1]), "text"),
            ("last_period_net_revenue", float(last["net_revenue"]), "money"),
            ("last_period_buyers", int(last["buyers"]), "count"),
        ],
        tables=[
            Table(ctx.text("kpi_table"), monthly[_KPI_COLUMNS].tail(12)),
            Table(ctx.text("cohort_table"), shown, default="share"),
        ],
        figures=[
            ("trend", kpi_trend(monthly, ("gmv", "net_revenue"), lang=ctx.lang)),
            # Many cohorts or months: a row of its own, so that each cell's label reads.
            ("cohorts", cohort_heatmap(cohorts, lang=ctx.lang), max(cohorts.shape) > 8),
        ],
    )
    if partial:
        section.notes.append(
            ctx.text(
                "partial_month",
                period=str(monthly.index[-1]),
                date=ctx.show(ctx.as_of, "date"),
                last=str(whole.index[-1]),
            )
        )
    if len(whole) > 1:  # the change on the previous month
        section.headline[2:2] = [("net_revenue_change", float(last["net_revenue_growth"]), "share")]
        section.headline.append(("buyers_change", float(last["buyers_growth"]), "share"))
    # Month-1 retention over every cohort whose month 1 is observed, weighted by size.
    if 1 in counts.columns:
        observed = counts[1].notna()
        if observed.any():
            rate = counts.loc[observed, 1].sum() / counts.loc[observed, 0].sum()
            section.headline.append(("month1_retention", float(rate), "share"))
    return section


def _rows_until(frame: pd.DataFrame, column: str, as_of: pd.Timestamp, what: str) -> tuple[pd.DataFrame, int]:
    """Rows of ``frame`` dated on or before ``as_of`` and how many were later."""
    when = _schema.dates(frame, column, what)
    keep = (when <= _schema.timestamp(as_of, when, "as_of", what)).to_numpy()
    return frame.loc[keep], int((~keep).sum())


def _score_column(frame: pd.DataFrame, metric: str) -> str | None:
    return next((c for c in SURVEY_SCORES[metric] if c in frame.columns), None)


# How each survey score is shown: NPS on -100..100, CSAT in %, CES on its 1..7 scale.
_SURVEY_KINDS = {"nps": "number1", "csat": "percent", "ces": "number"}
_SURVEY_SCORE_KEYS = {"nps": "nps", "csat": "csat", "ces": "mean"}


def _surveys(ctx: Context) -> Section:
    what = "surveys"
    frame = _schema.check_frame(ctx.surveys, what)
    nps_col = _score_column(frame, "nps")
    if nps_col is None:
        raise SchemaError(
            f"{what}: no NPS score column; expected one of {list(SURVEY_SCORES['nps'])} (0..10 answers)"
        )
    _schema.require_columns(frame, [ctx.customer_col, SURVEY_DATE_COL], what)
    frame, n_after = _rows_until(frame, SURVEY_DATE_COL, ctx.as_of, what)
    overall = {"nps": survey.nps(frame, score_col=nps_col)}
    for metric in ("csat", "ces"):
        column = _score_column(frame, metric)
        if column is not None:
            overall[metric] = getattr(survey, metric)(frame, score_col=column)
    # One row per measure, each in its own unit.
    scores = pd.DataFrame(
        {
            "responses": [int(result["n"]) for result in overall.values()],
            **{
                column: [
                    ctx.show(result[_SURVEY_SCORE_KEYS[m] if column == "score" else column], _SURVEY_KINDS[m])
                    for m, result in overall.items()
                ]
                for column in ("score", "ci_low", "ci_high")
            },
        },
        index=pd.Index([ctx.label(_labels.SURVEY_METRICS, k) for k in overall], name="metric"),
    )

    # Per-segment tables and per-customer columns need the answer's customer.
    customer = _schema.ids(frame, ctx.customer_col, what)
    known = customer.isin(ctx.customers.index).to_numpy()
    if not known.all():
        ctx.warn("survey_unknown_customers", n=int((~known).sum()), total=len(frame))
    linked = frame.loc[known]
    section = Section(
        headline=[
            ("responses", len(frame), "count"),
            ("nps", float(overall["nps"]["nps"]), "number1"),
            ("nps_ci_low", float(overall["nps"]["ci_low"]), "number1"),
            ("nps_ci_high", float(overall["nps"]["ci_high"]), "number1"),
        ],
        tables=[
            Table(ctx.text("survey_overall"), scores, {c: "text" for c in ("score", "ci_low", "ci_high")})
        ],
    )
    if "csat" in overall:
        section.headline.append(("csat", float(overall["csat"]["csat"]), "percent"))
    if "ces" in overall:
        section.headline.append(("ces", float(overall["ces"]["mean"]), "number"))
    if n_after:
        section.notes.append(ctx.text("after_as_of", n=n_after))
    from .plotting import nps_bar, score_distribution

    section.figures.append(("nps_scores", score_distribution(frame[nps_col], lang=ctx.lang)))
    shown = ["responses", "promoter_share", "passive_share", "detractor_share", "nps", "ci_low", "ci_high"]
    for column, caption in (("rfm_segment", "nps_by_rfm"), ("lifecycle_stage", "nps_by_stage")):
        if column in ctx.customers.columns and len(linked):
            table = survey.by_segment(
                linked, ctx.customers, column, customer_col=ctx.customer_col, score_col=nps_col
            )
            section.tables.append(Table(ctx.text(caption), table.rename(columns={"n": "responses"})[shown]))
            if column == "rfm_segment":
                section.figures.append(("nps_by_rfm", nps_bar(table, lang=ctx.lang)))
    if len(linked):
        joined = survey.link(
            linked,
            ctx.customers[[]],
            customer_col=ctx.customer_col,
            date_col=SURVEY_DATE_COL,
            score_col=nps_col,
            lang=ctx.lang,
        )
        section.columns = joined.rename(
            columns={
                "n_responses": "survey_responses",
                "last_response_date": "last_survey_date",
                "last_score": "last_nps_score",
                "last_category": "last_nps_category",
            }
        )
    return section


def _loyalty(ctx: Context) -> Section:
    from .loyalty import Ledger, LoyaltyProgram

    what = "loyalty"
    events = _schema.check_frame(ctx.loyalty, what)
    _schema.require_columns(events, [LOYALTY_EVENT_DATE_COL], what)
    # The events name the customer like the transactions, or as the ledger does by default.
    customer_col = ctx.customer_col if ctx.customer_col in events.columns else "customer_id"
    events, n_after = _rows_until(events, LOYALTY_EVENT_DATE_COL, ctx.as_of, what)
    ledger = Ledger(
        events,
        ctx.loyalty_program or LoyaltyProgram(),
        customer_col=customer_col,
        date_col=LOYALTY_EVENT_DATE_COL,
    )
    balances = ledger.balances(as_of=ctx.as_of)
    tiers = ledger.tiers(as_of=ctx.as_of, lang=ctx.lang)
    section = Section()
    try:
        liability = ledger.liability(as_of=ctx.as_of)
    except SchemaError:  # no lot has expired yet: breakage cannot be estimated from history
        liability = ledger.liability(as_of=ctx.as_of, breakage=0.0)
        section.notes.append(ctx.text("no_breakage"))
    else:
        section.headline.append(("breakage", float(liability["breakage"]), "share"))
    section.headline[:0] = [
        ("loyalty_members", len(balances), "count"),
        ("points_outstanding", int(balances["balance"].sum()), "count"),
        ("points_expiring_90d", int(balances["expiring_90d"].sum()), "count"),
    ]
    section.headline.append(("loyalty_liability", float(liability["liability"]), "money"))
    if n_after:
        section.notes.append(ctx.text("after_as_of", n=n_after))

    totals = balances.sum().rename("points")
    totals.index.name = "flow"
    mix = tiers["tier"].value_counts(sort=False).rename("members").to_frame()
    mix["share"] = mix["members"] / len(tiers)
    monthly = ledger.summary(freq="M", as_of=ctx.as_of)
    items = liability.drop("as_of").rename(None)
    items.index.name = "item"
    section.tables += [
        Table(ctx.text("points_totals"), totals),
        Table(ctx.text("tier_mix"), mix),
        Table(ctx.text("liability"), items),
        Table(ctx.text("points_by_month"), monthly.tail(12)),
    ]
    from .plotting import points_flow, tier_mix

    history = ledger.tier_history(freq="M", lang=ctx.lang)
    section.figures += [
        ("points", points_flow(monthly.tail(12), lang=ctx.lang)),
        ("tiers", tier_mix(history, lang=ctx.lang)),
    ]

    known = balances.index.isin(ctx.customers.index)
    if not known.all():
        ctx.warn("loyalty_unknown_members", n=int((~known).sum()), total=len(balances))
    columns = pd.DataFrame(
        {
            "points_balance": balances["balance"],
            "points_expiring_90d": balances["expiring_90d"],
            "loyalty_tier": tiers["tier"],
        }
    ).reindex(ctx.customers.index)
    # Customers who never joined hold no points (0) and have no tier (left empty).
    points = ["points_balance", "points_expiring_90d"]
    columns[points] = columns[points].fillna(0).astype(np.int64)
    section.columns = columns
    return section


_SLA_COLUMNS = [
    "tickets",
    "response_median_hours",
    "response_within_sla",
    "resolution_median_hours",
    "resolution_within_sla",
    "first_contact_resolution",
    "open",
]


def _service(ctx: Context) -> Section:
    what = "tickets"
    tickets = _schema.check_frame(ctx.tickets, what)
    kwargs = {"customer_col": ctx.customer_col, "as_of": ctx.as_of}
    overall = service.sla(tickets, **kwargs)
    row = overall.iloc[0]
    from .plotting import sla_dashboard

    section = Section(
        headline=[
            ("tickets", int(row["tickets"]), "count"),
            ("response_within_sla", float(row["response_within_sla"]), "share"),
            ("resolution_within_sla", float(row["resolution_within_sla"]), "share"),
            ("first_contact_resolution", float(row["first_contact_resolution"]), "share"),
        ],
        tables=[Table(ctx.text("sla_overall"), overall[_SLA_COLUMNS])],
    )
    groups = [c for c in ("channel", "category") if c in tickets.columns]
    by_group = {column: service.sla(tickets, by=column, **kwargs) for column in groups}
    for column, table in by_group.items():
        by = _display.lower_first(_display.column_label(column, ctx.lang))
        section.tables.append(Table(ctx.text("sla_by", by=by), table[_SLA_COLUMNS]))
    dashboard = by_group[groups[0]] if groups else overall
    section.figures.append(("sla", sla_dashboard(dashboard, lang=ctx.lang)))
    features = service.customer_features(tickets, **kwargs)
    # Customers without tickets have none of them (0), not unknown counts.
    section.columns = features.reindex(ctx.customers.index)
    # (n_complaints stays unknown, NaN, when the tickets have no categories)
    counts = [c for c in ("n_tickets", "n_complaints", "n_open_tickets") if features[c].notna().all()]
    section.columns[counts] = section.columns[counts].fillna(0).astype(np.int64)
    return section


def _products(ctx: Context) -> Section:
    """What is bought together and the next best product of each customer, from the
    product column of the transactions (``ecrm.recommend.report_tables``)."""
    from . import recommend
    from .plotting import rules_scatter

    segments = ctx.customers["rfm_segment"] if "rfm_segment" in ctx.customers else None
    tables = recommend.report_tables(
        ctx.transactions,
        segments=segments,
        lang=ctx.lang,
        top=PRODUCTS_TOP,
        holdout_days=PRODUCTS_HOLDOUT_DAYS,
    )
    rules = tables["rules"][1]
    best = tables["next_best_product"][1]
    purchases = ctx.transactions.product[ctx.transactions.purchase]
    section = Section(
        headline=[
            ("n_products", int(purchases.nunique()), "count"),
            ("n_baskets", int(rules.attrs["n_baskets"]), "count"),
            ("n_rules", len(rules), "count"),
        ],
        columns=best.reindex(ctx.customers.index),
    )
    shares = {"support": "share", "confidence": "share", "share": "share"}
    if len(rules):
        section.headline.append(("top_rule_lift", float(rules["lift"].iloc[0]), "number"))
        min_support = float(rules.attrs["min_support"])
        section.notes.append(
            ctx.text(
                "products_rules_note",
                basket=ctx.text(f"basket_{rules.attrs['basket']}"),
                n_baskets=ctx.show(rules.attrs["n_baskets"], "count"),
                support=ctx.show(min_support, "share"),
                min_baskets=ctx.show(math.ceil(min_support * rules.attrs["n_baskets"]), "count"),
                confidence=ctx.show(rules.attrs["min_confidence"], "share"),
            )
        )
        # A pair shows up as A -> C and C -> A with the same lift: shown once, the more
        # confident way round (a few thousand rules at most: patterns, not rows).
        pair = pd.Series(
            [
                tuple(sorted((*a, *c), key=str))
                for a, c in zip(rules["antecedent"], rules["consequent"], strict=True)
            ]
        )
        shown = rules.reset_index(drop=True)[~pair.duplicated().to_numpy()]
        top = shown.head(PRODUCTS_TOP)[["antecedent", "consequent", "support", "confidence", "lift"]].copy()
        for side in ("antecedent", "consequent"):
            top[side] = [", ".join(map(str, items)) for items in top[side]]
        top.index = pd.RangeIndex(1, len(top) + 1, name="rank")
        section.tables.append(Table(tables["bought_together"][0], top, shares))
        section.figures.append(("rules", rules_scatter(shown, top=50, annotate=1, lang=ctx.lang)))
    else:
        section.notes.append(ctx.text("products_no_rules"))
    section.notes.append(ctx.text("products_knn_note"))
    caption, by_segment = tables["next_best_by_segment"]
    # One row per segment: its customers' most frequent next best products and their shares.
    listed = by_segment.assign(
        item=[f"{product} ({ctx.show(share, 'share')})" for product, share in
              zip(by_segment["next_best_product"], by_segment["share"], strict=True)]
    )  # fmt: skip
    grouped = listed.groupby("segment", sort=False)
    per_segment = pd.DataFrame(
        {
            "n_customers": grouped["n_customers"].sum() / grouped["share"].sum(),
            "next_best_products": grouped["item"].agg(ctx.text("and_list").join),
        }
    )
    section.tables.append(Table(caption, per_segment, {"n_customers": "count"}))
    if "evaluation" in tables:
        caption, evaluation = tables["evaluation"]
        knn, popular = evaluation.loc["ItemKNN", "recall"], evaluation.loc[recommend.BASELINE, "recall"]
        section.headline += [
            ("recall_itemknn", float(knn), "share"),
            ("recall_popular", float(popular), "share"),
        ]
        section.notes.append(
            ctx.text(
                "products_evaluation_note",
                split=ctx.show(ctx.as_of - pd.Timedelta(days=PRODUCTS_HOLDOUT_DAYS), "date"),
                knn=ctx.show(knn, "share"),
                popular=ctx.show(popular, "share"),
            )
        )
        kinds = {"recall": "share", "precision": "share", "hit_rate": "share", "ndcg": "score"}
        section.tables.append(Table(caption, evaluation, kinds))
    return section


# The rows of the campaign's lift table: (metric, estimate, kind of its values, of its lift).
_CAMPAIGN_ROWS = (
    ("conversion_rate", "raw", "share", "points"),
    ("orders_per_customer", "raw", "number", "number"),
    ("revenue_per_customer", "raw", "money", "money"),
    ("revenue_per_customer", "cuped", "money", "money"),
)


def _p_value(p: float, *, sentence: bool = False) -> str:
    """A p-value as people read it: two decimals like every figure of the page, or
    "< 0.01" (never "0.00")."""
    if not np.isfinite(p):  # e.g. no buyer in either group
        return f"p = {_display.MISSING}" if sentence else _display.MISSING
    text = "< 0.01" if p < 0.005 else f"{p:.2f}"
    return f"p {text}" if sentence and p < 0.005 else f"p = {text}" if sentence else text


def _segment_at_send(ctx: Context, ids: pd.Series, start: str) -> pd.Categorical:
    """Each assigned customer's RFM segment on the eve of the send (before the campaign
    could change it); customers without a purchase by then get a label of their own."""
    send = _schema.timestamp(start, ctx.transactions.date, "campaign_start", "campaign")
    eve = send - pd.Timedelta(seconds=1)
    none = ctx.text("campaign_no_history")
    if eve < ctx.transactions.first_date:
        return pd.Categorical([none] * len(ids))
    segment = rfm.segment(rfm.score(customer_summary(ctx.transactions.upto(eve))), lang=ctx.lang)["segment"]
    labels = segment.cat.add_categories([none]).reindex(ids.to_numpy()).fillna(none)
    return pd.Categorical(labels.to_numpy(), categories=labels.cat.categories, ordered=True)


def _campaign(ctx: Context) -> Section:
    """The lift of a campaign over its holdout (``ecrm.campaign.evaluate``): in words,
    in cards, tables and figures, by segment, with the checks behind it."""
    from . import campaign
    from .plotting import cumulative_conversion, lift_by_segment

    what = "campaign"
    options = ctx.options
    frame = _schema.check_frame(ctx.campaign, what)
    # The assignments name the customer like the transactions, or as ecrm does by default.
    customer_col = ctx.customer_col if ctx.customer_col in frame.columns else "customer_id"
    _schema.require_columns(frame, [customer_col], what)
    by = options.campaign_by
    if by is None and CAMPAIGN_SEGMENT_COL in frame.columns:
        by = CAMPAIGN_SEGMENT_COL
    elif by is None and options.campaign_start is not None:
        by = "rfm_segment_at_send"
        ids = _schema.ids(frame, customer_col, what)
        frame = frame.assign(**{by: _segment_at_send(ctx, ids, options.campaign_start)})
    result = campaign.evaluate(
        frame,
        ctx.transactions,
        start=options.campaign_start,
        window_days=options.campaign_window_days,
        split=options.campaign_split,
        cuped=options.campaign_cuped,
        by=by,
        min_customers=CAMPAIGN_MIN_CUSTOMERS,
        min_converters=CAMPAIGN_MIN_CONVERTERS,
        customer_col=customer_col,
    )
    lift, groups, srm = result.lift, result.groups, result.srm
    cuped = result.cuped is not None

    def say(key: str) -> str:
        return ctx.label(_labels.CAMPAIGN_WORDS | _labels.CAMPAIGN_TERMS, key)

    def interval(low: float, high: float, kind: str) -> str:
        return ctx.text("interval", low=ctx.show(low, kind), high=ctx.show(high, kind))

    def verdict(row: pd.Series, what_key: str) -> str:
        key = (
            "campaign_up" if row["ci_low"] > 0 else "campaign_down" if row["ci_high"] < 0 else "campaign_null"
        )
        return ctx.text(key, what=_display.lower_first(say(what_key)))

    n1, n0 = int(srm["n_treatment"]), int(srm["n_control"])
    start = options.campaign_start
    setup = ctx.text(
        "campaign_setup",
        treatment=ctx.show(n1, "count"),
        control=ctx.show(n0, "count"),
        observed=ctx.show(srm["observed_share"], "share"),
        planned=ctx.show(srm["planned_share"], "share"),
        srm_p=_p_value(srm["p_value"], sentence=True),
        window=options.campaign_window_days,
        start=ctx.show(start, "date") if start is not None else ctx.text("campaign_each_start"),
    )
    conversion = lift.loc[("conversion_rate", "raw")]
    said_conversion = ctx.text(
        "two_sentences",
        first=ctx.text(
            "campaign_conversion",
            treated=ctx.show(conversion["treatment"], "share"),
            control=ctx.show(conversion["control"], "share"),
            lift=ctx.show(conversion["lift"], "points"),
            low=ctx.show(conversion["ci_low"], "points"),
            high=ctx.show(conversion["ci_high"], "points"),
            p=_p_value(conversion["p_value"], sentence=True),
        ),
        second=verdict(conversion, "conversion_rate"),
    )
    revenue = result.primary
    impact = result.impact
    said_revenue = ctx.text(
        "two_sentences",
        first=ctx.text(
            "campaign_revenue",
            adjusted=ctx.text("campaign_adjusted") if cuped else "",
            treated=ctx.show(revenue["treatment"], "money"),
            control=ctx.show(revenue["control"], "money"),
            lift=ctx.show(revenue["lift"], "money"),
            low=ctx.show(revenue["ci_low"], "money"),
            high=ctx.show(revenue["ci_high"], "money"),
            p=_p_value(revenue["p_value"], sentence=True),
            n=ctx.show(n1, "count"),
            incremental=ctx.show(impact["incremental_revenue"], "money"),
            inc_low=ctx.show(impact["incremental_revenue_ci_low"], "money"),
            inc_high=ctx.show(impact["incremental_revenue_ci_high"], "money"),
        ),
        second=verdict(revenue, "revenue_per_customer"),
    )
    section = Section(
        headline=[
            ("campaign_treatment", n1, "count"),
            ("campaign_control", n0, "count"),
            ("conversion_treatment", float(conversion["treatment"]), "share"),
            ("conversion_control", float(conversion["control"]), "share"),
            ("conversion_lift", float(conversion["lift"]), "points"),
            ("revenue_lift_cuped" if cuped else "revenue_lift", float(revenue["lift"]), "money"),
            ("incremental_revenue", float(impact["incremental_revenue"]), "money"),
        ],
        notes=[setup, said_conversion, said_revenue],
    )
    section.summary.append(ctx.text("summary_campaign", reading=said_conversion))
    if srm["mismatch"]:
        section.summary[0] = section.caveat = ctx.text(
            "campaign_srm",
            treatment=ctx.show(n1, "count"),
            control=ctx.show(n0, "count"),
            planned=ctx.show(srm["planned_share"], "share"),
            p=_p_value(srm["p_value"], sentence=True),
        )
    if cuped:
        section.notes.append(
            ctx.text(
                "campaign_cuped_note",
                rho=ctx.show(result.cuped["rho"], "score"),
                narrowing=ctx.show(result.cuped["interval_narrowing"], "share"),
                expected=ctx.show(result.cuped["expected_variance_reduction"], "share"),
            )
        )

    shown_groups = groups[
        ["customers", "converters", "conversion_rate", "orders_per_customer", "revenue_per_customer",
         "pre_spend_per_customer", "no_history"]
    ].set_axis([say("treatment"), say("control")])  # fmt: skip
    shown_groups.index.name = "group"
    rows = {}
    for metric, estimate, kind, lift_kind in _CAMPAIGN_ROWS:
        if (metric, estimate) not in lift.index:
            continue
        row = lift.loc[(metric, estimate)]
        name = say("revenue_per_customer_cuped" if estimate == "cuped" else metric)
        rows[name] = {
            "treatment": ctx.show(row["treatment"], kind),
            "control": ctx.show(row["control"], kind),
            "absolute_lift": ctx.show(row["lift"], lift_kind),
            "lift_ci": interval(row["ci_low"], row["ci_high"], lift_kind),
            "relative_lift": ctx.show(row["relative_lift"], "share"),
            "relative_lift_ci": interval(row["relative_ci_low"], row["relative_ci_high"], "share"),
            "p_value": _p_value(row["p_value"]),
        }
    # Figures of different kinds per row, formatted here; shown right-aligned as numbers.
    shown_lift = pd.DataFrame.from_dict(rows, orient="index")
    shown_lift.index.name = "metric"
    checks = pd.Series(
        {
            "planned_share": srm["planned_share"],
            "observed_share": srm["observed_share"],
            "srm_p_value": srm["p_value"],
            **({} if not cuped else result.cuped.to_dict()),
        },
        dtype=float,
    )
    check_kinds = {"srm_p_value": "score", "rho": "score", "theta": "number"}
    section.tables = [
        Table(ctx.text("campaign_groups"), shown_groups, {"pre_spend_per_customer": "money"}),
        Table(ctx.text("campaign_lift"), shown_lift, default="number"),
        Table(ctx.text("campaign_checks"), checks, check_kinds, default="share", details=True),
    ]
    section.figures.append(("conversion", cumulative_conversion(result, lang=ctx.lang)))

    if result.segments is None:
        section.notes.append(ctx.text("campaign_no_segments"))
    else:
        segments = result.segments
        level = segments.index.names[0]
        by_label = _display.lower_first(_display.column_label(str(level), ctx.lang))
        conv = segments.xs(("conversion_rate", "raw"), level=("metric", "estimate"))
        rev = segments.xs(("revenue_per_customer", "cuped" if cuped else "raw"), level=("metric", "estimate"))
        small = ctx.label(_labels.CAMPAIGN_WORDS, "small_segment")
        too_small = conv["small"].to_numpy(dtype=bool)
        table = pd.DataFrame(
            {
                "n_treatment": conv["n_treatment"].map(lambda v: ctx.show(v, "count")),
                "n_control": conv["n_control"].map(lambda v: ctx.show(v, "count")),
                "conversion_lift": conv["lift"].map(lambda v: ctx.show(v, "points")),
                "conversion_lift_ci": [
                    interval(a, b, "points") for a, b in zip(conv["ci_low"], conv["ci_high"], strict=True)
                ],
                "conversion_p_holm": conv["p_value_holm"].map(_p_value),
                "revenue_lift": rev["lift"].map(lambda v: ctx.show(v, "money")),
                "revenue_lift_ci": [
                    interval(a, b, "money") for a, b in zip(rev["ci_low"], rev["ci_high"], strict=True)
                ],
                "revenue_p_holm": rev["p_value_holm"].map(_p_value),
                "small_segment": np.where(too_small, small, ""),
            },
            index=conv.index,
        )  # a display table: one row per segment
        section.tables.append(
            Table(ctx.text("campaign_by", by=by_label), table, {"small_segment": "text"}, default="number")
        )
        readable = conv[~too_small]
        if len(readable):
            top = readable["lift"].idxmax()
            section.notes.append(
                ctx.text(
                    "campaign_segment_note",
                    by=by_label,
                    segment=_display.column_label(str(top), ctx.lang),
                    lift=ctx.show(readable.loc[top, "lift"], "points"),
                    p=_p_value(readable.loc[top, "p_value_holm"], sentence=True),
                    min=CAMPAIGN_MIN_CUSTOMERS,
                    buyers=CAMPAIGN_MIN_CONVERTERS,
                )
            )
        # The figures draw a segment too small to read hollow, as the table marks it.
        position = conv.index.get_indexer(segments.index.get_level_values(level))
        marked = segments.assign(small=too_small[position])
        drawn = dataclasses.replace(result, segments=marked)
        section.figures += [
            ("lift_conversion", lift_by_segment(drawn, metric="conversion_rate", lang=ctx.lang)),
            ("lift_revenue", lift_by_segment(drawn, metric="revenue_per_customer", lang=ctx.lang)),
        ]
    measured = result.customers
    section.columns = pd.DataFrame(
        {
            "campaign_group": measured["group"].cat.rename_categories([say("treatment"), say("control")]),
            "campaign_converted": measured["converted"],
            "campaign_revenue": measured["revenue"],
        }
    ).reindex(ctx.customers.index)
    return section


# Sections that need every transaction row in memory (baskets, a campaign's windows): on
# an engine they show a note instead.
IN_MEMORY_SECTIONS = ("products", "campaign")

SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("overview", (), _overview),
    SectionSpec("rfm", (), _rfm),
    SectionSpec("lifecycle", (), _lifecycle),
    SectionSpec("segments", (), _segments),
    SectionSpec("clv", (), _clv),
    SectionSpec("churn", (), _churn),
    SectionSpec("kpis", (), _kpis),
    SectionSpec("products", ("products",), _products),
    SectionSpec("campaign", ("campaign",), _campaign),
    SectionSpec("surveys", ("surveys",), _surveys),
    SectionSpec("loyalty", ("loyalty",), _loyalty),
    SectionSpec("service", ("tickets",), _service),
)
"""The report's sections in page order. A section runs when every input it needs is given."""


# ---------------------------------------------------------------------------------------
# Executive summary and notes on the data


def _executive_summary(
    ctx: Context, headlines: dict[str, dict[str, Any]], caveats: dict[str, str]
) -> tuple[list[str], list[str]]:
    """Plain sentences with numbers, and up to three actions, from the joined customer table
    and the sections' headline figures; whatever a missing section would say is left out."""
    customers = ctx.customers
    spend = customers["total_spend"]
    revenue = float(spend.sum())
    clv = customers[_clv_column(ctx)] if _clv_column(ctx) in customers else None
    if clv is not None and (not np.isfinite(clv.sum()) or "clv" in caveats):
        clv = None  # a CLV the page warns about is no ground for the summary: revenue instead
    lines: list[str] = []
    actions: list[str] = []
    if "rfm_segment" in customers:
        segment = customers["rfm_segment"]

        def label(key: str) -> str:
            return ctx.label(_labels.RFM_STANDARD, key)

        best = (segment == label("champions")).to_numpy()
        if best.any():
            line = ctx.text(
                "summary_best",
                segment=label("champions"),
                n=ctx.show(best.sum(), "count"),
                share=ctx.show(best.mean(), "share"),
                revenue_share=ctx.show(spend[best].sum() / revenue, "share"),
            )
            if clv is not None and clv.sum() > 0:
                line = ctx.text(
                    "two_sentences",
                    first=line,
                    second=ctx.text(
                        "summary_best_clv", clv_share=ctx.show(clv[best].sum() / clv.sum(), "share")
                    ),
                )
            lines.append(line)
        slipping = segment.isin([label("at_risk"), label("cant_lose_them")]).to_numpy()
        if slipping.any():
            line = ctx.text(
                "summary_at_risk",
                n=ctx.show(slipping.sum(), "count"),
                segments=ctx.text("and_list").join([label("at_risk"), label("cant_lose_them")]),
                revenue=ctx.show(spend[slipping].sum(), "money"),
                revenue_share=ctx.show(spend[slipping].sum() / revenue, "share"),
            )
            if clv is not None:
                line = ctx.text(
                    "two_sentences",
                    first=line,
                    second=ctx.text("summary_at_risk_clv", clv=ctx.show(clv[slipping].sum(), "money")),
                )
            lines.append(line)
    # The churn model's high-risk, high-value customers, when its tiers can be trusted.
    churn = headlines.get("churn", {})
    trusted = churn.get("churn_auc", 0.0) >= CHURN_MIN_AUC and "churn_intervention" in customers
    if trusted:
        call = ctx.label(_labels.INTERVENTIONS, "service_call")
        urgent = (customers["churn_intervention"] == call).to_numpy()
        if urgent.any():
            at_stake = clv[urgent].sum() if clv is not None else spend[urgent].sum()
            actions.append(
                ctx.text(
                    "action_churn",
                    action=call,
                    n=ctx.show(urgent.sum(), "count"),
                    tier=_display.lower_first(ctx.label(_labels.CHURN_RISK_TIERS, "high")),
                    value=ctx.show(at_stake, "money"),
                    what=ctx.text("expected_clv" if clv is not None else "past_revenue"),
                )
            )
    kpis = headlines.get("kpis", {})
    if "net_revenue_change" in kpis and np.isfinite(kpis["net_revenue_change"]):
        lines.append(
            ctx.text(
                "summary_change",
                period=kpis["last_period"],
                revenue=ctx.show(kpis["last_period_net_revenue"], "money"),
                change=_signed(ctx.show(kpis["net_revenue_change"], "share")),
                buyers=ctx.show(kpis["last_period_buyers"], "count"),
                buyers_change=_signed(ctx.show(kpis.get("buyers_change", float("nan")), "share")),
            )
        )
    if "rfm_segment" in customers:
        # The segments holding the most value (expected CLV, else revenue), with their action.
        worth = (clv if clv is not None else spend).groupby(customers["rfm_segment"], observed=True).sum()
        size = customers["rfm_segment"].value_counts()
        for name in worth.sort_values(ascending=False).index:
            if len(actions) == 3:
                break
            key = _labels_key(_labels.RFM_STANDARD, str(name), ctx.lang)
            if key is None or size.get(name, 0) == 0:
                continue
            actions.append(
                ctx.text(
                    "action_segment",
                    segment=name,
                    customers=ctx.text(
                        "customers_one" if size[name] == 1 else "customers_n", n=ctx.show(size[name], "count")
                    ),
                    value=ctx.show(worth[name], "money"),
                    what=ctx.text("expected_clv" if clv is not None else "past_revenue"),
                    action=ctx.label(_labels.RFM_ACTIONS, key),
                )
            )
    return lines, actions


def _signed(text: str) -> str:
    return text if text.startswith(("-", _display.MISSING)) else f"+{text}"


def _labels_key(table: _labels.Table, label: str, lang: str) -> str | None:
    """The key of ``label`` in ``table`` (None when it is not one of its labels)."""
    return next((key for key, row in table.items() if row[lang] == label), None)


def _data_note(ctx: Context, facts: pd.Series) -> str:
    """How the transactions were read, from :meth:`ecrm.Transactions.describe`: rows used,
    customers, dates, and every row left out or netted, in the report language."""
    parts = [
        ctx.text(
            "data_read",
            kept=ctx.show(facts["rows_kept"], "count"),
            read=ctx.show(facts["rows_read"], "count"),
            customers=ctx.show(facts["customers"], "count"),
            first=ctx.show(facts["first_date"], "date"),
            last=ctx.show(facts["last_date"], "date"),
        )
    ]
    if facts["rows_without_customer"]:
        share = ctx.show(facts["their_revenue_share"], "share")
        parts.append(ctx.text("data_without_customer", n=facts["rows_without_customer"], share=share))
    if facts["return_rows"]:
        amount = ctx.show(facts["returns_amount"], "money")
        parts.append(ctx.text("data_returns", n=facts["return_rows"], amount=amount))
        if facts["cancelled_rows"]:
            parts.append(ctx.text("data_cancelled", n=facts["cancelled_rows"]))
    if facts["returns_excluded"]:
        parts.append(ctx.text("data_returns_excluded", n=facts["returns_excluded"]))
    if facts["rows_after_as_of"]:
        parts.append(ctx.text("data_after_as_of", n=facts["rows_after_as_of"]))
    return ctx.text("list_separator").join(parts)


@dataclass
class _Note:
    """One distinct warning: how often it arose, and in which sections."""

    category: type[Warning]
    message: str
    filename: str
    lineno: int
    count: int = 0
    sections: list[str] = field(default_factory=list)


def _collect(notes: dict[tuple[type[Warning], str], _Note], key: str, caught: list[Any]) -> None:
    for w in caught:
        note = notes.setdefault(
            (w.category, str(w.message)), _Note(w.category, str(w.message), w.filename, w.lineno)
        )
        note.count += 1
        if key not in note.sections:
            note.sections.append(key)


def _note_kind(ctx: Context, category: type[Warning]) -> str:
    """The label of a warning's kind: the nearest class with a word in REPORT_TEXT."""
    for klass in category.__mro__:
        key = f"note_{klass.__name__}"
        if key in _labels.REPORT_TEXT:
            return ctx.text(key)
    return ctx.text("note_EcrmWarning")


# ---------------------------------------------------------------------------------------
# Rendering


def _json_value(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _table_html(table: Table, lang: str, currency: str) -> str:
    esc = html.escape
    shown = _display.show(table, lang, currency=currency)
    head = "".join(
        f'<th class="{"num" if numeric else "text"}" scope="col">{esc(label)}</th>'
        for label, numeric in zip(shown.columns, shown.numeric, strict=True)
    )
    rows = []
    for label, cells in shown.rows:  # a display table: tens of rows, not customers
        tds = "".join(
            f'<td class="{"num" if numeric else "text"}">{esc(cell)}</td>'
            for cell, numeric in zip(cells, shown.numeric, strict=True)
        )
        rows.append(f'<tr><th scope="row">{esc(label)}</th>{tds}</tr>')
    # Many columns (a cohort table): smaller type and padding, so that it fits the page.
    compact = " compact" if len(shown.columns) > COMPACT_TABLE_COLUMNS else ""
    return (
        f'<table class="table{compact}"><thead><tr>'
        f'<th class="corner" scope="col">{esc(shown.index_label)}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans CJK SC","PingFang SC",
"Microsoft YaHei",sans-serif;margin:2rem auto;max-width:1180px;padding:0 1rem;color:#222;line-height:1.45}
h1{margin-bottom:.2rem} h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2.5rem}
h3{margin:1.6rem 0 .3rem;font-size:1.05rem}
.meta{color:#666}
.box{border-radius:8px;padding:.4rem 1.2rem .8rem;margin:1.2rem 0}
.box h2{border:none;margin-top:.6rem}
.summary{background:#f3f7fc;border:1px solid #c9d9ee}
.summary ol{margin:.2rem 0 .4rem 1.2rem;padding:0}
.notes{background:#fff8e6;border:1px solid #f0d58c}
.notes ul{margin:.2rem 0 .4rem 1.2rem;padding:0}
.notes .where{color:#6b5b2a;font-size:.88rem}
.caveat{background:#fdecea;border-left:4px solid #c0392b;padding:.5rem .8rem;margin:.8rem 0;font-weight:600}
.note{margin:.5rem 0}
.cards{display:flex;flex-wrap:wrap;gap:.6rem;margin:.8rem 0}
.card{border:1px solid #ddd;border-radius:6px;padding:.5rem .8rem;min-width:9rem;max-width:15rem;
background:#fafafa}
.card .value{font-size:1.35rem;font-weight:600;display:block}
.card .label{font-size:.8rem;color:#555}
.card .qualifier{font-size:.8rem;color:#c0392b;display:block}
.table-box{overflow-x:auto;max-width:100%}
.table{border-collapse:collapse;font-size:.85rem;margin:.3rem 0 1rem}
.table th,.table td{padding:.25rem .55rem;border-bottom:1px solid #eee;vertical-align:top}
.table thead th{background:#f3f3f3;font-weight:600;vertical-align:bottom;white-space:normal;
min-width:4rem;max-width:9rem}
.table thead th.num{text-align:right}
.table thead th.text,.table th.corner{text-align:left}
.table td.num{text-align:right;white-space:nowrap}
.table td.text{text-align:left;min-width:10rem;max-width:24rem}
.table tbody th{text-align:left;font-weight:600;white-space:nowrap;background:#fafafa}
.table.compact{font-size:.75rem} .table.compact th,.table.compact td{padding:.2rem .3rem}
.table.compact thead th{min-width:2.5rem}
details{margin:.4rem 0 1rem} details summary{cursor:pointer;font-weight:600}
.figures{display:flex;flex-wrap:wrap;gap:1rem;margin:.6rem 0}
figure{margin:0;flex:1 1 520px;max-width:575px}
figure.wide{flex-basis:100%;max-width:100%}
figure img{max-width:100%;height:auto;display:block}
"""


def _page(
    ctx: Context,
    rendered: list[tuple[str, Section, list[tuple[str, str, int, bool]]]],
    summary: tuple[list[str], list[str]],
    data_note: str,
    notes: list[_Note],
) -> str:
    esc = html.escape
    title = ctx.text("title")

    def section_title(key: str) -> str:
        return ctx.label(_labels.REPORT_SECTIONS, key)

    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{ctx.lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">{esc(ctx.text("as_of"))}: <span id="as-of">{ctx.as_of.date().isoformat()}</span>'
        f" · ecrm {esc(_version())}</p>",
        f'<p>{esc(ctx.text("files"))}: <a href="customers.csv">customers.csv</a> '
        f'({esc(ctx.text("customers_csv"))}), <a href="summary.json">summary.json</a> '
        f"({esc(ctx.text('summary_json'))})</p>",
    ]
    lines, actions = summary
    if lines or actions:
        parts.append(
            f'<section id="summary" class="box summary"><h2>{esc(ctx.text("executive_summary"))}</h2>'
        )
        parts += [f"<p>{esc(line)}</p>" for line in lines]
        if actions:
            parts.append(f"<p><strong>{esc(ctx.text('actions'))}</strong></p><ol>")
            parts += [f"<li>{esc(action)}</li>" for action in actions]
            parts.append("</ol>")
        parts.append("</section>")
    parts.append(f'<section id="notes" class="box notes"><h2>{esc(ctx.text("notes_on_data"))}</h2><ul>')
    parts.append(
        f"<li><strong>{esc(ctx.text('note_data') + ctx.text('colon'))}</strong>"
        f"{esc(data_note + ctx.text('sentence_end'))}</li>"
    )
    for note in notes:
        where = ", ".join(section_title(key) for key in note.sections)
        parts.append(
            f"<li><strong>{esc(_note_kind(ctx, note.category) + ctx.text('colon'))}</strong>"
            f"{esc(ctx.messages.get(note.message, note.message))} "
            f'<span class="where">({esc(ctx.text("note_where", n=note.count, sections=where))})'
            "</span></li>"
        )
    parts.append("</ul></section>")
    parts.append(
        f"<nav><strong>{esc(ctx.text('contents'))}</strong>: "
        + " · ".join(f'<a href="#{key}">{esc(section_title(key))}</a>' for key, _, _ in rendered)
        + "</nav>"
    )
    for key, section, images in rendered:
        parts.append(f'<section id="{key}"><h2>{esc(section_title(key))}</h2>')
        if section.caveat:
            parts.append(f'<p class="caveat note">{esc(section.caveat)}</p>')
        parts += [f'<p class="note">{esc(note)}</p>' for note in section.notes]
        if section.headline:
            parts.append('<div class="cards">')
            for name, value, kind, *qualifier in section.headline:
                extra = f'<span class="qualifier">{esc(qualifier[0])}</span>' if qualifier else ""
                parts.append(
                    f'<div class="card" data-key="{key}.{name}"><span class="value">'
                    f'{esc(ctx.show(value, kind))}</span><span class="label">'
                    f"{esc(ctx.headline_label(name))}</span>{extra}</div>"
                )
            parts.append("</div>")
        if images:
            parts.append('<div class="figures">')
            for path, alt, width, marked in images:  # a wide figure takes the full width
                wide = ' class="wide"' if marked or width > WIDE_FIGURE_PX else ""
                parts.append(
                    f'<figure{wide}><img src="{esc(path)}" alt="{esc(alt)}" loading="eager"></figure>'
                )
            parts.append("</div>")
        for table in section.table_list():
            body = f'<div class="table-box">{_table_html(table, ctx.lang, ctx.options.currency)}</div>'
            if table.details:
                parts.append(f"<details><summary>{esc(table.caption)}</summary>{body}</details>")
            else:
                parts.append(f"<h3>{esc(table.caption)}</h3>{body}")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _version() -> str:
    from . import __version__

    return __version__


def _save_figures(key: str, section: Section, out_dir: Path) -> list[tuple[str, str, int, bool]]:
    """Write the section's figures; returns (relative path, title, width in pixels, marked
    wide) of each."""
    import matplotlib.pyplot as plt

    saved = []
    for name, ax, *wide in section.figures:
        relative = f"figures/{key}_{name}.png"
        figure = ax.get_figure()
        with warnings.catch_warnings():
            # Without a CJK font, plotting warned once already (ecrm.plotting._base.cjk_fonts).
            warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
            figure.savefig(out_dir / relative, dpi=_FIGURE_DPI, bbox_inches="tight")
        plt.close(figure)
        width = int.from_bytes((out_dir / relative).read_bytes()[16:20], "big")  # from the PNG header
        saved.append((relative, ax.get_title(), width, bool(wide and wide[0])))
    return saved


# ---------------------------------------------------------------------------------------
# The entry point


def build(
    transactions: pd.DataFrame | Transactions | EngineTransactions,
    out_dir: str | Path,
    *,
    surveys: pd.DataFrame | None = None,
    loyalty: pd.DataFrame | None = None,
    tickets: pd.DataFrame | None = None,
    campaign: pd.DataFrame | None = None,
    loyalty_program: Any = None,
    as_of: object = None,
    lang: str = "en",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
    product_col: str | None = None,
    progress: Callable[[str], None] | None = None,
    currency: str = "",
    clv_horizon_months: int = CLV_HORIZON_MONTHS,
    clv_penalizer: float = 0.0,
    churn_horizon_days: int = CHURN_HORIZON_DAYS,
    churn_tiers: Mapping[str, float] | None = None,
    campaign_start: object = None,
    campaign_window_days: int = CAMPAIGN_WINDOW_DAYS,
    campaign_cuped: bool = True,
    campaign_split: float = 0.5,
    campaign_by: str | None = None,
) -> Report:
    """Write the customer report: ``index.html``, ``customers.csv`` and ``summary.json``.

    The page opens with an executive summary (best customers and their share of revenue,
    valuable customers at risk and the revenue and expected CLV at stake, the change on
    the previous month, three recommended actions) and the notes on the data (each
    distinct warning once, with how often and in which sections it arose). Then the
    sections, in order: overview, RFM, lifecycle, k-means segments, customer lifetime
    value, churn, KPIs and cohorts; "products bought together" and "next best product"
    when the transactions carry product ids (``product_col``); "did the campaign work?"
    when ``campaign`` assignments are given; then surveys, the loyalty programme and
    customer service when ``surveys`` / ``loyalty`` / ``tickets`` are given. Each section adds
    headline figures, tables (labels in ``lang``, % for shares, money with two decimals),
    PNG figures (in ``out_dir/figures/``, referenced relatively, so the folder can be
    moved or zipped) and its per-customer columns. A model section whose own validation
    is weak says so in its first line (churn ROC AUC below 0.6 out of time, or a CLV fit
    that did not converge), and the churn tiers are then labelled unreliable.

    The transactions are validated once (:func:`ecrm.transactions`), cut at ``as_of``
    once, and that one log is given to every section, so no section parses dates,
    factorises ids or sorts purchase keys again.

    Parameters
    ----------
    transactions : pandas.DataFrame, ecrm.Transactions or ecrm.EngineTransactions
        One row per order or order line (negative amounts are returns), or the output of
        :func:`ecrm.transactions` (for data that needs a mapping: quantity x price, a
        date format, guest rows, cancellations). On an engine (a log larger than memory:
        :func:`ecrm.transactions` on a path, or a DuckDB, Polars, Spark or Dask frame)
        the per-customer and per-period tables are computed there and come back as
        pandas; the lifecycle stage history and transitions are then left out, with a
        note in the lifecycle section, and the products and campaign sections (baskets
        and a campaign's windows need every row in memory) are a note.
    out_dir : str or Path
        Folder to write to; created if needed, files of an earlier report replaced.
    surveys : pandas.DataFrame, optional
        One row per answer with ``customer_col``, ``date`` and a 0..10 NPS answer in
        ``score`` or ``nps_score``; ``csat_score`` (1..5) and ``ces_score`` (1..7) are
        reported when present (the columns of :func:`ecrm.datasets.make_surveys`).
        Answers after ``as_of`` are left out.
    loyalty : pandas.DataFrame, optional
        Loyalty events in the format of :class:`ecrm.loyalty.Ledger` (``event_id``,
        customer, ``ts``, ``type``, ``points``; ``ref_event_id`` for reversals,
        ``amount`` for spend-based tiers). Events after ``as_of`` are left out.
    tickets : pandas.DataFrame, optional
        Customer-service tickets in the format of :func:`ecrm.service.sla` (customer
        column ``customer_col``); by-channel and by-category tables when those columns
        exist.
    campaign : pandas.DataFrame, optional
        Campaign assignments, one row per customer: the customer (``customer_col``, or
        ``customer_id``), ``group`` (``"treatment"`` or ``"control"``), and
        ``assigned_at`` unless ``campaign_start`` is given; a ``segment`` column (as at
        the send) gives the lift by segment. Measured with :func:`ecrm.campaign.evaluate`
        on the same transactions: conversion and revenue lift with 95% intervals, CUPED,
        the sample-ratio check, lift by segment, in words and figures.
    loyalty_program : ecrm.loyalty.LoyaltyProgram, optional
        The rules of the loyalty programme (expiry, tiers, point value); default
        ``LoyaltyProgram()``.
    as_of : date-like, optional
        The snapshot for every input; default the last transaction date.
    lang : {"en", "zh"}
        Language of every heading, label, table header, note and figure.
    customer_col, date_col, amount_col, order_col, product_col : str
        Transaction columns of a DataFrame (a ``Transactions`` carries its own; product
        ids, one per order line, add the products section and ``next_best_product``);
        the transactions' ``customer_col`` also names the customer in surveys, tickets
        and (when present there) loyalty events.
    progress : callable, optional
        Called with a short message as each section starts (the CLI prints them).
    currency : str
        Symbol put before money values on the page (``"$"``, ``"£"``); none by default.
    clv_horizon_months : int
        Months of the CLV forecast (default 12): columns ``clv_<months>m`` and
        ``expected_purchases_<months>m``.
    clv_penalizer : float
        L2 penalty of the CLV models (default 0); a small value such as 0.001 steadies a
        fit that did not converge, as the CLV caveat suggests.
    churn_horizon_days : int
        A customer churns when they buy nothing in this many days (default 90).
    churn_tiers : dict, optional
        Lower churn-probability bounds of the risk tiers, default
        ``{"high": 0.7, "medium": 0.4}``.
    campaign_start, campaign_window_days, campaign_cuped, campaign_split, campaign_by
        How the campaign is measured (see :class:`Options`): the send date (default each
        customer's ``assigned_at``), the window (30 days), CUPED (on), the planned
        treatment share (0.5) and the assignments column to break the lift down by
        (default ``segment`` when present, else the RFM segment at the send).

    Returns
    -------
    Report
        ``index_html`` (path), ``customers`` (the joined customer table written to
        ``customers.csv``: summary, RFM scores and segments, lifecycle stage,
        ``cluster`` and ``cluster_name``, ``p_alive``, ``expected_purchases_12m``,
        ``expected_order_value``, ``clv_12m`` and the columns of the optional
        sections: ``next_best_product``; ``campaign_group``, ``campaign_converted``,
        ``campaign_revenue``; ...), ``summary`` (the content of ``summary.json``: ``as_of``,
        ``sections``, ``headline`` per section at full precision, ``caveats``,
        ``notes``, ``figures``), ``headline`` and ``executive_summary`` (lines as shown).

    Raises
    ------
    ecrm.errors.SchemaError
        Bad input in any frame (the message names the input, column and problem), or an
        unsupported ``lang``. The exception's ``input`` attribute names the frame at fault.
    ecrm.errors.LedgerError
        Loyalty events the ledger refuses (the message names the events); ``input`` is
        ``"loyalty"``.

    Warns
    -----
    ecrm.errors.DataDroppedWarning
        Survey answers or loyalty members of customers without transactions (kept in
        the overall scores and programme totals); repeat customers without positive
        spend left out of the Gamma-Gamma model. Each distinct warning is issued once.
    ecrm.clv.ConvergenceWarning
        When the CLV model's optimiser does not converge.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way. *Marketing Science* 24(2), 275-284 (the customer summary); Hughes, A. M.
    (1994). *Strategic Database Marketing* (RFM); Reichheld, F. F. (2003). The one number
    you need to grow. *Harvard Business Review* 81(12) (NPS).

    Examples
    --------
    >>> import tempfile, ecrm
    >>> tx = ecrm.datasets.load_cdnow_sample()
    >>> with tempfile.TemporaryDirectory() as out:
    ...     report = ecrm.report.build(tx, out)
    ...     report.summary["sections"], report.summary["headline"]["overview"]["customers"]
    (['overview', 'rfm', 'lifecycle', 'segments', 'clv', 'churn', 'kpis'], 2357)
    """
    _labels.check_lang(lang)
    options = Options(
        currency=currency,
        clv_horizon_months=clv_horizon_months,
        clv_penalizer=clv_penalizer,
        churn_horizon_days=churn_horizon_days,
        churn_tiers=churn_tiers,
        campaign_start=campaign_start,
        campaign_window_days=campaign_window_days,
        campaign_cuped=campaign_cuped,
        campaign_split=campaign_split,
        campaign_by=campaign_by,
    )
    given = {"surveys": surveys, "loyalty": loyalty, "tickets": tickets, "campaign": campaign}
    notify = progress or (lambda message: None)
    out = Path(out_dir)
    notes: dict[tuple[type[Warning], str], _Note] = {}

    notify("customer summary")
    try:
        with warnings.catch_warnings(record=True) as caught:  # the caller's filters apply
            if isinstance(transactions, EngineTransactions):
                log = transactions.upto(as_of)  # on the engine: sections aggregate there
            else:
                log = as_transactions(
                    transactions,
                    customer_col=customer_col,
                    date_col=date_col,
                    amount_col=amount_col,
                    order_col=order_col,
                    product_col=product_col,
                ).upto(as_of)
            summary = customer_summary(log)
    except SchemaError as err:
        err.input = "transactions"
        raise
    _collect(notes, "overview", caught)
    ctx = Context(
        transactions=log,
        customers=summary,
        as_of=log.as_of,
        lang=lang,
        customer_col=log.customer_col,
        loyalty_program=loyalty_program,
        options=options,
        **given,
    )
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    (out / "figures").mkdir(exist_ok=True)
    rendered: list[tuple[str, Section, list[tuple[str, str, int, bool]]]] = []
    # What the optional sections need: an input frame, or product ids in the transactions.
    products = (
        log.mapping.product_col if isinstance(log, EngineTransactions) else getattr(log, "product", None)
    )
    available = {**given, "products": products}
    for spec in SECTIONS:
        if any(available[name] is None for name in spec.needs):
            continue
        notify(_labels.label(_labels.REPORT_SECTIONS, spec.key, "en"))
        if isinstance(log, EngineTransactions) and spec.key in IN_MEMORY_SECTIONS:
            note = Section(notes=[ctx.text("engine_in_memory", engine=log.engine)])
            rendered.append((spec.key, note, []))
            continue
        try:
            with warnings.catch_warnings(record=True) as caught:  # the caller's filters apply
                section = spec.function(ctx)
        except EcrmError as err:
            err.input = spec.needs[0] if spec.needs and spec.needs[0] in given else "transactions"
            raise
        finally:
            plt.close("all")  # figures of a failed section must not leak
        _collect(notes, spec.key, caught)
        if section.columns is not None:
            ctx.customers = ctx.customers.join(section.columns)
        rendered.append((spec.key, section, _save_figures(spec.key, section, out)))

    # Each distinct warning once: to the caller, and ecrm's own on the page.
    for note in notes.values():
        warnings.warn_explicit(note.message, note.category, note.filename, note.lineno)
    shown_notes = [note for note in notes.values() if issubclass(note.category, EcrmWarning)]
    headlines = {key: {h[0]: h[1] for h in section.headline} for key, section, _ in rendered}
    facts = log.describe()
    caveats = {key: section.caveat for key, section, _ in rendered if section.caveat}
    lines, actions = _executive_summary(ctx, headlines, caveats)
    lines += [line for _, section, _ in rendered for line in section.summary]

    notify("writing files")
    ctx.customers.attrs = {}
    ctx.customers.to_csv(out / "customers.csv")
    summary_json = {
        "ecrm_version": _version(),
        "as_of": ctx.as_of.date().isoformat(),
        "lang": lang,
        "inputs": {"transactions": int(facts["rows_read"])}
        | {name: len(frame) for name, frame in given.items() if frame is not None},
        "sections": [key for key, _, _ in rendered],
        "headline": {
            key: {name: _json_value(value) for name, value in values.items()}
            for key, values in headlines.items()
        },
        "options": {name: _json_value(value) for name, value in dataclasses.asdict(options).items()},
        "data": {name: _json_value(value) for name, value in facts.items() if name != "amount"},
        "caveats": caveats,
        "notes": [
            {"category": n.category.__name__, "message": n.message, "count": n.count, "sections": n.sections}
            for n in shown_notes
        ],
        "figures": [image[0] for _, _, images in rendered for image in images],
    }
    (out / "summary.json").write_text(
        json.dumps(summary_json, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    index = out / "index.html"
    index.write_text(
        _page(ctx, rendered, (lines, actions), _data_note(ctx, facts), shown_notes), encoding="utf-8"
    )
    headline = [
        f"{ctx.headline_label(name)}{f' ({extra[0]})' if extra else ''}: {ctx.show(value, kind)}"
        for _, section, _ in rendered
        for name, value, kind, *extra in section.headline
    ]
    return Report(
        index_html=index,
        customers=ctx.customers,
        summary=summary_json,
        headline=headline,
        executive_summary=[*lines, *actions],
    )
