"""Tests of ecrm.clv: paper reproductions, agreement with lifetimes, bad input."""

import numpy as np
import pandas as pd
import pytest
from lifetimes import BetaGeoFitter, GammaGammaFitter, ModifiedBetaGeoFitter, ParetoNBDFitter

import ecrm
from ecrm.clv import CLVModel
from ecrm.errors import SchemaError


@pytest.fixture(scope="module")
def cal(cdnow_sample):
    """The Fader-Hardie-Lee calibration summary: 2,357 customers, weeks, to 1997-09-30."""
    return ecrm.customer_summary(cdnow_sample, as_of="1997-09-30", time_unit="W")


@pytest.fixture(scope="module")
def bgnbd(cal):
    return CLVModel().fit(cal)


def _sig3(x):
    return float(f"{x:.3g}")


def test_bgnbd_and_gamma_gamma_reproduce_the_papers(bgnbd):
    est = bgnbd.params_["estimate"]
    # Fader, Hardie and Lee (2005), BG/NBD on CDNOW: r, alpha, a, b.
    assert [_sig3(est[k]) for k in ("r", "alpha", "a", "b")] == [0.243, 4.41, 0.793, 2.43]
    # Fader and Hardie (2013), Gamma-Gamma: p, q, gamma.
    assert [_sig3(est[k]) for k in ("p", "q", "gamma")] == [6.25, 3.74, 15.4]
    # FHL (2005) report LL = -9582.4 for BG/NBD.
    assert bgnbd.log_likelihood_ == pytest.approx(-9582.4, abs=0.05)
    assert bgnbd.n_customers_ == 2357
    assert bgnbd.n_patterns_ < 2357


def test_paretonbd_reproduces_the_paper(cal):
    model = CLVModel(purchase_model="paretonbd", spend_model=None).fit(cal)
    est = model.params_["estimate"]
    # Fader, Hardie and Lee (2005), Pareto/NBD on CDNOW: r=0.55, alpha=10.58, s=0.61,
    # beta=11.67 and LL = -9595.0.
    assert [round(est[k], 2) for k in ("r", "alpha", "s", "beta")] == [0.55, 10.58, 0.61, 11.67]
    assert model.log_likelihood_ == pytest.approx(-9595.0, abs=0.05)
    assert model.params_["std_error"].notna().all()
    assert (model.params_["std_error"] > 0).all()


def test_standard_errors_agree_with_lifetimes(cal, bgnbd):
    direct = BetaGeoFitter().fit(cal["frequency"], cal["recency"], cal["T"]).summary
    ours = bgnbd.params_.loc[["r", "alpha", "a", "b"]]
    np.testing.assert_allclose(ours["std_error"], direct["se(coef)"], rtol=1e-4)
    np.testing.assert_allclose(ours["ci_lower"], direct["lower 95% bound"], rtol=1e-4)
    # The numerical Hessian used for Pareto/NBD, checked where lifetimes has autograd's.
    from ecrm.clv import _standard_errors

    f, r, t = (cal[c].to_numpy() for c in ("frequency", "recency", "T"))
    se = _standard_errors("bgnbd", ours["estimate"].to_numpy(), f, r, t, np.ones(len(f)))
    np.testing.assert_allclose(se, direct["se(coef)"], rtol=1e-3)


@pytest.mark.parametrize(
    ("name", "fitter", "kwargs"),
    [
        ("bgnbd", BetaGeoFitter, {}),
        ("mbgnbd", ModifiedBetaGeoFitter, {}),
        ("paretonbd", ParetoNBDFitter, {"initial_params": np.ones(4)}),
    ],
)
def test_weighted_patterns_give_lifetimes_estimates_and_predictions(cal, name, fitter, kwargs):
    direct = fitter().fit(cal["frequency"], cal["recency"], cal["T"], **kwargs)
    model = CLVModel(purchase_model=name, spend_model=None).fit(cal)
    np.testing.assert_allclose(model.params_["estimate"], direct.params_, rtol=1e-4)
    args = (cal["frequency"], cal["recency"], cal["T"])
    np.testing.assert_allclose(model.p_alive(), direct.conditional_probability_alive(*args), rtol=1e-4)
    expected = direct.conditional_expected_number_of_purchases_up_to_time(10.0, *args)
    np.testing.assert_allclose(model.expected_purchases(10.0), expected, rtol=1e-4)


def test_gamma_gamma_matches_lifetimes(cal, bgnbd):
    rep = cal[cal["frequency"] > 0]
    direct = GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
    np.testing.assert_allclose(bgnbd.params_.loc[["p", "q", "gamma"], "estimate"], direct.params_, rtol=1e-4)
    np.testing.assert_allclose(
        bgnbd.params_.loc[["p", "q", "gamma"], "std_error"], direct.standard_errors_, rtol=1e-4
    )


def test_outputs_are_indexed_by_customer(cal, bgnbd):
    alive = bgnbd.p_alive()
    assert alive.index.equals(cal.index) and alive.index.name == "customer_id"
    assert ((alive >= 0) & (alive <= 1)).all()
    # BG/NBD: no repeat purchase means p_alive = 1 (FHL 2005, eq. 11 with x = 0).
    assert (alive[cal["frequency"] == 0] == 1).all()
    e0, e10, e20 = (bgnbd.expected_purchases(t) for t in (0, 10, 20))
    assert (e0 == 0).all() and (e10 <= e20).all() and (e10 > 0).all()


def test_predict_on_a_new_summary(cal, bgnbd):
    part = cal.iloc[::7]
    np.testing.assert_allclose(bgnbd.p_alive(part), bgnbd.p_alive().iloc[::7])
    np.testing.assert_allclose(bgnbd.expected_purchases(5, part), bgnbd.expected_purchases(5).iloc[::7])
    days = ecrm.customer_summary(ecrm.datasets.load_cdnow_sample(), as_of="1997-09-30")
    with pytest.raises(SchemaError, match="time_unit 'D' differs from the fitted model's 'W'"):
        bgnbd.p_alive(days)


def test_fit_on_raw_transactions_equals_fit_on_summary(cdnow_sample, bgnbd):
    raw = CLVModel(time_unit="W").fit(cdnow_sample, as_of="1997-09-30")
    pd.testing.assert_frame_equal(raw.params_, bgnbd.params_)
    assert raw.time_unit_ == "W"


def test_input_is_not_mutated(cal):
    before = cal.copy()
    CLVModel(purchase_model="mbgnbd").fit(cal).p_alive()
    pd.testing.assert_frame_equal(cal, before)


def test_is_a_scikit_learn_estimator():
    from sklearn.base import clone

    model = CLVModel(purchase_model="paretonbd", penalizer=0.01)
    assert clone(model).get_params() == model.get_params()
    with pytest.raises(Exception, match="not fitted"):
        model.p_alive()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"frequency": -1}, "column 'frequency' is not a non-negative whole number in 1 of"),
        ({"frequency": 1.5}, "column 'frequency' is not a non-negative whole number in 1 of"),
        ({"recency": -2.0}, "column 'recency' is negative in 1 of"),
        ({"recency": 99.0}, "column 'T' is smaller than recency in 1 of"),
        ({"T": np.nan}, "column 'T' has missing values"),
    ],
)
def test_bad_summary_values(cal, change, message):
    bad = cal.copy()
    row = bad.index[bad["frequency"] > 0][0]
    for column, value in change.items():
        bad[column] = bad[column].astype(float)
        bad.loc[row, column] = value
    with pytest.raises(SchemaError, match=message):
        CLVModel().fit(bad)


def test_bad_arguments(cal):
    with pytest.raises(SchemaError, match="purchase_model='bg' is not supported"):
        CLVModel(purchase_model="bg").fit(cal)
    with pytest.raises(SchemaError, match="spend_model='gg' is not supported"):
        CLVModel(spend_model="gg").fit(cal)
    with pytest.raises(SchemaError, match="penalizer=-1 must be"):
        CLVModel(penalizer=-1).fit(cal)
    with pytest.raises(SchemaError, match="missing required column"):
        CLVModel().fit(cal.drop(columns="monetary_value"))
    with pytest.raises(SchemaError, match="the frame is empty"):
        CLVModel().fit(cal.iloc[:0])
    with pytest.raises(SchemaError, match="t=-1 must be a finite number"):
        CLVModel(spend_model=None).fit(cal).expected_purchases(-1)
