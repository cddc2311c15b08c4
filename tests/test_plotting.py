"""Plot functions return the Axes they drew on, with titles and labels set."""

import matplotlib.pyplot as plt

import ecrm


def test_summary_histograms_uses_given_axes(cdnow):
    s = ecrm.customer_summary(cdnow)
    fig, ax = plt.subplots()
    out = ecrm.plotting.summary_histograms(s, "recency_days", ax=ax)
    assert out is ax
    assert ax.get_title().startswith("Customers by recency_days (n = 23,570)")
    assert sum(p.get_height() for p in ax.patches) == len(s)
    plt.close(fig)
