"""Synthetic product-level orders with planted co-purchase rules and customer tastes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _keys, _schema
from ._synthetic import make_transactions

__all__ = ["make_baskets"]


def _no_draw(p_missed: np.ndarray, mean_extra: float) -> np.ndarray:
    """P(no draw hits a set of products) when each draw misses it with ``p_missed``.

    A basket has ``1 + Poisson(mean_extra)`` independent draws, and
    ``E[x^(1 + N)] = x exp(mean_extra (x - 1))`` for ``N ~ Poisson(mean_extra)``.
    """
    return p_missed * np.exp(mean_extra * (p_missed - 1.0))


def _rule_truth(
    draw_probs: np.ndarray, antecedent: np.ndarray, consequent: np.ndarray, p_add: float, basket_size: float
) -> pd.DataFrame:
    """Exact expected support, confidence and lift of planted rules (see :func:`make_baskets`).

    ``draw_probs[c, j]`` is the chance that one draw of a customer of taste ``c`` is
    product ``j``; tastes are equally likely. Antecedents and consequents are product
    positions; each product is in at most one rule.
    """
    mu = basket_size - 1.0
    qa, qb = draw_probs[:, antecedent], draw_probs[:, consequent]  # (tastes, rules)
    a_out, b_out, both_out = _no_draw(1 - qa, mu), _no_draw(1 - qb, mu), _no_draw(1 - qa - qb, mu)
    a_in = 1 - a_out
    a_in_b_out = b_out - both_out  # before the planted additions
    both_in = 1 - a_out - b_out + both_out
    support_a = a_in.mean(axis=0)
    support_b = (1 - b_out + p_add * a_in_b_out).mean(axis=0)
    support_ab = (both_in + p_add * a_in_b_out).mean(axis=0)
    confidence = support_ab / support_a
    return pd.DataFrame(
        {
            "antecedent_support": support_a,
            "consequent_support": support_b,
            "support": support_ab,
            "confidence": confidence,
            "lift": confidence / support_b,
        }
    )


def _sample(cdf: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Inverse-CDF draws: the first position whose cumulative probability exceeds each value."""
    return np.minimum(np.searchsorted(cdf, values, side="right"), cdf.size - 1)


def make_baskets(
    n_customers: int = 5_000,
    n_products: int = 500,
    start: object = "2023-01-01",
    end: object = "2024-06-30",
    random_state: int | None = 0,
    *,
    n_categories: int = 10,
    basket_size: float = 3.0,
    taste_strength: float = 0.7,
    popularity_exponent: float = 1.0,
    n_rules: int = 10,
    rule_probability: float = 0.5,
    return_truth: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Draw product-level orders with planted co-purchase rules and customer tastes.

    Orders (who buys when) come from :func:`make_transactions` with its defaults (a
    BG/NBD purchase process with CDNOW's parameters). Each order is then filled with
    products:

    * Every product belongs to one of ``n_categories`` categories (equal sizes) and has
      a popularity weight ``rank ** -popularity_exponent`` (Zipf), ranks in random order.
    * Every customer has a favourite category (equally likely). An order has
      ``1 + Poisson(basket_size - 1)`` draws; each draw is, with probability
      ``taste_strength``, a product of the favourite category, else a product of the
      whole catalogue, chosen in proportion to popularity. A product drawn twice in an
      order is one line with quantity 2.
    * ``n_rules`` planted rules ``a -> b`` (distinct products, none in two rules;
      antecedents among the most popular quarter): when an order holds ``a``, ``b`` is
      added with probability ``rule_probability`` (if not already there).

    Because the draws are independent given the taste, each planted rule's expected
    support, confidence and lift over orders have a closed form (``truth["rules"]``):
    with ``q`` a product's chance per draw and ``E[x^(1+N)] = x exp(m (x - 1))`` for
    ``N ~ Poisson(m)``, P(no draw is ``a``) = ``(1 - q_a) exp(-m q_a)``, and so on.
    Mining the orders (``order_col="order_id"``) finds these values up to sampling error.

    The draw is vectorised (inverse-CDF sampling of all lines at once), so a million
    orders take seconds.

    Parameters
    ----------
    n_customers : int
        Customers (each buys at least once).
    n_products : int
        Catalogue size; product ids are ``1..n_products``.
    start, end : date-like
        The observation window (see :func:`make_transactions`).
    random_state : int or None
        Seed; the same seed gives the same data.
    n_categories : int
        Product categories (customer tastes).
    basket_size : float
        Mean number of draws per order (at least 1), before the planted additions.
    taste_strength : float
        Share of draws from the customer's favourite category, in [0, 1].
    popularity_exponent : float
        Zipf exponent of product popularity (0: all equally popular).
    n_rules : int
        Planted rules; ``2 * n_rules <= n_products``.
    rule_probability : float
        Chance that an order holding a rule's antecedent also gets its consequent.
    return_truth : bool
        Also return the truth (a dict of frames, below).

    Returns
    -------
    pandas.DataFrame or (pandas.DataFrame, dict)
        Order lines sorted by customer, date, order and product, with columns
        ``customer_id``, ``order_id``, ``order_date``, ``product_id``, ``category``,
        ``quantity``, ``price`` and ``amount`` (= quantity x price); ``attrs["params"]``
        holds the parameters. With ``return_truth``, also a dict with

        - ``"rules"``: one row per planted rule: ``antecedent``, ``consequent``,
          ``probability`` and the expected ``antecedent_support``,
          ``consequent_support``, ``support``, ``confidence`` and ``lift`` over orders;
        - ``"products"``: indexed by ``product_id``: ``category``, ``popularity`` (the
          chance of a catalogue-wide draw) and ``price``;
        - ``"customers"``: indexed by ``customer_id``: ``favourite_category``.

    References
    ----------
    Agrawal, R. and Srikant, R. (1994). Fast algorithms for mining association rules.
    *Proceedings of the 20th VLDB Conference*, 487-499 (support, confidence).

    Examples
    --------
    >>> import ecrm
    >>> lines, truth = ecrm.datasets.make_baskets(2_000, 200, random_state=1, return_truth=True)
    >>> list(lines.columns)
    ['customer_id', 'order_id', 'order_date', 'product_id', 'category', 'quantity', 'price', 'amount']
    >>> len(truth["rules"]), bool((truth["rules"]["lift"] > 1).all())
    (10, True)
    """
    what = "make_baskets"
    _schema.integer(n_customers, "n_customers", what, low=1)
    _schema.integer(n_products, "n_products", what, low=2)
    _schema.integer(n_categories, "n_categories", what, low=1, high=n_products)  # type: ignore[arg-type]
    _schema.integer(n_rules, "n_rules", what, low=0, high=n_products // 2)  # type: ignore[operator]
    _schema.number(basket_size, "basket_size", what, low=1)
    _schema.probability(taste_strength, "taste_strength", what)
    _schema.probability(rule_probability, "rule_probability", what)
    _schema.number(popularity_exponent, "popularity_exponent", what, low=0)
    rng = np.random.default_rng(random_state)
    orders = make_transactions(n_customers, start, end, random_state=int(rng.integers(2**62)))
    customer_ids = orders["customer_id"].to_numpy()
    n_orders = len(orders)

    # Catalogue: categories of equal size in random order, Zipf popularity over random ranks.
    category = rng.permutation(np.arange(n_products) % n_categories)
    weight = (rng.permutation(n_products) + 1.0) ** -popularity_exponent
    popularity = weight / weight.sum()
    by_category = np.argsort(category, kind="stable")
    category_mass = np.bincount(category, weights=weight, minlength=n_categories)
    within = weight[by_category] / category_mass[category[by_category]]
    # cumulative popularity within each category, shifted by the category number: one
    # sorted array serves every category (draw c + u for category c)
    starts = np.searchsorted(category[by_category], np.arange(n_categories))
    cumulative = np.cumsum(within)
    offset = np.repeat(cumulative[starts] - within[starts], np.diff(np.append(starts, n_products)))
    category_cdf = category[by_category] + (cumulative - offset)
    category_cdf[np.append(starts[1:], n_products) - 1] = np.arange(1, n_categories + 1)  # exact ends
    global_cdf = np.cumsum(popularity)
    global_cdf[-1] = 1.0
    price = np.round(np.exp(rng.normal(2.5, 0.6, n_products)), 2) + 0.5

    # Customer tastes and draws.
    favourite = rng.integers(n_categories, size=n_customers)
    draws = 1 + rng.poisson(basket_size - 1.0, n_orders)
    line_order = np.repeat(np.arange(n_orders), draws)
    taste = favourite[customer_ids[line_order] - 1]
    u = rng.uniform(size=line_order.size)
    from_taste = rng.uniform(size=line_order.size) < taste_strength
    product = np.where(
        from_taste,
        by_category[_sample(category_cdf, taste + u)],
        _sample(global_cdf, u),
    )

    # Planted rules: antecedents among the most popular quarter, consequents elsewhere.
    by_popularity = np.argsort(-popularity, kind="stable")
    top = by_popularity[: max(n_rules, n_products // 4)]
    antecedent = rng.choice(top, size=n_rules, replace=False)
    others = np.setdiff1d(np.arange(n_products), antecedent)
    consequent = rng.choice(others, size=n_rules, replace=False)

    shift = _keys.bits(n_products)
    # One line per (order, product); a product drawn twice has quantity 2. A sort and a
    # run-length count (np.unique hashes, several times slower on millions of keys).
    drawn = np.sort((line_order.astype(np.int64) << shift) | product)
    runs = np.flatnonzero(np.r_[True, drawn[1:] != drawn[:-1]])
    keys, quantity = drawn[runs], np.diff(np.r_[runs, drawn.size])
    rule_of = np.full(n_products, -1)
    rule_of[antecedent] = np.arange(n_rules)
    held = rule_of[keys & ((1 << shift) - 1)]
    fire = (held >= 0) & (rng.uniform(size=keys.size) < rule_probability)
    added = ((keys[fire] >> shift) << shift) | consequent[held[fire]]
    present = keys[np.minimum(np.searchsorted(keys, added), keys.size - 1)] == added
    added = added[~present]  # distinct: each consequent has one rule
    keys = np.concatenate([keys, added])
    quantity = np.concatenate([quantity, np.ones(added.size, dtype=quantity.dtype)])
    line_sort = np.argsort(keys, kind="stable")
    keys, quantity = keys[line_sort], quantity[line_sort]
    order_pos, product = keys >> shift, keys & ((1 << shift) - 1)

    lines = pd.DataFrame(
        {
            "customer_id": customer_ids[order_pos],
            "order_id": orders["order_id"].to_numpy()[order_pos],
            "order_date": orders["order_date"].to_numpy()[order_pos],
            "product_id": product + 1,
            "category": category[product],
            "quantity": quantity.astype(np.int64),
            "price": price[product],
            "amount": np.round(quantity * price[product], 2),
        }
    )
    params = {
        "n_products": n_products,
        "n_categories": n_categories,
        "basket_size": basket_size,
        "taste_strength": taste_strength,
        "popularity_exponent": popularity_exponent,
        "n_rules": n_rules,
        "rule_probability": rule_probability,
    }
    lines.attrs["params"] = params
    if not return_truth:
        return lines

    in_category = np.zeros((n_categories, n_products))
    in_category[category, np.arange(n_products)] = weight / category_mass[category]
    draw_probs = taste_strength * in_category + (1 - taste_strength) * popularity
    rules = _rule_truth(draw_probs, antecedent, consequent, rule_probability, basket_size)
    rules.insert(0, "antecedent", antecedent + 1)
    rules.insert(1, "consequent", consequent + 1)
    rules.insert(2, "probability", rule_probability)
    products = pd.DataFrame(
        {"category": category, "popularity": popularity, "price": price},
        index=pd.Index(np.arange(1, n_products + 1), name="product_id"),
    )
    customers = pd.DataFrame(
        {"favourite_category": favourite},
        index=pd.Index(np.arange(1, n_customers + 1), name="customer_id"),
    )
    return lines, {"rules": rules, "products": products, "customers": customers}
