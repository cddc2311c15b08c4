"""Tests of ecrm.loyalty: hand-worked scenarios per rule, refusals, and properties checked
against a small, obviously-correct per-customer reference loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import ecrm
from ecrm.errors import DataDroppedWarning, LedgerError, SchemaError
from ecrm.loyalty import Ledger, LoyaltyProgram, _grouped_cumsum, _stream_order

T = pd.Timestamp


def events(rows, **extra):
    """Build an event frame from (event_id, customer_id, ts, type, points[, ref]) tuples."""
    cols = ["event_id", "customer_id", "ts", "type", "points", "ref_event_id"]
    rows = [tuple(r) + (None,) * (6 - len(r)) for r in rows]
    frame = pd.DataFrame(rows, columns=cols)
    frame["ts"] = pd.to_datetime(frame["ts"])
    for k, v in extra.items():
        frame[k] = v
    return frame


# -- reference implementation: one customer at a time, an explicit list of lots ----------
def expiry_of(ts: pd.Timestamp, program: LoyaltyProgram) -> pd.Timestamp:
    if program.expiry_policy == "rolling":
        return ts + pd.Timedelta(days=program.expiry_days)
    if program.expiry_policy == "end_of_year":
        return pd.Timestamp(year=ts.year + 2, month=1, day=1)
    return pd.Timestamp.max


def is_credit(frame):
    return (frame["type"] == "earn") | ((frame["type"] == "adjust") & (frame["points"] > 0))


def reference(frame, program, as_of, clip=False):
    """Per-customer flows and balance at ``as_of``, lots kept in a plain list.

    Order at one instant: expiries, credits, debits, then event_id. With ``clip=True`` a
    debit is cut to what is available (and a reversal to what its earn has left) and the
    amounts actually applied are returned, to turn random draws into valid streams.
    """
    ordered = frame.assign(_prio=np.where(is_credit(frame), 1, 2)).sort_values(
        ["customer_id", "ts", "_prio", "event_id"]
    )
    earn_left = dict(zip(frame["event_id"], frame["points"], strict=True))
    result, applied = {}, {}
    for cust, rows in ordered.groupby("customer_id", sort=True):
        lots: list[list] = []  # [remaining, expiry], oldest first
        flows = dict(earned=0, redeemed=0, expired=0, adjusted=0, reversed=0)

        def expire_until(t, lots=lots, flows=flows):
            for lot in lots:
                if lot[1] <= t and lot[0] > 0:
                    flows["expired"] += lot[0]
                    lot[0] = 0

        seen = False
        for row in rows.itertuples():
            if row.ts > as_of:
                break
            seen = True
            expire_until(row.ts)
            pts = int(row.points)
            if row.type == "earn" or (row.type == "adjust" and pts > 0):
                lots.append([pts, expiry_of(row.ts, program)])
                flows["earned" if row.type == "earn" else "adjusted"] += pts
                applied[row.event_id] = pts
                continue
            need = abs(pts)
            available = sum(lot[0] for lot in lots)
            if clip:
                need = min(need, available)
                if row.type == "reverse":
                    need = min(need, earn_left[row.ref_event_id])
            assert need <= available, f"reference: debit {row.event_id} exceeds the balance"
            if row.type == "reverse":
                earn_left[row.ref_event_id] -= need
            applied[row.event_id] = -need if pts < 0 else need
            for lot in lots:  # FIFO: oldest first
                take = min(lot[0], need)
                lot[0] -= take
                need -= take
            key = {"redeem": "redeemed", "reverse": "reversed", "adjust": "adjusted"}[row.type]
            flows[key] += applied[row.event_id]
        expire_until(as_of)
        if seen:
            result[cust] = dict(flows, balance=sum(lot[0] for lot in lots))
    return result, applied


def valid_stream(draws, program, reverses=True):
    """Turn raw draws (customer, day, kind, points, ref pick) into a valid event frame."""
    rows, earns = [], []
    for i, (cust, day, kind, pts, pick) in enumerate(draws, start=1):
        ts = T("2023-01-01") + pd.Timedelta(hours=day)
        if kind == "reverse":
            mine = [e for e, c, t in earns if c == cust and t <= ts]
            if mine and reverses:
                rows.append((i, cust, ts, "reverse", pts, mine[pick % len(mine)]))
        elif kind == "adjust-":
            rows.append((i, cust, ts, "adjust", -pts))
        else:
            rows.append((i, cust, ts, "adjust" if kind == "adjust+" else kind, pts))
            if kind == "earn":
                earns.append((i, cust, ts))
    frame = events(rows)
    _, applied = reference(frame, program, T.max, clip=True)
    frame["points"] = frame["event_id"].map(applied).astype("int64")
    return frame.loc[frame["points"] != 0].reset_index(drop=True)


draw = st.tuples(
    st.integers(1, 3),
    st.integers(0, 24 * 800).map(lambda h: h - h % 6),  # 6-hour grid: many ties
    st.sampled_from(["earn", "earn", "redeem", "redeem", "reverse", "adjust+", "adjust-"]),
    st.integers(1, 60),
    st.integers(0, 10),
)
programs = st.sampled_from(
    [
        LoyaltyProgram(expiry_days=30),
        LoyaltyProgram(expiry_days=365),
        LoyaltyProgram(expiry_policy="end_of_year"),
        LoyaltyProgram(expiry_policy=None),
    ]
)
FLOWS = ["earned", "redeemed", "expired", "adjusted", "reversed", "balance"]
settings_ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def as_dict(balances):
    return {c: {k: int(v) for k, v in row.items()} for c, row in balances[FLOWS].iterrows()}


@settings_
@given(st.lists(draw, min_size=1, max_size=40), programs, st.integers(0, 24 * 900))
def test_fifo_agrees_with_reference_loop(draws, program, hour):
    frame = valid_stream(draws, program)
    if frame.empty:
        return
    ledger = Ledger(frame, program)
    for as_of in [T("2023-01-01") + pd.Timedelta(hours=hour), frame["ts"].max(), T("2030-01-01")]:
        expected, _ = reference(frame, program, as_of)
        got = ledger.balances(as_of=as_of) if as_of >= frame["ts"].min() else None
        if got is None:
            assert expected == {}
            continue
        assert as_dict(got) == expected
        # The identity and non-negativity, for every customer.
        identity = got["earned"] - got["redeemed"] - got["expired"] - got["reversed"] + got["adjusted"]
        assert (identity == got["balance"]).all() and (got["balance"] >= 0).all()
        # Expire events agree with the expired flow and the open lots with the balance.
        exp = ledger.expire(as_of=as_of)
        assert (
            exp.groupby("customer_id")["points"].sum().reindex(got.index, fill_value=0).equals(got["expired"])
        )
        lots = ledger.lots(as_of=as_of)
        assert (
            lots.groupby("customer_id")["remaining"]
            .sum()
            .reindex(got.index, fill_value=0)
            .equals(got["balance"])
        )


@settings_
@given(st.lists(draw, min_size=2, max_size=40), programs, st.randoms(use_true_random=False))
def test_row_order_does_not_matter(draws, program, rnd):
    frame = valid_stream(draws, program)
    if frame.empty:
        return
    shuffled = frame.sample(frac=1, random_state=rnd.randint(0, 10**6))
    a, b = Ledger(frame, program), Ledger(shuffled, program)
    as_of = T("2030-01-01")
    pd.testing.assert_frame_equal(a.balances(as_of=as_of), b.balances(as_of=as_of))
    pd.testing.assert_frame_equal(a.expire(as_of=as_of), b.expire(as_of=as_of))
    pd.testing.assert_frame_equal(a.lots(as_of=as_of), b.lots(as_of=as_of))


@settings_
@given(st.lists(draw, min_size=2, max_size=40), programs, st.integers(0, 24 * 800))
def test_two_halves_equal_one_pass(draws, program, hour):
    frame = valid_stream(draws, program, reverses=False)
    if frame.empty:
        return
    t = T("2023-01-01") + pd.Timedelta(hours=hour)
    first, second = frame.loc[frame["ts"] <= t], frame.loc[frame["ts"] > t]
    whole = Ledger(frame, program)
    end = T("2030-01-01")
    if first.empty:
        return
    # Later events never change the past ...
    pd.testing.assert_frame_equal(Ledger(first, program).balances(as_of=t), whole.balances(as_of=t))
    # ... and the open lots at t, carried forward as opening lots, continue the same ledger.
    opening = Ledger(first, program).lots(as_of=t)
    carried = pd.DataFrame(
        {
            "event_id": -np.arange(1, len(opening) + 1),
            "customer_id": opening["customer_id"],
            "ts": opening["earned_at"],
            "type": "earn",
            "points": opening["remaining"],
        }
    )
    want = whole.balances(as_of=end)
    if carried.empty and second.empty:
        assert want["balance"].eq(0).all()
        return
    resumed = Ledger(pd.concat([carried, second], ignore_index=True), program)
    got = resumed.balances(as_of=end)
    pd.testing.assert_series_equal(got["balance"], want.loc[got.index, "balance"])
    assert want.loc[~want.index.isin(got.index), "balance"].eq(0).all()


# -- hand-worked scenarios, one per rule ------------------------------------------------
def test_rolling_expiry_and_redemption_across_lots():
    # 30-day lots: A 100 (Jan 1, expires Jan 31), B 50 (Jan 15, expires Feb 14).
    # Redeem 120 on Jan 20 takes A's 100 and 20 of B, so A has nothing left to expire and
    # B's last 30 expire on Feb 14.
    ev = events(
        [
            (1, "c", "2024-01-01", "earn", 100),
            (2, "c", "2024-01-15", "earn", 50),
            (3, "c", "2024-01-20", "redeem", 120),
        ]
    )
    ledger = Ledger(ev, LoyaltyProgram(expiry_days=30))
    before = ledger.balances(as_of="2024-02-13 23:59")
    assert before.loc["c", ["earned", "redeemed", "expired", "balance", "expiring_30d"]].tolist() == [
        150,
        120,
        0,
        30,
        30,
    ]
    after = ledger.balances(as_of="2024-02-14")
    assert after.loc["c", ["expired", "balance"]].tolist() == [30, 0]
    exp = ledger.expire(as_of="2024-12-31")
    assert exp[["event_id", "ts", "points", "ref_event_id"]].values.tolist() == [
        ["expire:2", T("2024-02-14"), 30, 2]
    ]


def test_lot_is_not_usable_at_its_expiry_instant():
    # A expires at Jan 31 00:00; a redemption at that instant sees only B (50).
    ev = events(
        [
            (1, "c", "2024-01-01", "earn", 100),
            (2, "c", "2024-01-15", "earn", 50),
            (3, "c", "2024-01-31", "redeem", 60),
        ]
    )
    with pytest.raises(LedgerError, match=r"3 \(redeem 60 > 50 available\)"):
        Ledger(ev, LoyaltyProgram(expiry_days=30))
    ok = Ledger(ev.assign(points=[100, 50, 50]), LoyaltyProgram(expiry_days=30)).balances(as_of="2024-01-31")
    assert ok.loc["c", ["expired", "redeemed", "balance"]].tolist() == [100, 50, 0]


def test_end_of_year_expiry():
    # Earned in 2023 -> usable through 2024-12-31; 2024 earnings last until 2026.
    ev = events(
        [
            (1, "c", "2023-03-01", "earn", 100),
            (2, "c", "2023-12-31", "earn", 40),
            (3, "c", "2024-02-01", "earn", 10),
            (4, "c", "2024-06-01", "redeem", 30),
        ]
    )
    ledger = Ledger(ev, LoyaltyProgram(expiry_policy="end_of_year"))
    assert ledger.balances(as_of="2024-12-31 23:59").loc["c", ["expired", "balance"]].tolist() == [0, 120]
    # Jan 1 2025: 70 left of lot 1 and all 40 of lot 2 expire; lot 3 (10) stays.
    assert ledger.balances(as_of="2025-01-01").loc["c", ["expired", "balance"]].tolist() == [110, 10]
    assert ledger.expire(as_of="2025-01-01")["points"].tolist() == [70, 40]
    lots = ledger.lots(as_of="2025-01-01")
    assert lots[["event_id", "remaining", "expires_at"]].values.tolist() == [[3, 10, T("2026-01-01")]]


def test_partial_redemptions_across_three_lots():
    ev = events(
        [
            (1, 1, "2024-01-01", "earn", 10),
            (2, 1, "2024-01-02", "earn", 20),
            (3, 1, "2024-01-03", "earn", 30),
            (4, 1, "2024-01-04", "redeem", 15),
            (5, 1, "2024-01-05", "redeem", 20),
        ]
    )
    lots = Ledger(ev).lots()
    # 35 taken oldest first: lot 1 (10), lot 2 (20), 5 of lot 3.
    assert lots[["event_id", "remaining"]].values.tolist() == [[3, 25]]
    st_ = Ledger(ev).statement(1)
    assert st_["balance"].tolist() == [10, 30, 60, 45, 25]


def test_reversal_after_partial_redemption_takes_balance_fifo():
    # A 100, B 50; redeem 60 leaves A 40, B 50. Reversing B (50) claws back 50 points
    # FIFO: A's 40 and 10 of B. The customer keeps 40 points, held in lot B.
    ev = events(
        [
            (1, "c", "2024-01-01", "earn", 100),
            (2, "c", "2024-02-01", "earn", 50),
            (3, "c", "2024-03-01", "redeem", 60),
            (4, "c", "2024-04-01", "reverse", 50, 2),
        ]
    )
    ledger = Ledger(ev)
    b = ledger.balances()
    assert b.loc["c", ["earned", "redeemed", "reversed", "balance"]].tolist() == [150, 60, 50, 40]
    assert ledger.lots()[["event_id", "remaining"]].values.tolist() == [[2, 40]]
    # If the balance cannot cover the reversal it is refused like a redemption.
    spent = ev.assign(points=[100, 50, 120, 50])
    with pytest.raises(LedgerError, match=r"4 \(reverse 50 > 30 available\)"):
        Ledger(spent)
    # A partial refund of 30 is fine.
    assert Ledger(spent.assign(points=[100, 50, 120, 30])).balances().loc["c", "balance"] == 0


def test_adjustments_signed():
    # +25 creates a lot (expiring 30 days later); -10 consumes the oldest lot first.
    ev = events(
        [
            (1, 1, "2024-01-01", "earn", 20),
            (2, 1, "2024-01-10", "adjust", 25),
            (3, 1, "2024-01-12", "adjust", -10),
        ]
    )
    ledger = Ledger(ev, LoyaltyProgram(expiry_days=30))
    assert ledger.lots(as_of="2024-01-12")[["event_id", "remaining"]].values.tolist() == [[1, 10], [2, 25]]
    b = ledger.balances(as_of="2024-02-05")  # lot 1 expired Jan 31 with 10 left; lot 2 open until Feb 9
    assert b.loc[1, ["earned", "adjusted", "expired", "balance"]].tolist() == [20, 15, 10, 25]


def test_tier_upgrade_mid_year_changes_multiplier():
    tx = pd.DataFrame(
        {
            "customer_id": 1,
            "order_date": pd.to_datetime(
                [
                    "2024-01-05",
                    "2024-02-01",
                    "2024-03-01",
                    "2024-04-01",
                    "2024-05-01",
                    "2025-01-06",
                    "2025-04-02",
                ]
            ),
            "amount": [4000.0, 1500.0, 100.0, 20000.0, 100.0, 100.0, 100.0],
        }
    )
    earn = LoyaltyProgram().earn_events(tx)
    # qualifying before each order: 0, 4000, 5500 (gold), 5600 (gold), 25600 (black),
    # 21700 (Jan 5 2024 left the window: black), 200 (Apr 1 2024 left: silver).
    assert earn["tier"].tolist() == ["silver", "silver", "gold", "gold", "black", "black", "silver"]
    assert earn["points"].tolist() == [4000, 1500, 125, 25000, 150, 150, 100]
    ledger = Ledger(earn, LoyaltyProgram(expiry_policy=None))
    tiers = ledger.tiers(as_of="2024-12-31")
    assert tiers.loc[1, "qualifying"] == 25700.0 and tiers.loc[1, "tier"] == "Black"
    assert np.isnan(tiers.loc[1, "to_next"])
    t = ledger.tiers(as_of="2025-04-02", lang="zh")
    assert (t.loc[1, "qualifying"], t.loc[1, "tier"], t.loc[1, "next_tier"], t.loc[1, "to_next"]) == (
        300.0,
        "银卡",
        "金卡",
        4700.0,
    )
    hist = ledger.tier_history(freq="Q")
    assert hist[["Silver", "Gold", "Black", "upgrades", "downgrades"]].values.tolist() == [
        [0, 1, 0, 0, 0],  # 2024Q1: 5600
        [0, 0, 1, 1, 0],  # 2024Q2: 25700
        [0, 0, 1, 0, 0],
        [0, 0, 1, 0, 0],
        [0, 0, 1, 0, 0],  # 2025Q1: Apr 1 2024 (20000) still in the window at Mar 31
        [1, 0, 0, 0, 1],  # 2025Q2
    ]


def test_reversal_reduces_qualifying_spend():
    ev = events(
        [(1, 1, "2024-01-01", "earn", 6000), (2, 1, "2024-02-01", "reverse", 3000, 1)],
        amount=[6000.0, np.nan],
    )
    tiers = Ledger(ev).tiers(as_of="2024-03-01")
    assert tiers.loc[1, "qualifying"] == 3000.0 and tiers.loc[1, "tier"] == "Silver"


def test_liability_with_estimated_and_given_breakage():
    # Matured lots by 2024-06-30: lot 1 (1000 points, 250 expired) -> breakage 0.25.
    ev = events(
        [
            (1, 1, "2023-01-01", "earn", 1000),
            (2, 1, "2023-02-01", "redeem", 750),
            (3, 2, "2024-06-01", "earn", 2000),
        ]
    )
    ledger = Ledger(ev, LoyaltyProgram(expiry_days=365, point_value=0.01))
    est = ledger.liability(as_of="2024-06-30")
    assert (est["matured_lot_points"], est["matured_expired_points"], est["breakage"]) == (1000, 250, 0.25)
    assert est["breakage_source"] == "estimated"
    assert est["gross_liability"] == pytest.approx(20.0) and est["liability"] == pytest.approx(15.0)
    given_ = ledger.liability(as_of="2024-06-30", breakage=0.1)
    assert given_["liability"] == pytest.approx(18.0) and given_["breakage_source"] == "given"
    with pytest.raises(SchemaError, match=r"liability: breakage=1\.5 must be a finite number >= 0 and < 1"):
        ledger.liability(breakage=1.5)
    with pytest.raises(SchemaError, match="no lot has matured"):
        Ledger(ev, LoyaltyProgram(expiry_policy=None)).liability()


def test_summary_per_period():
    ev = events(
        [
            (1, 1, "2024-01-01", "earn", 100),
            (2, 1, "2024-01-10", "redeem", 40),
            (3, 1, "2024-02-05", "adjust", -5),
        ]
    )
    s = Ledger(ev, LoyaltyProgram(expiry_days=45)).summary(as_of="2024-03-31")
    # Feb 15: the 55 left of lot 1 expire.
    assert s[["issued", "redeemed", "adjusted", "expired", "net_change"]].values.tolist() == [
        [100, 40, 0, 0, 60],
        [0, 0, -5, 55, -60],
        [0, 0, 0, 0, 0],
    ]
    assert s["redemption_rate"].iloc[0] == 0.4 and np.isnan(s["redemption_rate"].iloc[1])


# -- refusals -----------------------------------------------------------------------------
BASE = [(1, "a", "2024-01-01", "earn", 100), (2, "a", "2024-02-01", "redeem", 30)]


def test_identical_duplicates_collapse_and_conflicts_are_refused():
    dup = events([*BASE, BASE[0]])
    with pytest.warns(
        DataDroppedWarning, match=r"events: 1 event\(s\) repeat an earlier row .* event_id \[1\]"
    ):
        ledger = Ledger(dup)
    assert ledger.balances().loc["a", "earned"] == 100
    with pytest.raises(
        LedgerError, match=r"event_id repeats with different content: 1 event\(s\): event_id 1"
    ):
        Ledger(events([*BASE, (1, "a", "2024-01-01", "earn", 99)]))


@pytest.mark.parametrize(
    "bad, match",
    [
        ((3, "a", "2024-03-01", "redeem", 1.5), "points must be positive integers"),
        ((3, "a", "2024-03-01", "redeem", 0), "points must be positive integers"),
        ((3, "a", "2024-03-01", "redeem", -5), "points must be positive integers"),
        ((3, "a", "2024-03-01", "adjust", 0), "non-zero integers for 'adjust'"),
        ((3, "a", "2024-03-01", "bonus", 5), r"unknown event type\(s\) \['bonus'\]"),
        ((3, "a", "2024-03-01", "expire", 5), "type 'expire' is generated by the ledger"),
        ((3, "a", "2024-03-01", "reverse", 5, 99), "reverse must reference an earlier earn"),
        ((3, "b", "2024-03-01", "reverse", 5, 1), "reverse must reference an earlier earn"),
        ((3, "a", "2024-03-01", "reverse", 5, 2), "reverse must reference an earlier earn"),
        ((3, "a", "2023-12-01", "reverse", 5, 1), "reverse must reference an earlier earn"),
        ((3, "a", "2024-03-01", "reverse", 101, 1), "reversals of one earn add up to more"),
    ],
)
def test_refusals_name_the_events(bad, match):
    ev = events([*BASE, bad])
    with pytest.raises(LedgerError, match=match) as err:
        Ledger(ev)
    assert "1 event(s): event_id 3" in str(err.value)


def test_redemption_beyond_balance_names_first_event_per_customer():
    ev = events(
        [
            *BASE,
            (3, "a", "2024-03-01", "redeem", 80),  # 70 available
            (4, "a", "2024-03-02", "redeem", 1),
            (5, "b", "2024-01-01", "redeem", 5),
        ]
    )
    with pytest.raises(LedgerError) as err:
        Ledger(ev)
    msg = str(err.value)
    assert "for 2 customer(s), 3 debit(s) in all" in msg
    assert "3 (redeem 80 > 70 available)" in msg and "5 (redeem 5 > 0 available)" in msg


def test_redemption_after_expiry_is_refused():
    ev = events([(1, "a", "2024-01-01", "earn", 100), (2, "a", "2024-03-01", "redeem", 30)])
    with pytest.raises(LedgerError, match=r"2 \(redeem 30 > 0 available\)"):
        Ledger(ev, LoyaltyProgram(expiry_days=30))


def test_schema_errors():
    with pytest.raises(SchemaError, match="missing required column"):
        Ledger(events(BASE).drop(columns="points"))
    with pytest.raises(SchemaError, match="'ts' has missing dates"):
        Ledger(events(BASE).assign(ts=[T("2024-01-01"), pd.NaT]))
    with pytest.raises(SchemaError, match="tier_basis='spend' needs an 'amount' column"):
        Ledger(events(BASE)).tiers()
    with pytest.raises(SchemaError, match="has no events in the ledger"):
        Ledger(events(BASE)).statement("zz")
    with pytest.raises(SchemaError, match="expiry_days=0 must be an integer >= 1"):
        LoyaltyProgram(expiry_days=0)
    with pytest.raises(SchemaError, match="thresholds starting at 0"):
        LoyaltyProgram(tiers={"a": (10, 1.0)})
    with pytest.raises(SchemaError, match="expiry_policy='monthly' is not supported"):
        LoyaltyProgram(expiry_policy="monthly")


def test_numpy_scalars_are_valid_parameters_and_text_is_not():
    # issue 18 item 13: numpy scalars (as read from a config or a frame) are numbers
    program = LoyaltyProgram(
        points_per_unit=np.int64(2), point_value=np.float32(0.01), expiry_days=np.int64(30)
    )
    assert program.points_per_unit == 2.0 and program.point_value == pytest.approx(0.01)
    assert program.expiry_days == 30 and type(program.expiry_days) is int
    tx = pd.DataFrame({"customer_id": [1], "order_date": pd.to_datetime(["2024-01-05"]), "amount": [10.0]})
    assert program.earn_events(tx)["points"].tolist() == [20]
    # item 12: text and bools are not numbers, a number is not a prefix
    with pytest.raises(SchemaError, match="points_per_unit='2' must be a finite number > 0"):
        LoyaltyProgram(points_per_unit="2")
    with pytest.raises(SchemaError, match="point_value=True must be a finite number > 0"):
        LoyaltyProgram(point_value=True)
    with pytest.raises(SchemaError, match="earn_events: id_prefix=5 must be a string"):
        program.earn_events(tx, id_prefix=5)
    with pytest.raises(SchemaError, match=r"liability: breakage=.0\.1. must be a finite number"):
        Ledger(events(BASE)).liability(breakage="0.1")


@pytest.mark.parametrize("policy", ["rolling", "end_of_year"])
def test_dates_after_2262_give_the_same_ledger_400_years_later(policy):
    # issue 18 item 10: the Gregorian calendar repeats every 400 years, so every view of
    # the ledger is the same with every date moved 400 years on (past pandas' ns range).
    program = LoyaltyProgram(expiry_days=60, expiry_policy=policy, tier_window_days=90)
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 1, 2],
            "order_date": ["2023-11-05", "2024-01-05", "2024-02-29", "2024-03-01", "2024-12-31"],
            "amount": [6000.0, 150.0, 99.5, 20.0, 5.0],
        }
    )
    later = tx.assign(order_date=[f"{int(d[:4]) + 400}{d[4:]}" for d in tx["order_date"]])
    now, then = (program.earn_events(t) for t in (tx, later))
    assert then["ts"].dt.year.tolist() == (now["ts"].dt.year + 400).tolist()
    pd.testing.assert_frame_equal(then.drop(columns="ts"), now.drop(columns="ts"))
    redeem = {"event_id": "r", "customer_id": 1, "type": "redeem", "points": 40}
    a = Ledger(pd.concat([now, pd.DataFrame([redeem | {"ts": pd.Timestamp("2024-03-02")}])]), program)
    b = Ledger(pd.concat([then, pd.DataFrame([redeem | {"ts": pd.Timestamp("2424-03-02")}])]), program)
    for view in ("balances", "tiers"):
        pd.testing.assert_frame_equal(
            getattr(b, view)(as_of="2424-03-15"), getattr(a, view)(as_of="2024-03-15")
        )
    assert a.balances(as_of="2024-03-15")["balance"].sum() > 0
    liability = [
        x.liability(as_of=f"{y}-03-15", breakage=0.1).drop("as_of") for x, y in ((a, 2024), (b, 2424))
    ]
    pd.testing.assert_series_equal(*liability)
    assert b.statement(1)["points"].tolist() == a.statement(1)["points"].tolist()
    np.testing.assert_array_equal(b.summary().to_numpy(), a.summary().to_numpy())
    np.testing.assert_array_equal(b.tier_history().to_numpy(), a.tier_history().to_numpy())
    assert b.tier_history().index[0] == a.tier_history().index[0] + 400 * 12


def test_reverse_without_ref_column():
    ev = events([*BASE, (3, "a", "2024-03-01", "reverse", 5)]).drop(columns="ref_event_id")
    with pytest.raises(LedgerError, match=r"need a 'ref_event_id' column.*event_id 3"):
        Ledger(ev)


def test_input_not_mutated_and_string_dates():
    ev = events(BASE)
    ev["ts"] = ev["ts"].dt.strftime("%Y-%m-%d")
    before = ev.copy()
    Ledger(ev).balances()
    pd.testing.assert_frame_equal(ev, before)


def test_ledger_keeps_its_own_copy_of_the_events():
    ev = ecrm.datasets.make_loyalty_events(30, random_state=2)  # categorical type, Int64 refs
    before = ev.copy()
    ledger = Ledger(ev)
    want = ledger.balances()
    pd.testing.assert_frame_equal(ev, before)
    ev.iloc[:, ev.columns.get_loc("points")] = 1  # later changes to the input do not reach the ledger
    ev.iloc[:, ev.columns.get_loc("customer_id")] = 1
    pd.testing.assert_frame_equal(ledger.balances(), want)
    pd.testing.assert_frame_equal(ledger.summary(), Ledger(before).summary())


def test_earn_events_warns_on_returns_and_uses_orders():
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2],
            "order_id": ["o1", "o1", "o2", "o3"],
            "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-03"]),
            "amount": [10.6, 5.0, -3.0, 7.99],
        }
    )
    with pytest.warns(DataDroppedWarning, match="1 order"):
        earn = LoyaltyProgram(points_per_unit=2).earn_events(tx, order_col="order_id")
    assert earn[["event_id", "points"]].values.tolist() == [["earn-o1", 31], ["earn-o3", 15]]
    assert Ledger(earn).balances()["balance"].tolist() == [31, 15]


def test_generator_streams_are_valid_and_agree_with_reference():
    program = LoyaltyProgram(expiry_days=90)
    ev = ecrm.datasets.make_loyalty_events(
        40, program=program, reverse_prob=0.2, adjust_prob=0.2, random_state=3
    )
    assert set(ev["type"]) == {"earn", "redeem", "reverse", "adjust"}
    ledger = Ledger(ev, program)
    frame = ev.assign(type=ev["type"].astype(str), ref_event_id=ev["ref_event_id"].astype(object))
    expected, _ = reference(frame, program, T("2024-12-31"))
    assert as_dict(ledger.balances(as_of="2024-12-31")) == expected


def test_cdnow_earn_ledger():
    tx = ecrm.datasets.load_cdnow_sample()
    n_zero = int((tx["amount"] <= 0).sum())  # CDNOW has a few zero-amount orders
    with pytest.warns(DataDroppedWarning, match=f"{n_zero} order"):
        earn = LoyaltyProgram(
            tiers={"silver": (0, 1.0), "gold": (100, 1.5)}, tier_window_days=180
        ).earn_events(tx)
    ledger = Ledger(
        earn, LoyaltyProgram(tiers={"silver": (0, 1.0), "gold": (100, 1.5)}, tier_window_days=180)
    )
    b = ledger.balances(as_of="1998-06-30")
    assert len(b) == earn["customer_id"].nunique()
    assert b["earned"].sum() == earn["points"].sum()
    assert (b["earned"] - b["expired"] == b["balance"]).all()


# -- plots ----------------------------------------------------------------------------------
def test_plots():
    import matplotlib.pyplot as plt

    ev = ecrm.datasets.make_loyalty_events(100, random_state=0)
    ledger = Ledger(ev)
    ax = ecrm.plotting.points_flow(ledger.summary())
    assert ax.get_title().startswith("Points issued") and ax.get_ylabel() == "Points"
    ax = ecrm.plotting.tier_mix(ledger.tier_history())
    assert ax.get_xlabel() == "Period" and len(ax.patches) > 0
    plt.close("all")


def test_guide_numbers():
    """The figures quoted in docs/guide/loyalty.md."""
    program = LoyaltyProgram(expiry_days=365, point_value=0.01)
    ev = ecrm.datasets.make_loyalty_events(2000, "2023-01-01", "2024-12-31", program=program, random_state=7)
    assert len(ev) == 18191
    assert ev["type"].value_counts().to_dict() == {
        "earn": 11684,
        "redeem": 5836,
        "adjust": 353,
        "reverse": 318,
    }
    ledger = Ledger(ev, program)
    totals = ledger.balances(as_of="2024-12-31").sum()
    assert totals[
        ["earned", "redeemed", "expired", "reversed", "adjusted", "balance", "expiring_90d"]
    ].tolist() == [862161, 218898, 74552, 10260, 17807, 576258, 55322]
    li = ledger.liability(as_of="2024-12-31")
    assert (li["matured_lots"], li["matured_lot_points"], li["matured_expired_points"]) == (
        1813,
        137147,
        74552,
    )
    assert round(li["breakage"], 4) == 0.5436
    assert round(li["gross_liability"], 2) == 5762.58 and round(li["liability"], 2) == 2630.09
    q4 = ledger.summary(freq="Q").loc[pd.Period("2024Q4")]
    assert (q4["issued"], q4["redeemed"], round(q4["redemption_rate"], 2)) == (321786, 135290, 0.42)


# -- fast paths agree with their plain definitions ------------------------------------------
@settings_
@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(-3, 3), st.integers(0, 2)), min_size=1, max_size=60),
    st.sampled_from([1, 1_000, 10**9, 3 * 10**9 + 7, 2**56, 2**61]),
)
@example([(0, -3, 0), (0, 3, 1), (1, 0, 2), (0, 3, 0)], 2**61)  # a span beyond int64
def test_stream_order_is_a_lexsort(rows, scale):
    # Nanosecond, millisecond and second resolution pack into one key; 2**56 overflows
    # the packed key (plain lexsort inside), 2**61 spans centuries (separate keys).
    cust, t, prio = (np.array(c, dtype=np.int64) for c in zip(*rows, strict=True))
    time, prio = t * scale, prio.astype(np.int8)
    want = np.lexsort((np.arange(len(rows)), prio, time, cust))
    order, s_cust, s_time, s_prio = _stream_order(cust, time, prio)
    assert order.tolist() == want.tolist()
    assert (s_cust == cust[want]).all() and (s_time == time[want]).all() and (s_prio == prio[want]).all()


@settings_
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(-50, 50)), min_size=1, max_size=60))
def test_grouped_cumsum_restarts_per_group(rows):
    groups, values = (
        np.array(c, dtype=np.int64) for c in zip(*sorted(rows, key=lambda r: r[0]), strict=True)
    )
    want = pd.Series(values).groupby(groups).cumsum().to_numpy()
    assert _grouped_cumsum(values, groups).tolist() == want.tolist()


def test_nanosecond_times_spanning_decades():
    # 40 years at nanosecond resolution cannot be packed: the plain sort keeps every tick.
    ns = pd.Timedelta(1, "ns")
    start, later = T("1990-01-01"), T("2030-01-01")
    ok = events(
        [
            (1, 1, start + ns, "earn", 100),
            (2, 1, later + 2 * ns, "redeem", 103),
            (3, 1, later + ns, "earn", 5),
        ]
    )
    program = LoyaltyProgram(expiry_policy=None)
    expected, _ = reference(ok, program, later + 3 * ns)
    assert (
        as_dict(Ledger(ok, program).balances(as_of=later + 3 * ns))
        == expected
        == {1: dict(earned=105, redeemed=103, expired=0, adjusted=0, reversed=0, balance=2)}
    )
    # One nanosecond later the second earn comes after the redemption: refused.
    late = ok.assign(ts=[start + ns, later + 2 * ns, later + 3 * ns])
    with pytest.raises(LedgerError, match=r"2 \(redeem 103 > 100 available\)"):
        Ledger(late, program)


tier_program = LoyaltyProgram(
    tiers=[("silver", 0, 1.0), ("gold", 60, 1.0), ("black", 150, 1.0)], tier_window_days=60
)


@settings_
@given(st.lists(draw, min_size=1, max_size=40), st.sampled_from(["M", "Q"]), st.booleans())
def test_tier_history_matches_tiers_at_each_period_end(draws, freq, zoned):
    frame = valid_stream(draws, tier_program)
    if frame.empty:
        return
    frame["amount"] = np.where(frame["type"] == "earn", frame["points"], np.nan)
    if zoned:
        frame["ts"] = frame["ts"].dt.tz_localize("Asia/Shanghai")
    ledger = Ledger(frame, tier_program)
    hist = ledger.tier_history(freq=freq)
    names = ["Silver", "Gold", "Black"]
    previous = None
    for period in hist.index:
        end = (period + 1).start_time - pd.Timedelta(1, "ns")
        tier = ledger.tiers(as_of=end.tz_localize("Asia/Shanghai") if zoned else end)["tier"]
        assert hist.loc[period, names].tolist() == tier.value_counts().reindex(names).tolist()
        if previous is not None:
            both = tier.index.intersection(previous.index)
            now, before = tier[both].cat.codes, previous[both].cat.codes
            assert hist.loc[period, "upgrades"] == (now > before).sum()
            assert hist.loc[period, "downgrades"] == (now < before).sum()
        previous = tier


@settings_
@given(st.lists(draw, min_size=1, max_size=40), programs, st.integers(-24 * 30, 24 * 900), st.booleans())
def test_summary_is_a_groupby_of_events_and_expiries(draws, program, hour, zoned):
    frame = valid_stream(draws, program)
    if frame.empty:
        return
    as_of = T("2023-01-01") + pd.Timedelta(hours=hour)
    if zoned:
        frame["ts"] = frame["ts"].dt.tz_localize("Europe/Berlin")
        as_of = as_of.tz_localize("Europe/Berlin")
    ledger = Ledger(frame, program)
    got = ledger.summary(freq="M", as_of=as_of)
    # The plain definition: signed flows of events and expire events, summed per month.
    seen = frame.loc[frame["ts"] <= as_of]
    expired = ledger.expire(as_of=as_of)
    flows = pd.DataFrame(
        {
            "ts": pd.concat([seen["ts"], expired["ts"]], ignore_index=True),
            "type": pd.concat([seen["type"], expired["type"]], ignore_index=True),
            "points": pd.concat([seen["points"], expired["points"]], ignore_index=True),
        }
    )
    names = {"earn": "issued", "adjust": "adjusted", "redeem": "redeemed", "reverse": "reversed"}
    flows["flow"] = flows["type"].map(names).fillna("expired")
    month = flows["ts"].dt.tz_localize(None).dt.to_period("M") if zoned else flows["ts"].dt.to_period("M")
    want = flows.pivot_table(index=month.rename("period"), columns="flow", values="points", aggfunc="sum")
    if seen.empty:
        assert got.empty and list(got.columns[:5]) == [
            "issued",
            "adjusted",
            "redeemed",
            "reversed",
            "expired",
        ]
        return
    last = (as_of.tz_localize(None) if zoned else as_of).to_period("M")
    periods = pd.period_range(want.index.min(), last, freq="M", name="period")
    want = want.reindex(index=periods, columns=list(got.columns[:5]), fill_value=0).fillna(0).astype(np.int64)
    pd.testing.assert_frame_equal(got[want.columns], want, check_names=False)


@settings_
@given(
    st.lists(st.tuples(st.integers(1, 3), st.integers(0, 400), st.integers(1, 4000)), min_size=1, max_size=30)
)
def test_earn_tier_is_spend_in_the_window_before_each_order(orders):
    program = LoyaltyProgram(tier_window_days=90)
    tx = pd.DataFrame(orders, columns=["customer_id", "day", "amount"]).astype({"amount": float})
    tx["order_date"] = T("2024-01-01") + pd.to_timedelta(tx["day"], unit="D")
    earn = program.earn_events(tx).set_index("event_id")
    for i, row in tx.iterrows():
        # Spend of the customer's orders strictly before this one and still in the window.
        mine = tx.loc[tx["customer_id"] == row["customer_id"]]
        live = (mine["day"] < row["day"]) & (mine["day"] + 90 > row["day"])
        tier = program.tiers[int(program.tier_index(np.array([mine.loc[live, "amount"].sum()]))[0])][0]
        assert earn.loc[f"earn-{i}", "tier"] == tier
