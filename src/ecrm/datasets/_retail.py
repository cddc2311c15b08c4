"""Synthetic invoices in the shape of the UCI Online Retail data set (no download)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _schema
from ..errors import SchemaError

__all__ = ["make_online_retail"]

# A catalogue in the style of a UK gift wholesaler: each family is one article (a stock
# number, a base unit price in GBP) sold in several variants (a letter suffix on the stock
# code, a colour or pattern in the description). Shoppers buy within families and
# themes, so baskets have the co-purchase structure recommendations learn from.
_FAMILIES = (
    ("85123", "HANGING HEART T-LIGHT HOLDER", 2.55, "home"),
    ("85099", "JUMBO BAG", 1.95, "bags"),
    ("20725", "LUNCH BAG", 1.65, "bags"),
    ("22423", "REGENCY CAKESTAND 3 TIER", 12.75, "kitchen"),
    ("47566", "PARTY BUNTING", 4.95, "party"),
    ("84879", "ASSORTED COLOUR BIRD ORNAMENT", 1.69, "home"),
    ("22197", "POPCORN HOLDER", 0.85, "party"),
    ("21212", "PACK OF 72 CAKE CASES", 0.55, "kitchen"),
    ("22086", "PAPER CHAIN KIT", 2.95, "christmas"),
    ("23084", "RABBIT NIGHT LIGHT", 2.08, "home"),
    ("22720", "SET OF 3 CAKE TINS", 4.95, "kitchen"),
    ("21034", "HOT WATER BOTTLE", 4.25, "home"),
    ("22382", "LUNCH BOX WITH CUTLERY", 1.95, "kitchen"),
    ("22457", "NATURAL SLATE HEART CHALKBOARD", 2.95, "home"),
    ("22910", "CHRISTMAS BAUBLE", 0.85, "christmas"),
    ("21754", "HOME BUILDING BLOCK WORD", 5.95, "home"),
    ("22961", "JAM MAKING SET PRINTED", 1.45, "kitchen"),
    ("22139", "RETROSPOT TEA SET CERAMIC 11 PC", 4.95, "kitchen"),
    ("22960", "JAM MAKING SET WITH JARS", 4.25, "kitchen"),
    ("22666", "RECIPE BOX PANTRY", 2.95, "kitchen"),
    ("21977", "PACK OF 60 PAPER CAKE CASES", 0.55, "party"),
    ("22630", "DOLLY GIRL LUNCH BOX", 1.95, "bags"),
    ("84946", "ANTIQUE SILVER T-LIGHT GLASS", 1.25, "home"),
    ("22469", "HEART OF WICKER", 2.95, "home"),
    ("22577", "WOODEN HEART CHRISTMAS", 0.85, "christmas"),
    ("23203", "VINTAGE DOILY JUMBO BAG", 2.08, "bags"),
    ("22993", "SET OF 4 PANTRY JELLY MOULDS", 1.25, "kitchen"),
    ("21931", "STORAGE BAG", 2.08, "bags"),
    ("22386", "CHARLOTTE BAG", 0.85, "bags"),
    ("84077", "WORLD WAR 2 GLIDERS ASSTD DESIGNS", 0.29, "party"),
    ("22437", "SET OF 9 BLACK SKULL BALLOONS", 0.85, "party"),
    ("23298", "SPOTTY BUNTING", 4.95, "party"),
    ("22834", "HAND WARMER", 2.10, "christmas"),
    ("22112", "CHOCOLATE HOT WATER BOTTLE", 4.95, "home"),
    ("21731", "MINI TAPE MEASURE", 0.42, "gifts"),
    ("22551", "PLASTERS IN TIN", 1.65, "gifts"),
    ("22624", "IVORY KITCHEN SCALES", 8.50, "kitchen"),
    ("21080", "SET/20 PAPER NAPKINS", 0.85, "party"),
    ("22355", "CHARLOTTE BAG SUKI DESIGN", 0.85, "bags"),
    ("84997", "CHILDRENS CUTLERY", 4.15, "kitchen"),
    ("22178", "VICTORIAN GLASS HANGING T-LIGHT", 1.25, "home"),
    ("21790", "VINTAGE SNAP CARDS", 0.85, "gifts"),
    ("22326", "ROUND SNACK BOXES SET OF4", 2.95, "kitchen"),
    ("22727", "ALARM CLOCK BAKELIKE", 3.75, "home"),
    ("22748", "POPPY'S PLAYHOUSE", 2.10, "gifts"),
    ("23209", "LUNCH BAG VINTAGE DOILY", 1.65, "bags"),
    ("21174", "POTTERING IN THE SHED METAL SIGN", 2.10, "home"),
    ("22150", "3 STRIPEY MICE FELTCRAFT", 1.95, "gifts"),
    ("22865", "HAND WARMER OWL DESIGN", 2.10, "christmas"),
    ("23344", "JUMBO BAG 50'S CHRISTMAS", 2.08, "christmas"),
)
_VARIANTS = (
    "WHITE",
    "RED RETROSPOT",
    "PINK",
    "BLUE",
    "VINTAGE",
    "SPACEBOY",
    "DOLLY GIRL",
    "PAISLEY",
    "STRAWBERRY",
    "WOODLAND",
    "SKULLS",
    "APPLES",
)
_COUNTRIES = {
    "United Kingdom": 0.88,
    "Germany": 0.025,
    "France": 0.022,
    "EIRE": 0.018,
    "Spain": 0.01,
    "Netherlands": 0.01,
    "Belgium": 0.008,
    "Switzerland": 0.008,
    "Portugal": 0.006,
    "Australia": 0.005,
    "Norway": 0.008,
}
# Quantities a wholesaler's customers order (packs of 6, 12, 24, ...).
_QUANTITIES = np.array([1, 2, 3, 4, 6, 8, 10, 12, 24, 48, 96])
_QUANTITY_P = np.array([0.16, 0.14, 0.08, 0.09, 0.16, 0.05, 0.07, 0.14, 0.07, 0.03, 0.01])
_FIRST_INVOICE = 536365
_FIRST_CUSTOMER = 12346


def _not_on_saturday(day: np.ndarray, weekday_of_start: int, n_days: int) -> np.ndarray:
    """Saturdays (the shop is closed) move to the Sunday, or the Friday at the window's end."""
    saturday = (day + weekday_of_start) % 7 == 5
    moved = np.where(day + 1 < n_days, day + 1, day - 1)
    return np.where(saturday, moved, day)


def _catalogue(rng: np.random.Generator) -> pd.DataFrame:
    """Products: stock code, description, unit price, family, category and popularity."""
    n_variants = rng.integers(2, 7, size=len(_FAMILIES))
    family = np.repeat(np.arange(len(_FAMILIES)), n_variants)
    variant = np.concatenate([rng.permutation(len(_VARIANTS))[:k] for k in n_variants])
    suffix = np.concatenate([list("ABCDEFG"[:k]) for k in n_variants])
    base = np.array([f[0] for f in _FAMILIES])[family]
    article = np.array([f[1] for f in _FAMILIES])[family]
    price = np.array([f[2] for f in _FAMILIES])[family]
    # Variants cost the same or a little more; prices end in 5 pence like a price list.
    price = np.round(price * rng.choice([1.0, 1.0, 1.1, 1.25], size=family.size) / 0.05) * 0.05
    popularity = rng.pareto(1.2, size=family.size) + 0.05
    return pd.DataFrame(
        {
            "StockCode": pd.Series(base, dtype=object) + pd.Series(suffix, dtype=object),
            "Description": pd.Series(np.array(_VARIANTS)[variant], dtype=object) + " " + article,
            "UnitPrice": np.maximum(np.round(price, 2), 0.19),
            "family": family,
            "category": np.array([f[3] for f in _FAMILIES])[family],
            "popularity": popularity / popularity.sum(),
        }
    )


def _invoice_times(
    rng: np.random.Generator, birth: np.ndarray, last: np.ndarray, n_days: int, n: np.ndarray
) -> np.ndarray:
    """Invoice days (offsets from the start): each customer's first on its birth day, the
    rest until its last active day, busier towards the autumn peak."""
    owner = np.repeat(np.arange(birth.size), n)
    first = np.r_[0, np.cumsum(n)[:-1]]
    # A seasonal density over the window: the pre-Christmas months sell about twice as much.
    days = np.arange(n_days)
    weight = 1.0 + np.exp(-(((days - (n_days - 40)) / 45.0) ** 2))
    cdf = np.cumsum(weight) / weight.sum()
    low, high = cdf[birth[owner]], cdf[last[owner]]
    day = np.searchsorted(cdf, low + rng.uniform(size=owner.size) * (high - low))
    day = np.clip(day, birth[owner], last[owner])
    day[first] = birth
    return day


def make_online_retail(
    n_customers: int = 1_000,
    *,
    start: object = "2010-12-01",
    end: object = "2011-12-09",
    guest_share: float = 0.15,
    cancel_rate: float = 0.03,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Invoice lines in the shape of the UCI Online Retail data, drawn at random.

    The UCI Online Retail file (a UK gift wholesaler, December 2010 to December 2011) is
    the usual first real data a shop's analyst meets, and its shape is what ecrm must take
    as it comes: one row per invoice line; ``InvoiceNo`` with cancellations prefixed
    ``"C"``; a negative ``Quantity`` on cancelled lines; ``InvoiceDate`` as text like
    ``12/1/2010 8:26`` (month first, no zero padding); ``CustomerID`` read as a float,
    missing (NaN) on guest checkouts. This generator draws data of that shape, with no
    download, so examples, tests and the CLI can show the whole path.

    Customers buy as in the Pareto/NBD model: from their acquisition day they place
    invoices at a Gamma-distributed rate until an exponential lifetime ends (or ``end``),
    busier before Christmas and never on a Saturday; each invoice has several lines
    (StockCode / Description / UnitPrice from a catalogue of article families in several
    variants; lines favour the customer's favourite families and the invoice's family, so
    baskets have co-purchase structure). A ``cancel_rate`` share of customers' invoices
    is followed, 0 to 30 days later, by a cancellation invoice ``"C" + number`` returning
    some of its lines (negative ``Quantity``). Guest invoices (``guest_share`` of all)
    have no ``CustomerID``. Everything is drawn vectorised.

    Parameters
    ----------
    n_customers : int
        Registered customers (the UCI data has 4,372).
    start, end : date-like
        The window of invoice dates.
    guest_share : float in [0, 1)
        Share of invoices from guests (no ``CustomerID``).
    cancel_rate : float in [0, 1)
        Share of customers' invoices later cancelled (in part).
    random_state : int or None
        Seed; the same seed gives the same data.

    Returns
    -------
    pandas.DataFrame
        ``InvoiceNo`` (str), ``StockCode`` (str), ``Description`` (str), ``Quantity``
        (int64), ``InvoiceDate`` (str, ``%m/%d/%Y %H:%M`` without zero padding),
        ``UnitPrice`` (float64), ``CustomerID`` (float64, NaN for guests), ``Country``
        (str); one row per invoice line, in invoice order.

    References
    ----------
    Chen, D., Sain, S. L. and Guo, K. (2012). Data mining for the online retail
    industry: A case study of RFM model-based customer segmentation using data mining.
    *Journal of Database Marketing & Customer Strategy Management* 19(3), 197-208.
    Dua, D. and Graff, C. (2019). UCI Machine Learning Repository: Online Retail.

    Examples
    --------
    >>> import ecrm
    >>> retail = ecrm.datasets.make_online_retail(n_customers=300, random_state=1)
    >>> list(retail.columns)
    ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country']
    >>> retail["CustomerID"].nunique(), bool(retail["CustomerID"].isna().any())
    (300, True)
    >>> cancelled = retail["InvoiceNo"].str.startswith("C")
    >>> bool((retail.loc[cancelled, "Quantity"] < 0).all())
    True
    """
    what = "make_online_retail"
    _schema.integer(n_customers, "n_customers", what, low=1)
    for name, value in (("guest_share", guest_share), ("cancel_rate", cancel_rate)):
        _schema.number(value, name, what, low=0, high=1, high_open=True)
    start_ts, end_ts = (
        _schema.timestamp(start, None, "start", what).normalize(),
        _schema.timestamp(end, None, "end", what).normalize(),
    )
    n_days = (end_ts - start_ts).days + 1
    if n_days < 1:
        raise SchemaError(f"make_online_retail: end={end} is before start={start}")
    rng = np.random.default_rng(random_state)
    products = _catalogue(rng)
    n_products = len(products)

    # Customers: an acquisition day, a purchase rate (per day) and a lifetime, a country
    # and three favourite article families.
    birth = rng.integers(0, n_days, size=n_customers)
    rate = rng.gamma(0.9, 1 / 45, size=n_customers)
    last = np.minimum(birth + rng.exponential(300, size=n_customers).astype(np.int64), n_days - 1)
    n_invoices = 1 + rng.poisson(rate * (last - birth))
    country_names = np.array(list(_COUNTRIES))
    shares = np.array(list(_COUNTRIES.values()))
    country = rng.choice(len(country_names), size=n_customers, p=shares / shares.sum())
    family_weight = np.bincount(products["family"], weights=products["popularity"])
    favourites = rng.choice(len(_FAMILIES), size=(n_customers, 3), p=family_weight / family_weight.sum())

    # Invoices of customers, then of guests (one invoice each).
    owner = np.repeat(np.arange(n_customers), n_invoices)
    day = _invoice_times(rng, birth, last, n_days, n_invoices)
    n_guest = round(owner.size * guest_share / (1 - guest_share))
    day = np.concatenate([day, rng.integers(0, n_days, size=n_guest)])
    owner = np.concatenate([owner, np.full(n_guest, -1)])
    day = _not_on_saturday(day, start_ts.day_of_week, n_days)
    minute = rng.integers(8 * 60, 20 * 60, size=day.size)
    when = start_ts + pd.to_timedelta(day * 1440 + minute, unit="min")
    guest = owner < 0
    inv_country = np.where(guest, 0, country[np.maximum(owner, 0)])

    # Lines: an invoice's family theme (often a favourite), then lines from that family or
    # from the whole catalogue by popularity.
    n_lines = 1 + rng.negative_binomial(1.2, 0.1, size=owner.size)
    line_inv = np.repeat(np.arange(owner.size), n_lines)
    theme = np.where(
        rng.uniform(size=owner.size) < 0.6,
        favourites[np.maximum(owner, 0), rng.integers(0, 3, size=owner.size)],
        rng.choice(len(_FAMILIES), size=owner.size, p=family_weight / family_weight.sum()),
    )
    by_family = np.argsort(products["family"].to_numpy(), kind="stable")
    family_start = np.searchsorted(products["family"].to_numpy()[by_family], np.arange(len(_FAMILIES)))
    family_size = np.bincount(products["family"], minlength=len(_FAMILIES))
    t = theme[line_inv]
    in_theme = by_family[family_start[t] + rng.integers(0, family_size[t])]
    anywhere = rng.choice(n_products, size=line_inv.size, p=products["popularity"].to_numpy())
    product = np.where(rng.uniform(size=line_inv.size) < 0.55, in_theme, anywhere)
    quantity = rng.choice(_QUANTITIES, size=line_inv.size, p=_QUANTITY_P / _QUANTITY_P.sum())

    # Cancellations: some customer invoices are followed by a "C" invoice returning a part.
    cancel = ~guest & (rng.uniform(size=owner.size) < cancel_rate)
    cancel_day = day + rng.integers(0, 31, size=owner.size)
    cancel &= cancel_day < n_days
    cancel_day = _not_on_saturday(np.minimum(cancel_day, n_days - 1), start_ts.day_of_week, n_days)
    back = cancel[line_inv] & (rng.uniform(size=line_inv.size) < 0.6)
    c_inv = np.flatnonzero(cancel)
    has_line = np.bincount(line_inv[back], minlength=owner.size) > 0
    c_inv = c_inv[has_line[c_inv]]
    c_minute = rng.integers(8 * 60, 20 * 60, size=c_inv.size)
    same_day = cancel_day[c_inv] == day[c_inv]  # then after the sale, the same evening at the latest
    c_minute[same_day] = np.minimum(minute[c_inv][same_day] + rng.integers(1, 90, size=same_day.sum()), 1439)
    c_when = start_ts + pd.to_timedelta(cancel_day[c_inv] * 1440 + c_minute, unit="min")
    n_sale = owner.size
    all_when = np.concatenate([when.to_numpy(), c_when.to_numpy()])
    invoice_of = np.concatenate([np.arange(n_sale), c_inv])  # the sale each invoice belongs to
    is_cancel = np.r_[np.zeros(n_sale, bool), np.ones(c_inv.size, bool)]
    # Invoice numbers in time order, shared by sales and cancellations.
    order = np.lexsort((is_cancel, all_when))
    number = np.empty(order.size, dtype=np.int64)
    number[order] = _FIRST_INVOICE + np.arange(order.size)

    c_slot = np.full(n_sale, -1)
    c_slot[c_inv] = n_sale + np.arange(c_inv.size)
    back &= c_slot[line_inv] >= 0
    lines_inv = np.concatenate([line_inv, c_slot[line_inv[back]]])
    lines_product = np.concatenate([product, product[back]])
    returned = np.minimum(
        quantity[back], np.maximum(1, quantity[back] // rng.integers(1, 3, size=back.sum()))
    )
    lines_qty = np.concatenate([quantity, -returned])
    sale = invoice_of[lines_inv]
    line_order = np.lexsort((np.arange(lines_inv.size), number[lines_inv]))

    stamps = pd.DatetimeIndex(all_when[lines_inv][line_order])
    text_date = (
        stamps.month.astype(str)
        + "/"
        + stamps.day.astype(str)
        + "/"
        + stamps.year.astype(str)
        + " "
        + stamps.hour.astype(str)
        + ":"
        + pd.Index(stamps.minute).astype(str).str.zfill(2)
    )
    inv_number = pd.Series(number[lines_inv][line_order]).astype(str)
    cancelled_line = is_cancel[lines_inv][line_order]
    customer = owner[sale][line_order]
    p = lines_product[line_order]
    return pd.DataFrame(
        {
            "InvoiceNo": np.where(cancelled_line, "C", "") + inv_number.to_numpy(dtype=object),
            "StockCode": products["StockCode"].to_numpy()[p],
            "Description": products["Description"].to_numpy()[p],
            "Quantity": lines_qty[line_order].astype(np.int64),
            "InvoiceDate": np.asarray(text_date, dtype=object),
            "UnitPrice": products["UnitPrice"].to_numpy()[p],
            "CustomerID": np.where(customer >= 0, _FIRST_CUSTOMER + customer, np.nan),
            "Country": country_names[inv_country[sale][line_order]].astype(object),
        }
    )
