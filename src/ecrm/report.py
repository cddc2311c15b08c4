"""The whole picture of a customer base in one HTML page: ``ecrm.report.build``.

The report is a short, ordered list of *sections* (:data:`SECTIONS`). Each section is
one function that takes the report :class:`Context` (the inputs and the customer table
built so far) and returns a :class:`Section`: its tables, figures, headline figures and
the per-customer columns it adds to ``customers.csv``. A section runs only when the
optional inputs it needs (surveys, loyalty events, tickets) are given. Adding a section
is writing one function and adding one line to :data:`SECTIONS`.
"""

from __future__ import annotations

import html
import json
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import _labels, _schema, lifecycle, metrics, rfm, service, survey
from .errors import DataDroppedWarning, EcrmError, EcrmWarning, SchemaError
from .summary import customer_summary
from .transactions import Transactions, as_transactions

__all__ = ["SECTIONS", "Context", "Report", "Section", "SectionSpec", "build", "overview"]


# Survey score columns the report looks for, first match wins (DESIGN: ``score`` is the
# NPS answer; ecrm.datasets.make_surveys writes ``nps_score``, ``csat_score``, ``ces_score``).
SURVEY_SCORES = {"nps": ("score", "nps_score"), "csat": ("csat_score",), "ces": ("ces_score",)}
SURVEY_DATE_COL = "date"

_FIGURE_DPI = 100
# The model sections (segments, CLV, churn) need a customer base to learn from; below this
# many customers they show a note instead of fitting a model to a handful of points.
MIN_MODEL_CUSTOMERS = 50
# k-means settings of the segments section: silhouettes on a 5,000-customer sample and
# 4 initialisations per k keep the automatic choice of k to about a second on CDNOW.
SEGMENT_SAMPLE_SIZE = 5_000
SEGMENT_N_INIT = 4
CLV_HORIZON_MONTHS = 12
CHURN_HORIZON_DAYS = 90
LOYALTY_EVENT_DATE_COL = "ts"


def overview(summary: pd.DataFrame) -> pd.Series:
    """Headline figures of a customer summary.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :func:`ecrm.customer_summary`.

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
    orders = int(summary["n_orders"].sum())
    revenue = float(summary["total_spend"].sum())
    return pd.Series(
        {
            "customers": len(summary),
            "orders": orders,
            "revenue": round(revenue, 2),
            "first_purchase": summary["first_purchase"].min().date().isoformat(),
            "last_purchase": summary["last_purchase"].max().date().isoformat(),
            "as_of": pd.Timestamp(summary.attrs["as_of"]).date().isoformat(),
            "one_time_buyer_share": round(float((summary["n_orders"] == 1).mean()), 4),
            "orders_per_customer": round(orders / len(summary), 3),
            "average_order_value": round(revenue / orders, 2),
            "median_recency_days": float(summary["recency_days"].median()),
        },
        dtype=object,
    )


# ---------------------------------------------------------------------------------------
# The section protocol


@dataclass
class Context:
    """What every section function sees.

    ``transactions`` is the log validated once and cut at ``as_of``: sections pass it to
    every function that reads transactions, which then re-derive nothing. ``customers``
    is the joined customer table so far: the customer summary plus the columns of every
    earlier section (so the survey section can break NPS down by the RFM segment).
    Sections must not modify it; they return their columns instead. ``customer_col``
    names the customer in the transactions, surveys and tickets.
    """

    transactions: Transactions
    customers: pd.DataFrame
    as_of: pd.Timestamp
    lang: str
    customer_col: str
    surveys: pd.DataFrame | None = None
    loyalty: pd.DataFrame | None = None
    tickets: pd.DataFrame | None = None
    loyalty_program: Any = None

    def text(self, key: str) -> str:
        """A report word (:data:`ecrm._labels.REPORT_TEXT`) in the report language."""
        return _labels.label(_labels.REPORT_TEXT, key, self.lang)


@dataclass
class Section:
    """What a section function returns.

    Attributes
    ----------
    headline : list of (key, value, kind)
        Headline figures; ``key`` is in :data:`ecrm._labels.REPORT_HEADLINES`, ``kind``
        one of ``"count"``, ``"money"``, ``"share"`` (a fraction, shown as %),
        ``"percent"`` (already in %), ``"number"``, ``"score"`` (3 decimals, e.g. an
        AUC), ``"text"``.
    tables : list of (caption, DataFrame)
    figures : list of (name, Axes)
        Saved as ``figures/<section>_<name>.png`` next to ``index.html``.
    columns : DataFrame, optional
        Per-customer columns indexed by customer id, joined to ``customers.csv``.
    notes : list of str
        Short sentences shown under the section title.
    """

    headline: list[tuple[str, Any, str]] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    figures: list[tuple[str, Any]] = field(default_factory=list)
    columns: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


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
    string each.
    """

    index_html: Path
    customers: pd.DataFrame
    summary: dict[str, Any]
    headline: list[str]


# ---------------------------------------------------------------------------------------
# Sections, in report order


def _overview(ctx: Context) -> Section:
    summary = ctx.customers
    head = overview(summary)
    columns = ["n_orders", "total_spend", "avg_order_value", "recency_days", "tenure_days"]
    distribution = summary[columns].describe(percentiles=[0.25, 0.5, 0.75, 0.9]).T
    distribution["count"] = distribution["count"].astype(np.int64)
    top = summary.nlargest(10, "total_spend")[["first_purchase", "last_purchase", *columns[:3]]]
    from .plotting import summary_histograms

    return Section(
        headline=[
            ("customers", int(head["customers"]), "count"),
            ("orders", int(head["orders"]), "count"),
            ("revenue", float(head["revenue"]), "money"),
            ("average_order_value", float(head["average_order_value"]), "money"),
            ("orders_per_customer", float(head["orders_per_customer"]), "number"),
            ("one_time_buyer_share", float(head["one_time_buyer_share"]), "share"),
            ("median_recency_days", float(head["median_recency_days"]), "number"),
        ],
        tables=[(ctx.text("distribution"), distribution), (ctx.text("top_customers"), top)],
        figures=[
            ("n_orders", summary_histograms(summary, "n_orders")),
            ("total_spend", summary_histograms(summary, "total_spend")),
        ],
    )


def _rfm(ctx: Context) -> Section:
    scored = rfm.score(ctx.customers)
    standard = rfm.segment(scored, lang=ctx.lang)
    cn8 = rfm.segment(scored, scheme="cn8", lang=ctx.lang)
    table = rfm.segment_summary(standard)
    champions = table.loc[_labels.label(_labels.RFM_STANDARD, "champions", ctx.lang)]
    hibernating = table.loc[_labels.label(_labels.RFM_STANDARD, "hibernating", ctx.lang)]
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
            (ctx.text("segments_standard"), table),
            (ctx.text("segments_cn8"), rfm.segment_summary(cn8)),
        ],
        figures=[("heatmap", rfm_heatmap(scored)), ("segments", segment_bar(standard))],
        columns=columns,
    )


_ACTIVE_STAGES = ("new", "active", "loyal", "reactivated")


def _lifecycle(ctx: Context) -> Section:
    stages = lifecycle.stage(ctx.transactions, lang=ctx.lang)
    counts = stages["stage"].value_counts(sort=False).rename("n_customers").to_frame()
    counts["share"] = counts["n_customers"] / len(stages)
    share = counts["share"]

    def stage_label(key: str) -> str:
        return _labels.label(_labels.LIFECYCLE_STAGES, key, ctx.lang)

    history = lifecycle.history(ctx.transactions, freq="M", lang=ctx.lang)
    from .plotting import lifecycle_area, transition_heatmap

    section = Section(
        headline=[
            ("active_share", float(share[[stage_label(k) for k in _ACTIVE_STAGES]].sum()), "share"),
            ("at_risk", int(counts.loc[stage_label("at_risk"), "n_customers"]), "count"),
            ("churned_share", float(share[stage_label("churned")]), "share"),
        ],
        tables=[(ctx.text("stage_counts"), counts)],
        figures=[("history", lifecycle_area(lifecycle.stage_counts(history)))],
        columns=stages[["stage"]].rename(columns={"stage": "lifecycle_stage"}),
    )
    # Transitions over the last six months, when the data reach that far back.
    start = ctx.as_of - pd.DateOffset(months=6)
    if start >= ctx.customers["first_purchase"].min():
        matrix = lifecycle.transitions(ctx.transactions, start=start, end=ctx.as_of, lang=ctx.lang)
        section.tables.append((ctx.text("transitions"), matrix))
        section.figures.append(("transitions", transition_heatmap(matrix)))
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
    profiles = profiles[["size", "share", *[c for c in profiles.columns if c.endswith(("_mean", "_median"))]]]
    profiles.insert(0, "name", names)
    profiles.insert(3, "revenue_share", revenue / customers["total_spend"].sum())
    from .plotting import cluster_profiles, k_selection

    return Section(
        headline=[
            ("n_clusters", int(segmenter.n_clusters_), "count"),
            ("top_cluster_share", float(profiles.loc[0, "share"]), "share"),
            ("top_cluster_revenue_share", float(profiles.loc[0, "revenue_share"]), "share"),
        ],
        tables=[(ctx.text("cluster_profiles"), profiles), (ctx.text("k_scores"), segmenter.k_scores_)],
        figures=[("k_selection", k_selection(segmenter)), ("profiles", cluster_profiles(segmenter))],
        columns=pd.DataFrame(
            {
                "cluster": labels,
                "cluster_name": pd.Categorical.from_codes(labels.to_numpy(), categories=names.tolist()),
            },
            index=customers.index,
        ),
    )


def _clv(ctx: Context) -> Section:
    from .clv import CLVModel

    if (few := _too_few(ctx)) is not None:
        return few
    weekly = customer_summary(ctx.transactions, time_unit="W")
    model = CLVModel(purchase_model="bgnbd", spend_model="gamma_gamma").fit(weekly)
    value = model.predict_clv(horizon=CLV_HORIZON_MONTHS, horizon_unit="M")
    columns = value.rename(
        columns={"expected_purchases": "expected_purchases_12m", "expected_spend": "expected_order_value",
                 "clv": "clv_12m"}
    )  # fmt: skip
    distribution = (
        columns[["p_alive", "expected_purchases_12m", "clv_12m"]]
        .describe(percentiles=[0.25, 0.5, 0.75, 0.9, 0.99])
        .T
    )
    distribution["count"] = distribution["count"].astype(np.int64)
    from .plotting import clv_distribution, p_alive_matrix

    section = Section(
        headline=[
            ("clv_12m_total", float(columns["clv_12m"].sum()), "money"),
            ("clv_12m_mean", float(columns["clv_12m"].mean()), "money"),
            ("expected_purchases_12m", float(columns["expected_purchases_12m"].sum()), "number"),
            ("p_alive_repeat_mean", float(columns["p_alive"][weekly["frequency"] > 0].mean()), "share"),
        ],
        tables=[
            (ctx.text("clv_params"), model.params_),
            (ctx.text("clv_distribution"), distribution),
        ],
        figures=[("distribution", clv_distribution(value)), ("p_alive", p_alive_matrix(model))],
        columns=columns,
        notes=[ctx.text("clv_note")],
    )
    if "rfm_segment" in ctx.customers.columns:
        by_segment = columns.groupby(ctx.customers["rfm_segment"], observed=False).agg(
            n_customers=("clv_12m", "size"),
            p_alive=("p_alive", "mean"),
            clv_12m_mean=("clv_12m", "mean"),
            clv_12m_total=("clv_12m", "sum"),
        )
        by_segment["clv_share"] = by_segment["clv_12m_total"] / columns["clv_12m"].sum()
        section.tables.append((ctx.text("clv_by_rfm"), by_segment))
    return section


def _churn_out_of_time(ctx: Context, train: Any) -> tuple[pd.DataFrame, dict] | None:
    """Scores of a model learnt one horizon before ``train.cutoff``, on ``train``'s labels.

    :func:`ecrm.churn.backtest` with two cutoffs, keeping the scores for the figures;
    None when the data do not reach a horizon further back.
    """
    from . import churn

    earlier = train.cutoff - train.horizon
    if earlier < ctx.customers["first_purchase"].min():
        return None
    old = churn.dataset(ctx.transactions, cutoff=earlier, horizon_days=CHURN_HORIZON_DAYS)
    if old.y.nunique() < 2:
        return None
    model = churn.ChurnModel(random_state=0).fit(old.X, old.y)
    expected = churn.bgnbd_baseline(ctx.transactions, as_of=train.cutoff, horizon_days=CHURN_HORIZON_DAYS)
    scores = {
        "model": model.churn_probability(train.X.reindex(columns=old.X.columns, fill_value=0.0)).to_numpy(),
        "BG/NBD": -expected.reindex(train.X.index).to_numpy(),
    }
    table = pd.DataFrame(
        {
            "model": churn.score_metrics(train.y, scores["model"]),
            "BG/NBD": churn.score_metrics(train.y, scores["BG/NBD"], probability=False),
        }
    ).T
    table["n"] = table["n"].astype(np.int64)
    return table, scores


def _churn(ctx: Context) -> Section:
    """Churn model learnt one horizon before ``as_of`` (labels known), scoring ``as_of``,
    with its out-of-time test next to the BG/NBD baseline."""
    from threadpoolctl import threadpool_limits

    from . import churn

    if (few := _too_few(ctx)) is not None:
        return few
    # Label windows must be fully observed: they end at the snapshot or the last purchase.
    end = min(ctx.as_of, ctx.customers["last_purchase"].max())
    cutoff = end - pd.Timedelta(days=CHURN_HORIZON_DAYS)
    if cutoff < ctx.customers["first_purchase"].min():
        return Section(notes=[ctx.text("churn_short_history")])
    train = churn.dataset(ctx.transactions, cutoff=cutoff, horizon_days=CHURN_HORIZON_DAYS)
    if train.y.nunique() < 2:  # everyone churned, or no one: nothing to learn
        return Section(notes=[ctx.text("churn_short_history")])
    today = churn.features(ctx.transactions)
    # Gradient boosting on customer tables: OpenMP threads on a busy machine made the fit
    # and the predictions up to 100 times slower than one thread.
    with threadpool_limits(1):
        model = churn.ChurnModel(random_state=0).fit(train.X, train.y)
        # A feature absent at the training cutoff (e.g. return_share) cannot be used.
        risk = model.risk_tier(today.reindex(columns=train.X.columns, fill_value=0.0), lang=ctx.lang)
        tested = _churn_out_of_time(ctx, train)
    risk = risk.reindex(ctx.customers.index)
    if "clv_12m" in ctx.customers:
        # A customer the spend model leaves out (spend netted to zero by returns) is worth 0.
        value = ctx.customers["clv_12m"].fillna(0.0)
    else:
        value = ctx.customers["total_spend"]
    plan = churn.interventions(risk.dropna(subset=["churn_probability"]), segments=value, lang=ctx.lang)

    tiers = risk.groupby("risk_tier", observed=False).agg(
        n_customers=("churn_probability", "size"), mean_probability=("churn_probability", "mean")
    )
    tiers.insert(1, "share", tiers["n_customers"] / tiers["n_customers"].sum())
    high = _labels.label(_labels.CHURN_RISK_TIERS, "high", ctx.lang)
    section = Section(
        headline=[
            ("recent_churn_rate", float(train.y.mean()), "share"),
            ("high_risk_customers", int(tiers.loc[high, "n_customers"]), "count"),
            ("expected_churners", float(risk["churn_probability"].sum()), "number"),
        ],
        tables=[
            (ctx.text("churn_tiers"), tiers),
            (ctx.text("churn_interventions"), pd.crosstab(plan["risk_tier"], plan["intervention"])),
        ],
        columns=pd.DataFrame(
            {
                "churn_probability": risk["churn_probability"],
                "churn_risk_tier": risk["risk_tier"],
                "churn_intervention": plan["intervention"].reindex(ctx.customers.index),
            }
        ),
        notes=[ctx.text("churn_note").format(days=CHURN_HORIZON_DAYS, cutoff=cutoff.date().isoformat())],
    )
    if tested is not None:
        table, scores = tested
        section.headline[:0] = [
            ("churn_auc", float(table.loc["model", "roc_auc"]), "score"),
            ("churn_auc_bgnbd", float(table.loc["BG/NBD", "roc_auc"]), "score"),
        ]
        section.tables.insert(0, (ctx.text("churn_backtest"), table))
        from .plotting import calibration_curve, roc

        section.figures += [
            ("roc", roc(train.y, scores)),
            ("calibration", calibration_curve(train.y, scores["model"])),
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
    last = monthly.iloc[-1]
    from .plotting import cohort_heatmap, kpi_trend

    section = Section(
        headline=[
            ("last_period", str(monthly.index[-1]), "text"),
            ("last_period_net_revenue", float(last["net_revenue"]), "money"),
            ("last_period_buyers", int(last["buyers"]), "count"),
        ],
        tables=[
            (ctx.text("kpi_table"), monthly[_KPI_COLUMNS].tail(12)),
            (ctx.text("cohort_table"), cohorts),
        ],
        figures=[
            ("trend", kpi_trend(monthly, ("gmv", "net_revenue"), lang=ctx.lang)),
            ("cohorts", cohort_heatmap(cohorts)),
        ],
    )
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
    scores = pd.DataFrame(overall).T
    scores.index = [_labels.label(_labels.SURVEY_METRICS, k, ctx.lang) for k in overall]

    # Per-segment tables and per-customer columns need the answer's customer.
    customer = _schema.ids(frame, ctx.customer_col, what)
    known = customer.isin(ctx.customers.index).to_numpy()
    if not known.all():
        warnings.warn(
            f"{what}: {int((~known).sum())} of {len(frame)} answers are from customers without "
            "transactions; they count in the overall scores only",
            DataDroppedWarning,
            stacklevel=3,
        )
    linked = frame.loc[known]
    section = Section(
        headline=[
            ("responses", len(frame), "count"),
            ("nps", float(overall["nps"]["nps"]), "number"),
            ("nps_ci_low", float(overall["nps"]["ci_low"]), "number"),
            ("nps_ci_high", float(overall["nps"]["ci_high"]), "number"),
        ],
        tables=[(ctx.text("survey_overall"), scores)],
    )
    if "csat" in overall:
        section.headline.append(("csat", float(overall["csat"]["csat"]), "percent"))
    if "ces" in overall:
        section.headline.append(("ces", float(overall["ces"]["mean"]), "number"))
    if n_after:
        section.notes.append(f"{n_after} {ctx.text('after_as_of')}")
    from .plotting import nps_bar, score_distribution

    section.figures.append(("nps_scores", score_distribution(frame[nps_col], lang=ctx.lang)))
    for column, caption in (("rfm_segment", "nps_by_rfm"), ("lifecycle_stage", "nps_by_stage")):
        if column in ctx.customers.columns and len(linked):
            table = survey.by_segment(
                linked, ctx.customers, column, customer_col=ctx.customer_col, score_col=nps_col
            )
            section.tables.append((ctx.text(caption), table))
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
        section.notes.append(f"{n_after} {ctx.text('after_as_of')}")

    totals = balances.sum().rename("points").to_frame()
    mix = tiers["tier"].value_counts(sort=False).rename("members").to_frame()
    mix["share"] = mix["members"] / len(tiers)
    monthly = ledger.summary(freq="M", as_of=ctx.as_of)
    section.tables += [
        (ctx.text("points_totals"), totals),
        (ctx.text("tier_mix"), mix),
        (ctx.text("liability"), liability.drop("as_of").astype(str).rename("value").to_frame()),
        (ctx.text("points_by_month"), monthly.tail(12)),
    ]
    from .plotting import points_flow, tier_mix

    history = ledger.tier_history(freq="M", lang=ctx.lang)
    section.figures += [("points", points_flow(monthly.tail(12))), ("tiers", tier_mix(history))]

    known = balances.index.isin(ctx.customers.index)
    if not known.all():
        warnings.warn(
            f"{what}: {int((~known).sum())} of {len(balances)} members have no transactions; they "
            "count in the programme totals only",
            DataDroppedWarning,
            stacklevel=3,
        )
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
        tables=[(ctx.text("sla_overall"), overall)],
    )
    groups = [c for c in ("channel", "category") if c in tickets.columns]
    for column in groups:
        section.tables.append((f"{ctx.text('sla_by')} {column}", service.sla(tickets, by=column, **kwargs)))
    dashboard = section.tables[1][1] if groups else overall
    section.figures.append(("sla", sla_dashboard(dashboard, lang=ctx.lang)))
    features = service.customer_features(tickets, **kwargs)
    # Customers without tickets have none of them (0), not unknown counts.
    section.columns = features.reindex(ctx.customers.index)
    counts = ["n_tickets", "n_complaints", "n_open_tickets"]
    section.columns[counts] = section.columns[counts].fillna(0).astype(np.int64)
    return section


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("overview", (), _overview),
    SectionSpec("rfm", (), _rfm),
    SectionSpec("lifecycle", (), _lifecycle),
    SectionSpec("segments", (), _segments),
    SectionSpec("clv", (), _clv),
    SectionSpec("churn", (), _churn),
    SectionSpec("kpis", (), _kpis),
    SectionSpec("surveys", ("surveys",), _surveys),
    SectionSpec("loyalty", ("loyalty",), _loyalty),
    SectionSpec("service", ("tickets",), _service),
)
"""The report's sections in page order. A section runs when every input it needs is given."""


# ---------------------------------------------------------------------------------------
# Rendering


def _display(value: Any, kind: str) -> str:
    """A headline value as shown on the page."""
    if kind == "text":
        return str(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if kind == "count":
        return f"{int(value):,}"
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "share":
        return f"{100 * value:.1f}%"
    if kind == "percent":
        return f"{value:.1f}%"
    if kind == "score":
        return f"{value:.3f}"
    return f"{value:,.1f}"


def _json_value(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _table_html(frame: pd.DataFrame) -> str:
    shown = frame.copy()
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].round(3)
    if isinstance(shown.columns, pd.RangeIndex | pd.Index) and not all(
        isinstance(c, str) for c in shown.columns
    ):
        shown.columns = [str(c) for c in shown.columns]
    return shown.to_html(classes="table", border=0, na_rep="–", float_format=lambda v: f"{v:,.3f}")


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans CJK SC","PingFang SC",sans-serif;
margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222;line-height:1.45}
h1{margin-bottom:.2rem} h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2.5rem}
.meta{color:#666}
.cards{display:flex;flex-wrap:wrap;gap:.6rem;margin:.8rem 0}
.card{border:1px solid #ddd;border-radius:6px;padding:.5rem .8rem;min-width:9rem;background:#fafafa}
.card .value{font-size:1.35rem;font-weight:600;display:block}
.card .label{font-size:.8rem;color:#555}
.table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0 1.2rem}
.table th,.table td{padding:.2rem .5rem;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
.table th{background:#f3f3f3}
.scroll{overflow-x:auto}
figure{display:inline-block;vertical-align:top;margin:.5rem 1rem .5rem 0;max-width:520px}
figure img{width:100%;height:auto}
"""


def _page(ctx: Context, rendered: list[tuple[str, Section, list[str]]]) -> str:
    esc = html.escape
    title = ctx.text("title")
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
        f"<nav><strong>{esc(ctx.text('contents'))}</strong>: "
        + " · ".join(
            f'<a href="#{key}">{esc(_labels.label(_labels.REPORT_SECTIONS, key, ctx.lang))}</a>'
            for key, _, _ in rendered
        )
        + "</nav>",
    ]
    for key, section, images in rendered:
        parts.append(
            f'<section id="{key}"><h2>{esc(_labels.label(_labels.REPORT_SECTIONS, key, ctx.lang))}</h2>'
        )
        parts += [f"<p>{esc(note)}</p>" for note in section.notes]
        parts.append('<div class="cards">')
        for name, value, kind in section.headline:
            parts.append(
                f'<div class="card" data-key="{key}.{name}"><span class="value">{esc(_display(value, kind))}'
                f'</span><span class="label">{esc(_labels.label(_labels.REPORT_HEADLINES, name, ctx.lang))}'
                "</span></div>"
            )
        parts.append("</div>")
        for path in images:
            parts.append(
                f'<figure><img src="{esc(path)}" alt="{esc(Path(path).stem)}" loading="eager"></figure>'
            )
        for caption, table in section.tables:
            parts.append(f'<h3>{esc(caption)}</h3><div class="scroll">{_table_html(table)}</div>')
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _version() -> str:
    from . import __version__

    return __version__


_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)


def _figure_style(lang: str) -> dict[str, Any]:
    """Matplotlib settings for the figures: a CJK font for Chinese labels when one exists."""
    if lang != "zh":
        return {}
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = [name for name in _CJK_FONTS if name in installed]
    if found:
        return {"font.sans-serif": [*found, "DejaVu Sans"], "font.family": "sans-serif"}
    warnings.warn(
        "report: no Chinese font found for the figures (install e.g. Noto Sans CJK); figure "
        "labels in Chinese will show as boxes, the page text is unaffected",
        EcrmWarning,
        stacklevel=3,
    )
    return {}


def _save_figures(key: str, section: Section, out_dir: Path) -> list[str]:
    import matplotlib.pyplot as plt

    paths = []
    for name, ax in section.figures:
        relative = f"figures/{key}_{name}.png"
        figure = ax.get_figure()
        with warnings.catch_warnings():
            # Missing CJK glyphs were reported once by _figure_style.
            warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
            figure.savefig(out_dir / relative, dpi=_FIGURE_DPI, bbox_inches="tight")
        plt.close(figure)
        paths.append(relative)
    return paths


# ---------------------------------------------------------------------------------------
# The entry point


def build(
    transactions: pd.DataFrame | Transactions,
    out_dir: str | Path,
    *,
    surveys: pd.DataFrame | None = None,
    loyalty: pd.DataFrame | None = None,
    tickets: pd.DataFrame | None = None,
    loyalty_program: Any = None,
    as_of: object = None,
    lang: str = "en",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Write the customer report: ``index.html``, ``customers.csv`` and ``summary.json``.

    Sections (in order): overview, RFM, lifecycle, k-means segments, customer lifetime
    value, KPIs and cohorts, then surveys, the loyalty programme and customer service
    when ``surveys`` / ``loyalty`` / ``tickets`` are given. Each section adds a block of
    headline figures, tables, PNG figures (in ``out_dir/figures/``, referenced
    relatively, so the folder can be moved or zipped) and its per-customer columns.
    Warnings of ecrm raised while a section runs (data left out, a model that did not
    converge) are shown under the section's title as well as issued.

    The transactions are validated once (:func:`ecrm.transactions`), cut at ``as_of``
    once, and that one log is given to every section, so no section parses dates,
    factorises ids or sorts purchase keys again.

    Parameters
    ----------
    transactions : pandas.DataFrame or ecrm.Transactions
        One row per order or order line (negative amounts are returns), or the output of
        :func:`ecrm.transactions` (for data that needs a mapping: quantity x price, a
        date format, guest rows, cancellations).
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
    loyalty_program : ecrm.loyalty.LoyaltyProgram, optional
        The rules of the loyalty programme (expiry, tiers, point value); default
        ``LoyaltyProgram()``.
    as_of : date-like, optional
        The snapshot for every input; default the last transaction date.
    lang : {"en", "zh"}
        Language of headings, labels and segment names.
    customer_col, date_col, amount_col, order_col : str
        Transaction columns of a DataFrame (a ``Transactions`` carries its own);
        the transactions' ``customer_col`` also names the customer in surveys, tickets
        and (when present there) loyalty events.
    progress : callable, optional
        Called with a short message as each section starts (the CLI prints them).

    Returns
    -------
    Report
        ``index_html`` (path), ``customers`` (the joined customer table written to
        ``customers.csv``: summary, RFM scores and segments, lifecycle stage,
        ``cluster`` and ``cluster_name``, ``p_alive``, ``expected_purchases_12m``,
        ``expected_order_value``, ``clv_12m`` and the columns of the optional
        sections) and ``summary`` (the content of ``summary.json``: ``as_of``,
        ``sections``, ``headline`` per section, ``figures``).

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
        spend left out of the Gamma-Gamma model.
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
    given = {"surveys": surveys, "loyalty": loyalty, "tickets": tickets}
    notify = progress or (lambda message: None)
    out = Path(out_dir)

    notify("customer summary")
    try:
        log = as_transactions(
            transactions,
            customer_col=customer_col,
            date_col=date_col,
            amount_col=amount_col,
            order_col=order_col,
        ).upto(as_of)
        summary = customer_summary(log)
    except SchemaError as err:
        err.input = "transactions"
        raise
    ctx = Context(
        transactions=log,
        customers=summary,
        as_of=log.as_of,
        lang=lang,
        customer_col=log.customer_col,
        loyalty_program=loyalty_program,
        **given,
    )
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    (out / "figures").mkdir(exist_ok=True)
    rendered: list[tuple[str, Section, list[str]]] = []
    with plt.rc_context(_figure_style(lang)):
        for spec in SECTIONS:
            if any(given[name] is None for name in spec.needs):
                continue
            notify(_labels.label(_labels.REPORT_SECTIONS, spec.key, "en"))
            try:
                with warnings.catch_warnings(record=True) as caught:  # the caller's filters apply
                    section = spec.function(ctx)
            except EcrmError as err:
                err.input = spec.needs[0] if spec.needs else "transactions"
                raise
            finally:
                plt.close("all")  # figures of a failed section must not leak
            # ecrm's warnings (data left out, a model that did not converge) go on the page
            # too; every warning is issued again to the caller.
            for caught_warning in caught:
                if issubclass(caught_warning.category, EcrmWarning):
                    section.notes.append(str(caught_warning.message))
                warnings.warn_explicit(
                    caught_warning.message,
                    caught_warning.category,
                    caught_warning.filename,
                    caught_warning.lineno,
                )
            if section.columns is not None:
                ctx.customers = ctx.customers.join(section.columns)
            rendered.append((spec.key, section, []))
            rendered[-1][2].extend(_save_figures(spec.key, section, out))

    notify("writing files")
    ctx.customers.attrs = {}
    ctx.customers.to_csv(out / "customers.csv")
    summary_json = {
        "ecrm_version": _version(),
        "as_of": ctx.as_of.date().isoformat(),
        "lang": lang,
        "inputs": {"transactions": int(log.describe()["rows_read"])}
        | {name: len(frame) for name, frame in given.items() if frame is not None},
        "sections": [key for key, _, _ in rendered],
        "headline": {
            key: {name: _json_value(value) for name, value, _ in section.headline}
            for key, section, _ in rendered
        },
        "figures": [path for _, _, images in rendered for path in images],
    }
    (out / "summary.json").write_text(
        json.dumps(summary_json, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    index = out / "index.html"
    index.write_text(_page(ctx, rendered), encoding="utf-8")
    lines = [
        f"{_labels.label(_labels.REPORT_HEADLINES, name, lang)}: {_display(value, kind)}"
        for _, section, _ in rendered
        for name, value, kind in section.headline
    ]
    return Report(index_html=index, customers=ctx.customers, summary=summary_json, headline=lines)
