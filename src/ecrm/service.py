"""Customer-service tickets: service levels (SLA), first-contact resolution, backlog.

A ticket is one customer request with its creation time, its first response and its
resolution (either may still be missing). Everything is measured at a snapshot
``as_of``: tickets created later are left out, and a response or resolution after
``as_of`` has not happened yet, so the ticket counts as unanswered or open. The default
thresholds are the common e-commerce service standard: respond within 24 hours,
resolve within 72 hours.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _engine, _schema
from .errors import EcrmWarning, SchemaError

__all__ = ["customer_features", "sla"]

_HOUR = np.timedelta64(1, "h")


@dataclass(frozen=True)
class _Tickets:
    """Validated tickets created on or before ``as_of``, times as datetime64[ns]."""

    frame: pd.DataFrame  # the input rows kept, for group columns
    customer: pd.Series
    created: np.ndarray
    responded: np.ndarray  # first response (or resolution when earlier); NaT = none by as_of
    resolved: np.ndarray  # NaT = open at as_of
    contacts: np.ndarray | None
    csat: np.ndarray | None
    as_of: pd.Timestamp
    as_of_ns: np.datetime64
    n_after_as_of: int


def _optional_dates(frame: pd.DataFrame, column: str, like: pd.Series, what: str) -> np.ndarray:
    """A date column where missing values mean "not happened yet", as naive ns in UTC."""
    present = frame[column].notna().to_numpy()
    out = np.full(len(frame), np.datetime64("NaT", "ns"), dtype="datetime64[ns]")
    if present.any():
        parsed = _schema.dates(frame.loc[present], column, what)
        if getattr(parsed.dtype, "tz", None) != getattr(like.dtype, "tz", None):
            raise SchemaError(
                f"{what}: column {column!r} has time zone {getattr(parsed.dtype, 'tz', None)} but "
                f"the creation times have {getattr(like.dtype, 'tz', None)}; use one zone"
            )
        out[present] = _naive_ns(parsed)
    return out


def _naive_ns(values: pd.Series) -> np.ndarray:
    if getattr(values.dtype, "tz", None) is not None:
        values = values.dt.tz_convert(None)
    return values.to_numpy().astype("datetime64[ns]")


def _numbers(frame: pd.DataFrame, column: str, what: str) -> np.ndarray:
    """An optional numeric column: NaN allowed (unknown), text and infinity refused."""
    values = frame[column]
    numeric = pd.to_numeric(values, errors="coerce").astype("float64")
    bad = (numeric.isna() & values.notna()).to_numpy()
    if bad.any():
        raise _schema.bad_rows(what, column, "has non-numeric values", frame, bad)
    arr = numeric.to_numpy()
    if np.isinf(arr).any():
        raise _schema.bad_rows(what, column, "has infinite values", frame, np.isinf(arr))
    return arr


def _tickets(
    tickets: pd.DataFrame,
    *,
    as_of: object,
    cols: dict[str, str],
    csat_scale: object,
    what: str,
) -> _Tickets:
    """The tickets checked and cut at ``as_of``; ``cols`` are the columns by role (:func:`_roles`)."""
    ticket_col, customer_col, created_col = cols["ticket"], cols["customer"], cols["created"]
    response_col, resolved_col = cols["response"], cols["resolved"]
    contacts_col, csat_col = cols["contacts"], cols["csat"]
    frame = _schema.check_frame(tickets, what)
    _schema.require_columns(frame, [ticket_col, customer_col, created_col, response_col, resolved_col], what)
    ticket = _schema.ids(frame, ticket_col, what)
    repeated = ticket.duplicated(keep=False).to_numpy()
    if repeated.any():
        raise _schema.bad_rows(what, ticket_col, "has duplicate ticket ids", frame, repeated)
    customer = _schema.ids(frame, customer_col, what)
    created_s = _schema.dates(frame, created_col, what)
    created = _naive_ns(created_s)
    response = _optional_dates(frame, response_col, created_s, what)
    resolved = _optional_dates(frame, resolved_col, created_s, what)
    for column, times in ((response_col, response), (resolved_col, resolved)):
        early = times < created  # NaT compares False
        if early.any():
            raise _schema.bad_rows(
                what,
                column,
                f"is before {created_col!r}",
                frame,
                early,
                show=[ticket_col, created_col, column],
            )
    contacts = None
    if contacts_col in frame.columns:
        contacts = _numbers(frame, contacts_col, what)
        invalid = ~np.isnan(contacts) & ((contacts < 1) | (contacts != np.round(contacts)))
        if invalid.any():
            raise _schema.bad_rows(what, contacts_col, "is not a whole number >= 1", frame, invalid)
    low, high = _schema.scale(csat_scale, "csat_scale", what)
    csat = None
    if csat_col in frame.columns:
        csat = _numbers(frame, csat_col, what)
        off = ~np.isnan(csat) & ((csat < low) | (csat > high) | (csat != np.round(csat)))
        if off.any():
            raise _schema.bad_rows(
                what,
                csat_col,
                f"has scores that are not whole numbers in {low}..{high} (csat_scale)",
                frame,
                off,
            )

    latest = np.nanmax(np.concatenate([created, response, resolved]).astype("datetime64[ns]"))
    if as_of is None:
        as_of_ts = pd.Timestamp(latest)
        tz = getattr(created_s.dtype, "tz", None)
        as_of_ts = as_of_ts.tz_localize("UTC").tz_convert(tz) if tz is not None else as_of_ts
    else:
        as_of_ts = _schema.timestamp(as_of, created_s, "as_of", what)
    as_of_ns = _naive_ns(pd.Series([as_of_ts]))[0]
    if as_of_ns < created.min():
        raise SchemaError(f"{what}: as_of={as_of_ts} is before the first ticket ({created_s.min()})")
    keep = created <= as_of_ns
    n_after = int(len(keep) - keep.sum())
    # After as_of a response or resolution has not happened yet.
    response = np.where(response <= as_of_ns, response, np.datetime64("NaT", "ns"))
    resolved = np.where(resolved <= as_of_ns, resolved, np.datetime64("NaT", "ns"))
    # A resolution also answers the customer: the first response is the earlier of both.
    responded = np.where(np.isnat(response) | (resolved < response), resolved, response)
    return _Tickets(
        frame[keep],
        customer[keep],
        created[keep],
        responded[keep],
        resolved[keep],
        contacts[keep] if contacts is not None else None,
        csat[keep] if csat is not None else None,
        as_of_ts,
        as_of_ns,
        n_after,
    )


def _roles(*columns: str) -> dict[str, str]:
    """The ticket columns by role (in the order of the keywords), for both paths."""
    return dict(
        zip(
            ("ticket", "customer", "created", "response", "resolved", "contacts", "csat"),
            columns,
            strict=True,
        )
    )


def _hours(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Hours from ``start`` to ``end`` (NaN where ``end`` is NaT)."""
    return (end - start) / _HOUR


def _outcomes(t: _Tickets, response_hours: float, resolution_hours: float) -> pd.DataFrame:
    """Per ticket: durations, and whether each SLA is decided yet and met.

    An SLA is *decided* once the event happened, or once the ticket is older than the
    threshold without it (then it is breached); a younger ticket still waiting is pending.
    """
    _check_hours(response_hours=response_hours, resolution_hours=resolution_hours)
    age = _hours(t.created, np.full(t.created.shape, t.as_of_ns))
    response = _hours(t.created, t.responded)
    resolution = _hours(t.created, t.resolved)
    responded, resolved = ~np.isnan(response), ~np.isnan(resolution)
    return pd.DataFrame(
        {
            "age_hours": age,
            "response_hours": response,
            "resolution_hours": resolution,
            "responded": responded,
            "resolved": resolved,
            "response_decided": responded | (age > response_hours),
            "response_met": responded & (response <= response_hours),
            "resolution_decided": resolved | (age > resolution_hours),
            "resolution_met": resolved & (resolution <= resolution_hours),
        },
        index=t.frame.index,
    )


def _check_hours(**thresholds: float) -> None:
    for name, value in thresholds.items():
        _schema.positive(value, name)  # hours


def _complaint_categories(categories: object, what: str) -> list[object]:
    """``complaint_categories`` as a non-empty list (a string is one category)."""
    if isinstance(categories, str):
        categories = (categories,)
    if not isinstance(categories, Sequence | np.ndarray | pd.Index) or len(categories) == 0:
        raise SchemaError(
            f"{what}: complaint_categories={categories!r} must be a category or a non-empty list of them"
        )
    return list(categories)


def _has_categories(columns: Sequence[object], category_col: str, what: str) -> bool:
    """Whether the tickets have ``category_col``; a warning when not (complaints unknown)."""
    if _schema.label(category_col, "category_col", what) in columns:
        return True
    warnings.warn(
        f"{what}: no column {category_col!r} (category_col), so complaints cannot be counted: "
        "n_complaints is NaN",
        EcrmWarning,
        stacklevel=4,
    )
    return False


def _complaints(frame: pd.DataFrame, category_col: str, categories: object, what: str) -> np.ndarray:
    """Per ticket: is it a complaint (bool), or NaN for all when there are no categories."""
    categories = _complaint_categories(categories, what)
    if not _has_categories(frame.columns, category_col, what):
        return np.full(len(frame), np.nan)
    values = frame[category_col]
    complaint = values.isin(categories).to_numpy()
    if len(frame) and values.notna().any() and not complaint.any():
        present = values.dropna().astype(str).value_counts().index[:10].tolist()
        warnings.warn(
            f"{what}: no ticket has a category in complaint_categories={categories!r}; "
            f"column {category_col!r} has {present}",
            EcrmWarning,
            stacklevel=3,
        )
    return complaint


def sla(
    tickets: pd.DataFrame,
    *,
    response_hours: float = 24,
    resolution_hours: float = 72,
    by: str | None = None,
    as_of: object = None,
    ticket_col: str = "ticket_id",
    customer_col: str = "customer_id",
    created_col: str = "created_at",
    response_col: str = "first_response_at",
    resolved_col: str = "resolved_at",
    contacts_col: str = "contacts",
    csat_col: str = "csat",
    csat_scale: tuple[int, int] = (1, 5),
) -> pd.DataFrame:
    """Service levels of customer-service tickets, overall or per group.

    Runs on an engine: given a Polars, DuckDB or Spark frame of tickets, the checks, the
    per-group counts and the percentiles run there (DuckDB ``quantile_cont``, Polars
    linear ``quantile``, Spark's exact ``percentile``, all equal to the pandas result)
    and only one row per group comes back. A Dask frame has no exact percentile in
    narwhals, so its ticket columns (the ones named here and ``by``) are collected and
    the pandas path runs on them: they must fit in memory.

    Parameters
    ----------
    tickets : pandas.DataFrame, or a Polars, DuckDB, Spark or Dask frame
        One row per ticket.
    response_hours : float
        First-response standard (首次响应时长), default 24 hours.
    resolution_hours : float
        Resolution standard (解决时长), default 72 hours.
    by : str, optional
        Column to group by (``"channel"``, ``"agent"``, ``"category"``, ...).
    as_of : date-like, optional
        Snapshot instant; default the latest time in the data. Tickets created later
        are left out; responses and resolutions later have not happened yet.
    ticket_col, customer_col, created_col, response_col, resolved_col : str
        Column names of the ticket id, the customer id, the creation time, the first
        response time and the resolution time (missing = not yet).
    contacts_col, csat_col : str
        Optional columns: number of contacts the customer needed (whole number >= 1;
        missing = unknown) and satisfaction score (missing = not rated). Ignored when
        absent from the frame.
    csat_scale : (int, int)
        The satisfaction scale, default 1 to 5; a score off it (a 7, a 4.5) is an error.

    Returns
    -------
    pandas.DataFrame
        One row per group (index named ``by``), or a single row ``"all"``, with

        - ``tickets``, ``responded``, ``resolved``; ``open`` = ``tickets - resolved``
          (unresolved tickets are open, never dropped);
        - ``response_median_hours``, ``response_p90_hours`` over responded tickets and
          ``resolution_median_hours``, ``resolution_p90_hours`` over resolved tickets
          (percentiles by linear interpolation, Hyndman and Fan type 7); a resolution
          counts as the first response when no earlier response is recorded;
        - ``response_within_sla``, ``resolution_within_sla``: met / decided, where a
          ticket's SLA is *decided* once the event happened or the ticket is older than
          the threshold without it (a breach); younger waiting tickets are pending and
          not in the base;
        - ``first_contact_resolution`` (首次接触解决率): share of resolved tickets with a
          known contact count that needed exactly one contact (NaN without contacts);
        - ``open_age_median_hours``, ``open_age_max_hours``: age of the open backlog at
          ``as_of``;
        - ``csat_mean``: mean satisfaction score of the rated tickets.

        ``attrs``: ``as_of``, ``response_hours``, ``resolution_hours``,
        ``n_after_as_of``.

    Raises
    ------
    ecrm.errors.SchemaError
        A response or resolution before creation (with example rows), duplicate or
        missing ticket ids, unparseable dates, contacts not a whole number >= 1,
        non-positive thresholds, missing columns.

    References
    ----------
    ISO 10002:2018, *Quality management — Customer satisfaction — Guidelines for
    complaints handling in organizations* (acknowledge and resolve within set times).

    ISO 18295-1:2017, *Customer contact centres — Requirements for customer contact
    centres* (service-level and first-contact-resolution reporting).

    Hyndman, R. J. and Fan, Y. (1996). Sample quantiles in statistical packages. *The
    American Statistician* 50(4), 361-365.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> t = pd.DataFrame({
    ...     "ticket_id": [1, 2, 3, 4],
    ...     "customer_id": [10, 11, 10, 12],
    ...     "created_at": pd.to_datetime(["2024-05-01 09:00", "2024-05-01 10:00",
    ...                                   "2024-05-02 08:00", "2024-05-04 00:00"]),
    ...     "first_response_at": pd.to_datetime(["2024-05-01 11:00", "2024-05-02 16:00",
    ...                                          "2024-05-02 09:00", None]),
    ...     "resolved_at": pd.to_datetime(["2024-05-02 09:00", "2024-05-05 10:00", None, None]),
    ...     "contacts": [1, 3, None, None],
    ... })
    >>> s = ecrm.service.sla(t, as_of="2024-05-05 12:00")
    >>> s[["tickets", "open", "response_median_hours", "response_within_sla"]]
           tickets  open  response_median_hours  response_within_sla
    group
    all          4     2                    2.0                  0.5
    >>> s[["resolution_within_sla", "first_contact_resolution", "open_age_max_hours"]]
           resolution_within_sla  first_contact_resolution  open_age_max_hours
    group
    all                 0.333333                       0.5                76.0
    """
    what = "sla"
    cols = _roles(ticket_col, customer_col, created_col, response_col, resolved_col, contacts_col, csat_col)
    engine = _engine.engine_of(tickets)
    if engine == "dask":  # narwhals' Dask quantile is approximate: the columns come here
        tickets = _engine.collect_columns(tickets, [*cols.values(), *([by] if by else [])], what)
    elif engine is not None:
        _check_hours(response_hours=response_hours, resolution_hours=resolution_hours)
        table, as_of_ts, n_after = _engine.sla_table(
            tickets,
            by=by,
            as_of=as_of,
            response_hours=response_hours,
            resolution_hours=resolution_hours,
            cols=cols,
            csat_scale=csat_scale,
            what=what,
        )
        return _sla_output(table, by, as_of_ts, response_hours, resolution_hours, n_after)
    t = _tickets(tickets, as_of=as_of, cols=cols, csat_scale=csat_scale, what=what)
    o = _outcomes(t, response_hours, resolution_hours)
    if by is not None:
        _schema.require_columns(t.frame, [by], what)
        key = _schema.ids(t.frame, by, what)
    else:
        key = pd.Series("all", index=o.index)
    contacts = t.contacts if t.contacts is not None else np.full(len(o), np.nan)
    counted = o["resolved"].to_numpy() & ~np.isnan(contacts)
    o["fcr_base"] = counted
    o["fcr_met"] = counted & (contacts == 1)
    o["open_age_hours"] = o["age_hours"].where(~o["resolved"])
    o["csat"] = t.csat if t.csat is not None else np.nan
    groups = o.groupby(key.to_numpy(), sort=True, observed=True)
    sums = groups[
        [
            "responded",
            "resolved",
            "response_decided",
            "response_met",
            "resolution_decided",
            "resolution_met",
            "fcr_base",
            "fcr_met",
        ]
    ].sum()
    durations = groups[["response_hours", "resolution_hours", "open_age_hours"]]
    median, p90 = durations.median(), durations.quantile(0.9)
    table = sums.assign(
        tickets=groups.size(),
        response_median_hours=median["response_hours"],
        response_p90_hours=p90["response_hours"],
        resolution_median_hours=median["resolution_hours"],
        resolution_p90_hours=p90["resolution_hours"],
        open_age_median_hours=median["open_age_hours"],
        open_age_max_hours=groups["open_age_hours"].max(),
        csat_mean=groups["csat"].mean(),
    )
    table = table.rename_axis("group").reset_index()
    return _sla_output(table, by, t.as_of, response_hours, resolution_hours, t.n_after_as_of)


def _sla_output(
    table: pd.DataFrame,
    by: str | None,
    as_of: pd.Timestamp,
    response_hours: float,
    resolution_hours: float,
    n_after: int,
) -> pd.DataFrame:
    """The SLA table from the per-group counts and percentiles (column ``group``, from
    pandas or an engine): shares, open tickets, in the documented column order."""
    table = table.sort_values("group", kind="stable").set_index("group")
    n = table["tickets"].astype(np.int64)

    def count(name: str) -> pd.Series:
        if name not in table:  # no contacts column on the engine: nothing counted
            return pd.Series(0, index=table.index, dtype=np.int64)
        return table[name].astype(np.int64)

    def share(met: str, base: str) -> pd.Series:
        return count(met) / count(base).replace(0, np.nan)

    def numbers(name: str) -> pd.Series:
        values = table[name] if name in table else pd.Series(np.nan, index=table.index)
        return values.astype("float64")

    out = pd.DataFrame(
        {
            "tickets": n,
            "responded": count("responded"),
            "resolved": count("resolved"),
            "open": n - count("resolved"),
            "response_median_hours": numbers("response_median_hours"),
            "response_p90_hours": numbers("response_p90_hours"),
            "resolution_median_hours": numbers("resolution_median_hours"),
            "resolution_p90_hours": numbers("resolution_p90_hours"),
            "response_within_sla": share("response_met", "response_decided"),
            "resolution_within_sla": share("resolution_met", "resolution_decided"),
            "first_contact_resolution": share("fcr_met", "fcr_base"),
            "open_age_median_hours": numbers("open_age_median_hours"),
            "open_age_max_hours": numbers("open_age_max_hours"),
            "csat_mean": numbers("csat_mean"),
        }
    )
    out.index.name = by if by is not None else "group"
    out.attrs.update(
        as_of=as_of,
        response_hours=response_hours,
        resolution_hours=resolution_hours,
        n_after_as_of=n_after,
    )
    return out


def customer_features(
    tickets: pd.DataFrame,
    *,
    as_of: object,
    response_hours: float = 24,
    resolution_hours: float = 72,
    complaint_categories: str | Sequence[str] = ("complaint",),
    category_col: str = "category",
    ticket_col: str = "ticket_id",
    customer_col: str = "customer_id",
    created_col: str = "created_at",
    response_col: str = "first_response_at",
    resolved_col: str = "resolved_at",
    contacts_col: str = "contacts",
    csat_col: str = "csat",
    csat_scale: tuple[int, int] = (1, 5),
) -> pd.DataFrame:
    """Per-customer service features at ``as_of``, e.g. as extra churn features.

    Only tickets created on or before ``as_of``, and only responses and resolutions
    on or before it, are used, so the features never see the future of a churn cutoff.

    Runs on an engine: given a Polars, DuckDB or Spark frame of tickets, the checks and
    the per-customer counts run there and one row per customer comes back. There,
    ``last_csat`` of a customer with two rated tickets created at the same instant is
    the higher score (an engine has no row order; pandas takes the later row). A Dask
    frame's ticket columns are collected and the pandas path runs on them.

    Parameters
    ----------
    tickets : pandas.DataFrame, or a Polars, DuckDB, Spark or Dask frame
        One row per ticket.
    as_of : date-like
        The snapshot (e.g. the churn cutoff). Required: features depend on it.
    response_hours, resolution_hours : float
        SLA thresholds, as in :func:`sla`.
    complaint_categories : str or sequence of str
        Value(s) of ``category_col`` that count as complaints (投诉); a string is one
        category.
    category_col : str
        Ticket category column; without it complaints are unknown: ``n_complaints`` is
        NaN, with a warning. A warning also says when no ticket has a complaint category
        (often a spelling: ``"Complaint"``, ``"投诉"``).
    ticket_col, customer_col, created_col, response_col, resolved_col : str
        Column names of the ticket id, the customer id, the creation time, the first
        response time and the resolution time (missing = not yet).
    contacts_col, csat_col : str
        Optional columns: number of contacts the customer needed (whole number >= 1;
        missing = unknown) and satisfaction score (missing = not rated). Ignored when
        absent from the frame.
    csat_scale : (int, int)
        The satisfaction scale, default 1 to 5; a score off it (a 7, a 4.5) is an error.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id (index name ``customer_col``), customers with at least
        one ticket: ``n_tickets``, ``n_complaints``, ``n_open_tickets``,
        ``sla_breach_share`` (share of the customer's decided tickets that breached the
        response or the resolution SLA; NaN when none is decided yet), ``last_csat``
        (score of the latest rated ticket, NaN if none) and ``days_since_last_ticket``.

    References
    ----------
    ISO 10002:2018, *Guidelines for complaints handling in organizations*.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> t = pd.DataFrame({
    ...     "ticket_id": [1, 2, 3],
    ...     "customer_id": [10, 10, 11],
    ...     "created_at": pd.to_datetime(["2024-05-01", "2024-05-03", "2024-05-02"]),
    ...     "first_response_at": pd.to_datetime(["2024-05-01 05:00", "2024-05-05 00:00", None]),
    ...     "resolved_at": pd.to_datetime(["2024-05-01 06:00", None, None]),
    ...     "category": ["complaint", "delivery", "complaint"],
    ...     "csat": [2.0, None, None],
    ... })
    >>> ecrm.service.customer_features(t, as_of="2024-05-10")
                 n_tickets  n_complaints  n_open_tickets  sla_breach_share  last_csat  days_since_last_ticket
    customer_id
    10                   2             1               1               0.5        2.0                     7.0
    11                   1             1               1               1.0        NaN                     8.0
    """
    what = "customer_features"
    cols = _roles(ticket_col, customer_col, created_col, response_col, resolved_col, contacts_col, csat_col)
    engine = _engine.engine_of(tickets)
    if engine == "dask":  # Dask's nulls do not survive the integer time arithmetic: collect
        tickets = _engine.collect_columns(tickets, [*cols.values(), category_col], what)
    elif engine is not None:
        categories = _complaint_categories(complaint_categories, what)
        _check_hours(response_hours=response_hours, resolution_hours=resolution_hours)
        _has_categories(_engine.column_names(tickets), category_col, what)
        return _engine.ticket_customer_features(
            tickets,
            categories=categories,
            category_col=category_col,
            options=dict(
                as_of=as_of,
                response_hours=response_hours,
                resolution_hours=resolution_hours,
                cols=cols,
                csat_scale=csat_scale,
                what=what,
            ),
        )
    t = _tickets(tickets, as_of=as_of, cols=cols, csat_scale=csat_scale, what=what)
    o = _outcomes(t, response_hours, resolution_hours)
    breached = (o["response_decided"] & ~o["response_met"]) | (o["resolution_decided"] & ~o["resolution_met"])
    decided = breached | (o["response_decided"] & o["resolution_decided"])
    complaint = _complaints(t.frame, category_col, complaint_categories, what)
    per_ticket = pd.DataFrame(
        {
            "complaint": complaint,
            "open": ~o["resolved"].to_numpy(),
            "breached": breached.to_numpy(),
            "decided": decided.to_numpy(),
            "created": t.created,
            "csat": t.csat if t.csat is not None else np.nan,
        },
    )
    groups = per_ticket.groupby(t.customer.to_numpy(), sort=True)
    sums = groups[["complaint", "open", "breached", "decided"]].sum()
    last_created = groups["created"].max()
    # Latest rated ticket: sort rated tickets by time, keep each customer's last.
    rated = per_ticket[per_ticket["csat"].notna()].assign(
        customer=t.customer.to_numpy()[per_ticket["csat"].notna()]
    )
    last_csat = rated.sort_values("created", kind="stable").groupby("customer")["csat"].last()
    out = pd.DataFrame(
        {
            "n_tickets": groups.size(),
            "n_complaints": sums["complaint"] if complaint.dtype == bool else np.nan,
            "n_open_tickets": sums["open"],
            "sla_breach_share": sums["breached"] / sums["decided"].replace(0, np.nan),
            "last_csat": last_csat.reindex(sums.index),
            "days_since_last_ticket": (t.as_of_ns - last_created.to_numpy()) / np.timedelta64(1, "D"),
        }
    )
    out.index.name = customer_col
    out.attrs.update(as_of=t.as_of, n_after_as_of=t.n_after_as_of)
    return out
