"""Tests of ecrm.service and datasets.make_tickets: hand-computed SLA tables, bad input."""

import numpy as np
import pandas as pd
import pytest

import ecrm
from ecrm.errors import EcrmWarning, SchemaError

T = pd.Timestamp
NaT = pd.NaT
# id, customer, channel, category, created, first response, resolved, contacts, csat
ROWS = [
    (
        1,
        "c1",
        "chat",
        "complaint",
        T("2024-05-01 00:00"),
        T("2024-05-01 01:00"),
        T("2024-05-01 04:00"),
        1,
        5.0,
    ),
    (
        2,
        "c1",
        "chat",
        "delivery",
        T("2024-05-01 06:00"),
        T("2024-05-01 08:00"),
        T("2024-05-02 06:00"),
        2,
        3.0,
    ),
    (
        3,
        "c2",
        "chat",
        "complaint",
        T("2024-05-02 00:00"),
        T("2024-05-02 03:00"),
        T("2024-05-06 00:00"),
        1,
        np.nan,
    ),
    (
        4,
        "c2",
        "email",
        "product",
        T("2024-05-01 00:00"),
        T("2024-05-01 04:00"),
        T("2024-05-04 00:00"),
        1,
        4.0,
    ),
    (5, "c3", "email", "complaint", T("2024-05-02 00:00"), T("2024-05-02 10:00"), NaT, np.nan, np.nan),
    (6, "c3", "email", "refund", T("2024-05-09 12:00"), NaT, NaT, np.nan, np.nan),
    (7, "c1", "chat", "complaint", T("2024-05-08 00:00"), NaT, NaT, np.nan, np.nan),
]
TICKETS = pd.DataFrame(
    ROWS,
    columns=[
        "ticket_id",
        "customer_id",
        "channel",
        "category",
        "created_at",
        "first_response_at",
        "resolved_at",
        "contacts",
        "csat",
    ],
)
AS_OF = "2024-05-10 00:00"
# Hours to response: 1, 2, 3, 4, 10 (tickets 1-5); 6 and 7 unanswered, aged 12 h and 48 h.
# Hours to resolution: 4, 24, 96, 72 (tickets 1-4); 5 open aged 192 h; 6, 7 open.


def test_sla_overall_hand_computed():
    s = ecrm.service.sla(TICKETS, as_of=AS_OF)
    row = s.loc["all"]
    assert s.index.name == "group"
    assert (row["tickets"], row["responded"], row["resolved"], row["open"]) == (7, 5, 4, 3)
    # response [1, 2, 3, 4, 10]: median 3; p90 at position 0.9 * 4 = 3.6: 4 + 0.6 * (10 - 4) = 7.6
    assert row["response_median_hours"] == 3.0
    assert row["response_p90_hours"] == pytest.approx(7.6)
    # resolution [4, 24, 72, 96]: median (24 + 72) / 2 = 48; p90 at 2.7: 72 + 0.7 * 24 = 88.8
    assert row["resolution_median_hours"] == 48.0
    assert row["resolution_p90_hours"] == pytest.approx(88.8)
    # response SLA: 1-5 answered within 24 h, 7 unanswered after 48 h (breach), 6 (12 h) pending -> 5/6
    assert row["response_within_sla"] == pytest.approx(5 / 6)
    # resolution SLA: met 1 (4 h), 2 (24 h), 4 (72 h, on the limit); breached 3 (96 h) and
    # 5 (open 192 h); 6 and 7 (open 12 h, 48 h) pending -> 3/5
    assert row["resolution_within_sla"] == pytest.approx(3 / 5)
    # FCR: resolved 1, 2, 3, 4 with contacts 1, 2, 1, 1 -> 3/4
    assert row["first_contact_resolution"] == 0.75
    # open backlog ages 192, 12, 48 h: median 48, max 192; CSAT mean (5 + 3 + 4) / 3 = 4
    assert (row["open_age_median_hours"], row["open_age_max_hours"]) == (48.0, 192.0)
    assert row["csat_mean"] == 4.0
    assert s.attrs["as_of"] == T(AS_OF) and s.attrs["response_hours"] == 24


def test_sla_by_channel_hand_computed():
    s = ecrm.service.sla(TICKETS, by="channel", as_of=AS_OF)
    assert s.index.tolist() == ["chat", "email"] and s.index.name == "channel"
    chat, email = s.loc["chat"], s.loc["email"]
    # chat = tickets 1, 2, 3, 7
    assert (chat["tickets"], chat["responded"], chat["resolved"], chat["open"]) == (4, 3, 3, 1)
    assert chat["response_p90_hours"] == pytest.approx(2.8)  # [1, 2, 3] at 1.8: 2 + 0.8
    assert chat["resolution_median_hours"] == 24.0
    assert chat["resolution_p90_hours"] == pytest.approx(81.6)  # [4, 24, 96] at 1.8: 24 + 0.8 * 72
    assert chat["response_within_sla"] == 0.75  # 1, 2, 3 met; 7 breached
    assert chat["resolution_within_sla"] == pytest.approx(2 / 3)  # 1, 2 met; 3 breached; 7 pending
    assert chat["first_contact_resolution"] == pytest.approx(2 / 3)  # contacts 1, 2, 1
    assert chat["csat_mean"] == 4.0  # (5 + 3) / 2
    # email = tickets 4, 5, 6
    assert (email["tickets"], email["responded"], email["resolved"], email["open"]) == (3, 2, 1, 2)
    assert email["response_p90_hours"] == pytest.approx(9.4)  # [4, 10] at 0.9: 4 + 0.9 * 6
    assert email["response_within_sla"] == 1.0  # 4, 5 met; 6 pending
    assert email["resolution_within_sla"] == 0.5  # 4 met; 5 breached; 6 pending
    assert (email["open_age_median_hours"], email["open_age_max_hours"]) == (102.0, 192.0)


def test_sla_thresholds_and_snapshot():
    s = ecrm.service.sla(TICKETS, as_of=AS_OF, response_hours=3, resolution_hours=100)
    # response <= 3 h: 1, 2, 3 met; 4 (4 h), 5 (10 h), 6 (12 h), 7 breached -> 3/7
    assert s.loc["all", "response_within_sla"] == pytest.approx(3 / 7)
    # resolution <= 100 h: 1-4 met; 5 (192 h) breached; 6, 7 pending -> 4/5
    assert s.loc["all", "resolution_within_sla"] == pytest.approx(4 / 5)
    early = ecrm.service.sla(TICKETS, as_of="2024-05-03 00:00")
    # Tickets 6 and 7 do not exist yet; 3 and 4 are not resolved yet.
    assert early.attrs["n_after_as_of"] == 2
    assert early.loc["all", ["tickets", "responded", "resolved", "open"]].tolist() == [5, 5, 2, 3]
    # Default as_of is the latest time in the data (ticket 3 resolved 05-06 00:00).
    assert ecrm.service.sla(TICKETS).attrs["as_of"] == T("2024-05-09 12:00")


def test_resolution_counts_as_first_response_when_none_recorded():
    t = TICKETS.assign(first_response_at=TICKETS["first_response_at"].where(TICKETS["ticket_id"] != 1))
    s = ecrm.service.sla(t, as_of=AS_OF)
    # ticket 1 now answered by its resolution after 4 h: response hours [2, 3, 4, 4, 10]
    assert s.loc["all", "response_median_hours"] == 4.0


def test_customer_features_hand_computed():
    f = ecrm.service.customer_features(TICKETS, as_of=AS_OF)
    assert f.index.name == "customer_id" and f.index.tolist() == ["c1", "c2", "c3"]
    # c1 = 1, 2, 7: complaints 1, 7; 7 open and past the response SLA -> 1 breach of 3 decided;
    #      latest rated ticket 2 (csat 3); last ticket 05-08 -> 2 days.
    # c2 = 3, 4: 3 resolved after 96 h -> 1 of 2; latest rated 4 (csat 4); last created 05-02 -> 8 days.
    # c3 = 5, 6: 5 open 192 h (breach), 6 pending (not decided) -> 1 of 1; no rating; 05-09 12:00 -> 0.5.
    expected = pd.DataFrame(
        {
            "n_tickets": [3, 2, 2],
            "n_complaints": [2, 1, 1],
            "n_open_tickets": [1, 0, 2],
            "sla_breach_share": [1 / 3, 0.5, 1.0],
            "last_csat": [3.0, 4.0, np.nan],
            "days_since_last_ticket": [2.0, 8.0, 0.5],
        },
        index=pd.Index(["c1", "c2", "c3"], name="customer_id"),
    )
    pd.testing.assert_frame_equal(f, expected, check_dtype=False)
    # Leakage-free: at 05-05 ticket 7 does not exist and ticket 3 is still open.
    early = ecrm.service.customer_features(TICKETS, as_of="2024-05-05")
    assert early.loc["c1", "n_tickets"] == 2 and early.loc["c2", "n_open_tickets"] == 1


def test_complaints_without_categories_are_unknown_and_a_string_is_one_category():
    # issue 18 item 3: both used to report 0 complaints for everyone, silently
    expected = ecrm.service.customer_features(TICKETS, as_of=AS_OF)["n_complaints"]
    one = ecrm.service.customer_features(TICKETS, as_of=AS_OF, complaint_categories="complaint")
    pd.testing.assert_series_equal(one["n_complaints"], expected)
    with pytest.warns(EcrmWarning, match="no column 'category' .* n_complaints is NaN"):
        unknown = ecrm.service.customer_features(TICKETS.drop(columns="category"), as_of=AS_OF)
    assert unknown["n_complaints"].isna().all() and unknown["n_tickets"].tolist() == [3, 2, 2]
    with pytest.warns(EcrmWarning, match=r"no ticket has a category in complaint_categories=\['Complaint'\]"):
        ecrm.service.customer_features(TICKETS, as_of=AS_OF, complaint_categories=["Complaint"])
    with pytest.raises(SchemaError, match="complaint_categories=5 must be a category"):
        ecrm.service.customer_features(TICKETS, as_of=AS_OF, complaint_categories=5)


def test_csat_off_its_scale_and_text_thresholds_are_refused():
    # issue 18 items 12, 14: a 7 on a 1-5 scale was averaged in; "24" leaked a TypeError
    with pytest.raises(
        SchemaError, match=r"'csat' has scores that are not whole numbers in 1\.\.5 .* in 2 of 7"
    ):
        ecrm.service.sla(TICKETS.assign(csat=[7, 3, None, 4.5, None, None, None]))
    ten = ecrm.service.sla(TICKETS.assign(csat=TICKETS["csat"] * 2), csat_scale=(0, 10))
    assert ten.loc["all", "csat_mean"] == 8.0  # (10 + 6 + 8) / 3
    with pytest.raises(SchemaError, match=r"csat_scale=\(5, 1\) is given backwards"):
        ecrm.service.sla(TICKETS, csat_scale=(5, 1))
    with pytest.raises(SchemaError, match="response_hours='24' must be a finite number > 0"):
        ecrm.service.sla(TICKETS, response_hours="24")
    with pytest.raises(SchemaError, match="resolution_hours=True must be a finite number > 0"):
        ecrm.service.customer_features(TICKETS, as_of=AS_OF, resolution_hours=True)
    assert ecrm.service.sla(TICKETS, response_hours=np.float32(24)).loc["all", "tickets"] == 7


def test_bad_input_messages():
    late = TICKETS.copy()
    late.loc[2, "first_response_at"] = T("2024-05-01 23:00")
    with pytest.raises(
        SchemaError, match=r"sla: column 'first_response_at' is before 'created_at' in 1 of 7 row"
    ):
        ecrm.service.sla(late)
    try:
        ecrm.service.sla(late)
    except SchemaError as err:
        assert "2024-05-01 23:00" in str(err) and "ticket_id" in str(err)
    early = TICKETS.copy()
    early.loc[[0, 3], "resolved_at"] = T("2024-04-30")
    with pytest.raises(SchemaError, match=r"column 'resolved_at' is before 'created_at' in 2 of 7 row"):
        ecrm.service.sla(early)
    with pytest.raises(SchemaError, match=r"customer_features: column 'resolved_at' is before"):
        ecrm.service.customer_features(early, as_of=AS_OF)
    with pytest.raises(SchemaError, match=r"'ticket_id' has duplicate ticket ids in 2 of 7"):
        ecrm.service.sla(TICKETS.assign(ticket_id=[1, 1, 3, 4, 5, 6, 7]))
    with pytest.raises(SchemaError, match=r"'contacts' is not a whole number >= 1 in 2 of 7"):
        ecrm.service.sla(TICKETS.assign(contacts=[0, 1.5, 1, 1, None, None, None]))
    with pytest.raises(SchemaError, match=r"'csat' has non-numeric values in 1 of 7"):
        ecrm.service.sla(TICKETS.assign(csat=["good", 3, None, 4, None, None, None]))
    with pytest.raises(SchemaError, match="missing required column"):
        ecrm.service.sla(TICKETS.drop(columns="resolved_at"))
    with pytest.raises(SchemaError, match="response_hours=0 must be a finite number > 0"):
        ecrm.service.sla(TICKETS, response_hours=0)
    with pytest.raises(SchemaError, match="before the first ticket"):
        ecrm.service.sla(TICKETS, as_of="2024-01-01")
    with pytest.raises(SchemaError, match="'created_at' has missing dates"):
        ecrm.service.sla(TICKETS.assign(created_at=TICKETS["created_at"].where(TICKETS["ticket_id"] != 2)))
    with pytest.raises(SchemaError, match="the frame is empty"):
        ecrm.service.sla(TICKETS.iloc[:0])


def test_string_and_zone_aware_dates():
    as_text = TICKETS.assign(
        created_at=TICKETS["created_at"].dt.strftime("%Y-%m-%dT%H:%M"),
        first_response_at=TICKETS["first_response_at"].dt.strftime("%Y-%m-%dT%H:%M"),
    )
    pd.testing.assert_frame_equal(
        ecrm.service.sla(as_text, as_of=AS_OF), ecrm.service.sla(TICKETS, as_of=AS_OF)
    )
    zoned = TICKETS.copy()
    for c in ("created_at", "first_response_at", "resolved_at"):
        zoned[c] = zoned[c].dt.tz_localize("Asia/Shanghai")
    pd.testing.assert_frame_equal(
        ecrm.service.sla(zoned, as_of=AS_OF).reset_index(drop=True),
        ecrm.service.sla(TICKETS, as_of=AS_OF).reset_index(drop=True),
    )
    zoned["resolved_at"] = TICKETS["resolved_at"]
    with pytest.raises(SchemaError, match="time zone"):
        ecrm.service.sla(zoned)


def test_inputs_are_not_mutated():
    before = TICKETS.copy()
    ecrm.service.sla(TICKETS, by="channel", as_of="2024-05-03")
    ecrm.service.customer_features(TICKETS, as_of=AS_OF)
    pd.testing.assert_frame_equal(TICKETS, before)


def test_make_tickets():
    t = ecrm.datasets.make_tickets(3_000, random_state=3)
    pd.testing.assert_frame_equal(t, ecrm.datasets.make_tickets(3_000, random_state=3))
    assert t["ticket_id"].is_unique and t["created_at"].is_monotonic_increasing
    answered = t["first_response_at"].notna()
    assert (t.loc[answered, "first_response_at"] >= t.loc[answered, "created_at"]).all()
    resolved = t["resolved_at"].notna()
    assert (t.loc[resolved, "resolved_at"] >= t.loc[resolved, "first_response_at"]).all()
    assert t.loc[~resolved, "contacts"].isna().all() and t.loc[~resolved, "csat"].isna().all()
    assert t["resolved_at"].max() < T("2024-04-01") and 0 < (~resolved).sum() < 300
    s = ecrm.service.sla(t, by="channel")
    # chat and phone are answered faster than email by construction
    assert (
        s.loc["phone", "response_median_hours"]
        < s.loc["chat", "response_median_hours"]
        < s.loc["email", "response_median_hours"]
    )
    with pytest.raises(SchemaError, match="n_tickets=0"):
        ecrm.datasets.make_tickets(0)


def test_guide_numbers():
    t = ecrm.datasets.make_tickets(5_000, random_state=0)
    s = ecrm.service.sla(t).loc["all"]
    assert (s["tickets"], s["open"]) == (5000, 113)
    assert round(s["response_within_sla"], 3) == 0.931
    assert round(s["resolution_within_sla"], 3) == 0.793
    assert round(s["first_contact_resolution"], 3) == 0.769 and round(s["csat_mean"], 2) == 4.43
    assert (round(s["response_median_hours"], 1), round(s["resolution_p90_hours"], 1)) == (3.1, 102.5)
    by = ecrm.service.sla(t, by="channel")
    assert round(by.loc["email", "response_within_sla"], 3) == 0.846
    assert by["first_contact_resolution"].round(3).tolist() == [0.740, 0.761, 0.789, 0.767]
    assert by["open"].tolist() == [21, 32, 45, 15]


def test_sla_dashboard():
    import matplotlib.pyplot as plt

    s = ecrm.service.sla(TICKETS, by="channel", as_of=AS_OF)
    ax = ecrm.plotting.sla_dashboard(s, lang="zh")
    assert len(ax.patches) == 6
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "首次接触解决率" in labels and "首次响应时长 ≤ 24 小时" in labels
    assert ax.get_title() == "客户服务水平" and ax.get_xlabel() == "渠道"
    plt.close("all")
