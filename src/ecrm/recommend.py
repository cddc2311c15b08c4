"""Next best product: co-purchase rules and personal recommendations.

Three tools on product-level transactions (one row per order line, with a product id):

* :func:`association_rules` (and :func:`frequent_itemsets`): what is bought together,
  mined from baskets (orders, or a customer's purchases on one day) with sparse matrix
  algebra; support, confidence, lift, leverage and conviction.
* :class:`ItemKNN` and :class:`Popular`: scikit-learn style recommenders whose
  ``recommend(customers, n)`` gives every customer a ranked list of products; customers
  the model does not know get their segment's most popular products.
* :func:`evaluate`: a time-based holdout that measures a model against the popularity
  baseline (precision, recall, MAP, NDCG, hit rate at k, catalogue coverage), and
  :func:`next_best_product`, the one column the customer table gains.

Every function takes the order lines as a DataFrame (with a ``product_id`` column, or
the one named by ``product_col=``) or as ``ecrm.transactions(..., product_col=...)``,
which also maps a shop's export (quantity x unit price, cancelled invoices, guest rows).
Rows with a negative amount (returns, cancellations) are never purchases: they are in no
basket and no customer's history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, clone

from . import _keys, _labels, _schema
from .errors import SchemaError
from .transactions import Transactions, as_transactions

__all__ = [
    "ItemKNN",
    "Popular",
    "association_rules",
    "evaluate",
    "frequent_itemsets",
    "next_best_product",
    "report_tables",
]

# Customers scored per block by ItemKNN.recommend: bounds the candidate matrix held at once.
BLOCK_CUSTOMERS = 65_536
# Entries of one block of the item-item co-occurrence matrix built by ItemKNN.fit.
BLOCK_ENTRIES = 2**24
# Segment levels x products held by the popularity ranking; more is almost surely a mistake
# (segments are RFM segments or lifecycle stages, not customer ids).
MAX_SEGMENT_CELLS = 50_000_000
SOURCES = ("similar_items", "popular")
BASELINE = "popularity baseline"


# ---------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class _ProductLog:
    """Validated product-level transactions (the attribute names of ``ecrm.Transactions``).

    ``purchase`` marks rows that are purchases (amount not negative);
    ``product`` is the product id of each row.
    """

    customer: pd.Series
    date: pd.Series
    product: pd.Series
    order: pd.Series | None
    purchase: np.ndarray
    as_of: pd.Timestamp
    customer_col: str
    product_col: str


def _product_log(
    data: object,
    *,
    what: str,
    customer_col: str,
    date_col: str,
    product_col: str | None,
    order_col: str | None,
    amount_col: str | None,
    as_of: object = None,
) -> _ProductLog:
    """The one place recommend reads product-level transactions: ``as_transactions``,
    cut at ``as_of`` (rows after it are left out: a snapshot).

    ``product_col=None`` means the product column of a ``Transactions`` built with
    ``product_col=``, or ``"product_id"`` in a DataFrame.
    """
    if product_col is None and not isinstance(data, Transactions):
        product_col = "product_id"
    log = as_transactions(
        data,
        what=what,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
        product_col=product_col,
    ).upto(as_of, what=what)
    if log.product is None:
        raise SchemaError(
            f"{what}: the Transactions given have no product column; build them with "
            "ecrm.transactions(..., product_col=...)"
        )
    log.require_purchases(what)
    return _ProductLog(
        log.customer, log.date, log.product, log.order, log.purchase, log.as_of, log.customer_col,
        log.product_col,
    )  # fmt: skip


def _rows(log: _ProductLog, mask: np.ndarray) -> _ProductLog:
    """The log restricted to the rows of ``mask``."""
    order = log.order[mask] if log.order is not None else None
    return replace(
        log,
        customer=log.customer[mask],
        date=log.date[mask],
        product=log.product[mask],
        order=order,
        purchase=log.purchase[mask],
    )


def _factorize(values: pd.Series, column: str) -> tuple[np.ndarray, pd.Index]:
    """Codes and sorted distinct ids (ids of mixed types, e.g. 85123 and '85123A', sort
    numbers first), named ``column``."""
    codes, uniques = _schema.factorize_ids(values)
    return codes, uniques.rename(column)


# ---------------------------------------------------------------------------------------
# Baskets and frequent itemsets


def _basket_matrix(log: _ProductLog, what: str) -> tuple[sparse.csr_matrix, pd.Index]:
    """Boolean basket x product matrix (int32 ones) of the purchase rows, and the products.

    A basket is an order when the log has order ids, else a customer's purchases on one
    calendar day.
    """
    rows = log.purchase
    product_codes, products = _factorize(log.product[rows], log.product_col)
    if log.order is not None:
        basket, _ = _factorize(log.order[rows], "order")
    else:
        customer_codes, _ = _factorize(log.customer[rows], log.customer_col)
        day = _schema.day_number(log.date[rows])
        day = day - day.min()
        key = (customer_codes.astype(np.int64) << _keys.bits(int(day.max()) + 1)) | day
        basket = np.unique(key, return_inverse=True)[1]
    n_baskets = int(basket.max()) + 1
    matrix = sparse.csr_matrix(
        (np.ones(basket.size, dtype=np.int32), (basket, product_codes)), shape=(n_baskets, len(products))
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1  # a product is in a basket or not
    return matrix, products


@dataclass(frozen=True)
class _Itemsets:
    """Frequent itemsets as item-code arrays (codes into ``products``) and basket counts."""

    n_baskets: int
    products: pd.Index
    items: np.ndarray  # (n1,)
    item_counts: np.ndarray  # count of every product, frequent or not
    pairs: np.ndarray  # (n2, 2), a < b, sorted
    pair_counts: np.ndarray
    triples: np.ndarray  # (n3, 3), a < b < c
    triple_counts: np.ndarray

    def pair_count(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Counts of frequent pairs (a, b) with a < b (every pair asked must be frequent)."""
        n = len(self.products)
        keys = self.pairs[:, 0].astype(np.int64) * n + self.pairs[:, 1]
        return self.pair_counts[np.searchsorted(keys, a.astype(np.int64) * n + b)]


def _in_basket_pairs(matrix: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair of positions (p, q), p < q, within the same row of a CSR matrix.

    Returns the row and the two column codes of each pair; vectorised (grouped offsets).
    """
    indptr, nnz = matrix.indptr, matrix.nnz
    row = np.repeat(np.arange(matrix.shape[0]), np.diff(indptr))
    after = indptr[row + 1] - 1 - np.arange(nnz)  # later positions in the same row
    left = np.repeat(np.arange(nnz), after)
    start = np.cumsum(after) - after
    right = left + 1 + (np.arange(left.size) - np.repeat(start, after))
    return row[left], matrix.indices[left], matrix.indices[right]


def _count_itemsets(
    matrix: sparse.csr_matrix, products: pd.Index, min_support: float, max_len: int
) -> _Itemsets:
    """Frequent items, pairs (X^T X on frequent items) and triples (pairs^T X) by sparse algebra.

    An itemset is frequent when ``count / n_baskets >= min_support``, the comparison
    mlxtend makes, so both keep the same itemsets.
    """
    n = matrix.shape[0]
    item_counts = np.asarray(matrix.sum(axis=0)).ravel().astype(np.int64)
    items = np.flatnonzero(item_counts / n >= min_support)
    empty2, empty3 = np.empty((0, 2), dtype=np.int64), np.empty((0, 3), dtype=np.int64)
    none = np.empty(0, dtype=np.int64)
    if max_len < 2 or items.size < 2:
        return _Itemsets(n, products, items, item_counts, empty2, none, empty3, none)
    sub = matrix[:, items].tocsr()
    sub.sort_indices()
    co = sparse.triu((sub.T @ sub).tocsr(), k=1).tocoo()
    keep = co.data / n >= min_support
    a, b, counts = co.row[keep], co.col[keep], co.data[keep].astype(np.int64)
    order = np.lexsort((b, a))
    a, b, counts = a[order], b[order], counts[order]
    pairs = np.column_stack([items[a], items[b]]).astype(np.int64)
    if max_len < 3 or a.size < 2:
        return _Itemsets(n, products, items, item_counts, pairs, counts, empty3, none)

    # Triples: baskets x frequent-pair indicator P, then P^T X counts pair + third item.
    # Only items in some frequent pair can be in a frequent triple (downward closure).
    local = np.unique(np.concatenate([a, b]))
    sub = sub[:, local].tocsr()
    sub.sort_indices()
    n_local = local.size
    remap = np.full(items.size, -1)
    remap[local] = np.arange(n_local)
    pair_keys = remap[a].astype(np.int64) * n_local + remap[b]  # sorted, as (a, b) are
    basket, left, right = _in_basket_pairs(sub)
    found = np.searchsorted(pair_keys, left.astype(np.int64) * n_local + right)
    found = np.minimum(found, pair_keys.size - 1)
    hit = pair_keys[found] == left.astype(np.int64) * n_local + right
    indicator = sparse.csr_matrix(
        (np.ones(int(hit.sum()), dtype=np.int32), (basket[hit], found[hit])), shape=(n, pair_keys.size)
    )
    tri = (indicator.T @ sub).tocoo()  # (pair, third item) -> count
    third = tri.col
    keep = (third > remap[b][tri.row]) & (tri.data / n >= min_support)
    p, c = tri.row[keep], third[keep]
    triples = np.column_stack([pairs[p, 0], pairs[p, 1], items[local[c]]]).astype(np.int64)
    order = np.lexsort((triples[:, 2], triples[:, 1], triples[:, 0]))
    return _Itemsets(
        n, products, items, item_counts, pairs, counts, triples[order], tri.data[keep].astype(np.int64)[order]
    )


def _id_tuples(products: pd.Index, codes: np.ndarray) -> list[tuple]:
    """One tuple of product ids per row of ``codes`` (columns padded with -1 are skipped)."""
    ids = np.empty(len(products), dtype=object)
    ids[:] = products.tolist()  # Python scalars, so tuples print as (1, 2), not np.int64
    columns = [ids[np.maximum(col, 0)] for col in codes.T]
    widths = (codes >= 0).sum(axis=1)
    out = [tuple(row[:w]) for row, w in zip(zip(*columns, strict=True), widths, strict=True)]
    return out


def _check_rule_params(min_support: object, max_len: object, what: str) -> None:
    _schema.number(min_support, "min_support", what, low=0, high=1, low_open=True)
    _schema.integer(max_len, "max_len", what, low=1, high=3)


def frequent_itemsets(
    transactions: pd.DataFrame | Transactions,
    *,
    min_support: float = 0.01,
    max_len: int = 2,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    product_col: str | None = None,
    order_col: str | None = None,
    amount_col: str | None = "amount",
    as_of: object = None,
) -> pd.DataFrame:
    """Sets of up to three products bought together in at least ``min_support`` of baskets.

    Parameters
    ----------
    transactions : pandas.DataFrame or ecrm.Transactions
        Order lines: customer, date, product and, optionally, order id and amount; or
        :func:`ecrm.transactions` built with ``product_col=``.
    min_support : float in (0, 1]
        Least share of baskets that hold the itemset.
    max_len : {1, 2, 3}
        Largest itemset.
    customer_col, date_col : str
        Columns of the customer id and the order timestamp.
    product_col : str, optional
        Column of the product id: default ``"product_id"`` in a DataFrame, and the
        column a ``Transactions`` was built with.
    order_col : str, optional
        Column of order ids: each order is a basket. Without it, a basket is one
        customer's purchases on one calendar day.
    amount_col : str or None
        Rows where it is negative (returns) are in no basket. ``None``: not used. For
        quantity x unit price, build ``ecrm.transactions(..., quantity_col=...,
        price_col=...)`` first.
    as_of : date-like, optional
        Rows after it are left out.

    Returns
    -------
    pandas.DataFrame
        One row per itemset, by length then descending support: ``itemset`` (a tuple
        of product ids in sorted order), ``length``, ``support`` (share of baskets) and
        ``n_baskets`` (how many). ``attrs["n_baskets"]`` is the number of baskets.

    Raises
    ------
    ecrm.errors.SchemaError
        Missing columns, missing ids, dates or products, no purchases, bad parameters.
    References
    ----------
    Agrawal, R. and Srikant, R. (1994). Fast algorithms for mining association rules.
    *Proceedings of the 20th VLDB Conference*, Santiago, Chile, 487-499.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> lines = pd.DataFrame({"customer_id": [1, 1, 2, 2, 3], "order_id": [1, 1, 2, 2, 3],
    ...                       "order_date": ["2024-01-01"] * 5,
    ...                       "product_id": ["tea", "cup", "tea", "cup", "tea"]})
    >>> ecrm.recommend.frequent_itemsets(lines, min_support=0.5, order_col="order_id",
    ...                                  amount_col=None)
           itemset  length   support  n_baskets
    0       (tea,)       1  1.000000          3
    1       (cup,)       1  0.666667          2
    2  (cup, tea)       2  0.666667          2
    """
    what = "recommend.frequent_itemsets"
    _check_rule_params(min_support, max_len, what)
    log = _product_log(
        transactions,
        what=what,
        customer_col=customer_col,
        date_col=date_col,
        product_col=product_col,
        order_col=order_col,
        amount_col=amount_col,
        as_of=as_of,
    )
    found = _count_itemsets(*_basket_matrix(log, what), float(min_support), max_len)
    codes_all = np.concatenate(
        [
            np.column_stack([found.items, np.full((found.items.size, 2), -1)]),
            np.column_stack([found.pairs, np.full(len(found.pairs), -1)]),
            found.triples,
        ]
    )
    counts = np.concatenate([found.item_counts[found.items], found.pair_counts, found.triple_counts])
    length = (codes_all >= 0).sum(axis=1)
    order = np.lexsort((codes_all[:, 2], codes_all[:, 1], codes_all[:, 0], -counts, length))
    out = pd.DataFrame(
        {
            "itemset": _id_tuples(found.products, codes_all[order]),
            "length": length[order],
            "support": counts[order] / found.n_baskets,
            "n_baskets": counts[order],
        }
    )
    out.attrs["n_baskets"] = found.n_baskets
    return out


def association_rules(
    transactions: pd.DataFrame | Transactions,
    *,
    min_support: float = 0.01,
    min_confidence: float = 0.1,
    max_len: int = 2,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    product_col: str | None = None,
    order_col: str | None = None,
    amount_col: str | None = "amount",
    as_of: object = None,
) -> pd.DataFrame:
    """Co-purchase rules "who buys A also buys C" with support, confidence, lift, leverage, conviction.

    Every frequent itemset of two or three products (support at least
    ``min_support``, see :func:`frequent_itemsets`) gives a rule for each way of
    splitting it into an antecedent A and a consequent C; rules with confidence at least
    ``min_confidence`` are kept. With s(X) the share of baskets holding every product of X:

    * ``support`` = s(A ∪ C); ``confidence`` = s(A ∪ C) / s(A) (Agrawal and Srikant 1994);
    * ``lift`` = confidence / s(C): how many times more likely C is in a basket with A
      than in any basket (1 = independent);
    * ``leverage`` = s(A ∪ C) - s(A) s(C) (Piatetsky-Shapiro 1991);
    * ``conviction`` = (1 - s(C)) / (1 - confidence) (Brin et al. 1997); infinite when
      the confidence is 1.

    The result equals mlxtend's ``fpgrowth`` followed by ``association_rules`` on the
    same baskets (a test checks it to 1e-12). It is computed with sparse matrix algebra:
    item counts are column sums of the basket x product matrix X, pair counts the
    upper triangle of X^T X over frequent products, and triple counts the product of the
    basket x frequent-pair indicator with X; no Python loop over baskets or itemsets.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Order lines (see :func:`frequent_itemsets` for the columns and baskets).
    min_support : float in (0, 1]
        Least share of baskets holding every product of the rule.
    min_confidence : float in [0, 1]
        Least confidence.
    max_len : {2, 3}
        Most products in a rule (antecedent and consequent together).
    customer_col, date_col, product_col, order_col, amount_col, as_of
        As for :func:`frequent_itemsets`.

    Returns
    -------
    pandas.DataFrame
        One row per rule, by descending lift (then confidence, support): ``antecedent``
        and ``consequent`` (tuples of product ids, sorted), ``antecedent_support``,
        ``consequent_support``, ``support``, ``confidence``, ``lift``, ``leverage``,
        ``conviction`` and ``n_baskets`` (baskets holding A ∪ C). ``attrs`` records
        ``n_baskets`` (all baskets), ``min_support``, ``min_confidence`` and ``basket``
        (``"order"`` or ``"customer-day"``).

    Raises
    ------
    ecrm.errors.SchemaError
        Missing columns (for instance no product column), missing ids, dates or products
        (NaN), no purchases, or parameters out of range.
    References
    ----------
    Agrawal, R. and Srikant, R. (1994). Fast algorithms for mining association rules.
    *Proceedings of the 20th VLDB Conference*, Santiago, Chile, 487-499.

    Brin, S., Motwani, R., Ullman, J. D. and Tsur, S. (1997). Dynamic itemset counting
    and implication rules for market basket data. *Proceedings of ACM SIGMOD*, 255-264.

    Piatetsky-Shapiro, G. (1991). Discovery, analysis, and presentation of strong rules.
    In *Knowledge Discovery in Databases*, AAAI/MIT Press, 229-248.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> lines = pd.DataFrame({
    ...     "customer_id": [1, 1, 2, 2, 3, 3, 4],
    ...     "order_date": ["2024-01-01"] * 7,
    ...     "product_id": ["tea", "cup", "tea", "cup", "tea", "jam", "jam"]})
    >>> rules = ecrm.recommend.association_rules(lines, min_support=0.25, min_confidence=0.5,
    ...                                          amount_col=None)
    >>> rules[["antecedent", "consequent", "support", "confidence", "lift"]]
      antecedent consequent  support  confidence      lift
    0     (cup,)     (tea,)     0.50    1.000000  1.333333
    1     (tea,)     (cup,)     0.50    0.666667  1.333333
    2     (jam,)     (tea,)     0.25    0.500000  0.666667
    >>> rules.attrs["basket"]
    'customer-day'
    """
    what = "recommend.association_rules"
    _check_rule_params(min_support, max_len, what)
    if max_len == 1:
        raise SchemaError(f"{what}: max_len=1 gives no rules; use 2 or 3")
    _schema.probability(min_confidence, "min_confidence", what)
    log = _product_log(
        transactions,
        what=what,
        customer_col=customer_col,
        date_col=date_col,
        product_col=product_col,
        order_col=order_col,
        amount_col=amount_col,
        as_of=as_of,
    )
    return _rules(log, float(min_support), float(min_confidence), max_len, what)


def _rules(
    log: _ProductLog, min_support: float, min_confidence: float, max_len: int, what: str
) -> pd.DataFrame:
    """The rules of :func:`association_rules` from a validated log."""
    found = _count_itemsets(*_basket_matrix(log, what), min_support, max_len)
    ant, cons, n_ac = _rule_candidates(found)
    n = found.n_baskets
    n_a, n_c = _set_counts(found, ant), _set_counts(found, cons)
    confidence = n_ac / n_a
    keep = confidence >= min_confidence
    ant, cons, n_ac, n_a, n_c, confidence = (x[keep] for x in (ant, cons, n_ac, n_a, n_c, confidence))
    support, s_a, s_c = n_ac / n, n_a / n, n_c / n
    lift = confidence / s_c
    conviction = np.full(confidence.size, np.inf)
    below = confidence < 1
    conviction[below] = (1 - s_c[below]) / (1 - confidence[below])
    order = np.lexsort((cons[:, 1], cons[:, 0], ant[:, 1], ant[:, 0], -support, -confidence, -lift))
    out = pd.DataFrame(
        {
            "antecedent": _id_tuples(found.products, ant[order]),
            "consequent": _id_tuples(found.products, cons[order]),
            "antecedent_support": s_a[order],
            "consequent_support": s_c[order],
            "support": support[order],
            "confidence": confidence[order],
            "lift": lift[order],
            "leverage": (support - s_a * s_c)[order],
            "conviction": conviction[order],
            "n_baskets": n_ac[order],
        }
    )
    out.attrs.update(
        n_baskets=n,
        min_support=min_support,
        min_confidence=min_confidence,
        basket="order" if log.order is not None else "customer-day",
    )
    return out


def _rule_candidates(found: _Itemsets) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every split of every frequent pair and triple: antecedent and consequent codes
    (two columns, -1 padded) and the count of the whole itemset."""
    a, b = found.pairs[:, 0], found.pairs[:, 1]
    pad = np.full(a.size, -1)
    ant = [np.column_stack([a, pad]), np.column_stack([b, pad])]
    cons = [np.column_stack([b, pad]), np.column_stack([a, pad])]
    counts = [found.pair_counts, found.pair_counts]
    t = found.triples
    pad = np.full(len(t), -1)
    for i in range(3):  # the three single products of a triple against the other two
        rest = np.delete(t, i, axis=1)
        ant += [np.column_stack([t[:, i], pad]), rest]
        cons += [rest, np.column_stack([t[:, i], pad])]
        counts += [found.triple_counts, found.triple_counts]
    return np.concatenate(ant), np.concatenate(cons), np.concatenate(counts)


def _set_counts(found: _Itemsets, codes: np.ndarray) -> np.ndarray:
    """Basket counts of itemsets of one or two products (codes -1 padded; pairs frequent)."""
    out = found.item_counts[codes[:, 0]].copy()
    two = codes[:, 1] >= 0
    if two.any():
        out[two] = found.pair_count(codes[two, 0], codes[two, 1])
    return out


# ---------------------------------------------------------------------------------------
# Recommenders


def _top_per_row(matrix: sparse.csr_matrix, n: int | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``n`` largest positive entries of every row (``n`` may differ per row).

    Returns (row, column, value) ordered by row, then value descending, then column.
    Each entry's value is read as the bits of a positive float32, an integer that sorts
    like the number. First a coarse pass: per row, entries are counted in buckets of a
    quarter octave below the row's maximum, and only the buckets that hold the top
    ``n`` survive. The survivors become one int64 key each, row | value | column, and
    one integer sort orders them as a sort within every row would. Values equal in
    float32 are ordered by column; the values returned are the exact float64 ones.
    Rows are processed in chunks (at most 65,536 rows, and few enough for the key's three
    fields to fit in 63 bits).
    """
    n_rows, n_cols = matrix.shape
    col_bits = int(_keys.bits(n_cols))
    step = 1 << min(63 - 31 - col_bits, 16)  # the 64 buckets per row stay small too
    per_row = np.broadcast_to(np.asarray(n, dtype=np.int64), (n_rows,))
    out: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for start in range(0, n_rows, step):
        sub = matrix if n_rows <= step else matrix[start : start + step]
        if sub.nnz and sub.data.min() <= 0:  # only positive entries count
            sub = sub.copy()
            sub.data[sub.data <= 0] = 0
            sub.eliminate_zeros()
        wanted = per_row[start : start + step]
        lengths = np.diff(sub.indptr)
        row = np.repeat(np.arange(sub.shape[0], dtype=np.int32), lengths)
        bits = sub.data.astype(np.float32).view(np.int32)
        filled = np.flatnonzero(lengths)
        top_bits = np.zeros(sub.shape[0], dtype=np.int32)
        top_bits[filled] = np.maximum.reduceat(bits, sub.indptr[filled])
        bucket = np.minimum((top_bits[row] - bits) >> 21, 63)  # 2**23 steps = one octave
        counts = np.bincount(row.astype(np.int64) * 64 + bucket, minlength=sub.shape[0] * 64)
        enough = np.cumsum(counts.reshape(-1, 64), axis=1) >= wanted[:, None]
        last_bucket = np.where(enough[:, -1], np.argmax(enough, axis=1), 63)
        keep = np.flatnonzero(bucket <= last_bucket[row])
        key = (
            (row[keep].astype(np.int64) << (31 + col_bits))
            | ((0x7FFFFFFF - bits[keep]).astype(np.int64) << col_bits)
            | sub.indices[keep]
        )
        order = np.argsort(key)  # keys are unique: one per row and column
        kept_row = row[keep][order]
        _, rank = _grouped_positions(np.bincount(kept_row, minlength=sub.shape[0]))
        top = rank < wanted[kept_row]
        chosen = keep[order[top]]
        out.append(
            (kept_row[top].astype(np.int64) + start, sub.indices[chosen].astype(np.int64), sub.data[chosen])
        )
    if not out:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    return tuple(np.concatenate(part) for part in zip(*out, strict=True))  # type: ignore[return-value]


def _contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Whether each of ``keys`` is in the sorted array ``sorted_keys``."""
    if sorted_keys.size == 0:
        return np.zeros(keys.size, dtype=bool)
    found = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return sorted_keys[found] == keys


def _pair_keys(row: np.ndarray, col: np.ndarray, shift: np.int64) -> np.ndarray:
    """Packed (row, column) int64 keys."""
    return (row.astype(np.int64) << shift) | col


def _grouped_positions(sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For groups of ``sizes``: each element's group and position within it."""
    group = np.repeat(np.arange(sizes.size), sizes)
    start = np.cumsum(sizes) - sizes
    return group, np.arange(group.size) - start[group]


class _Recommender(BaseEstimator):
    """What Popular and ItemKNN share: the purchase history, segment popularity, recommend."""

    def _personal(
        self, history: sparse.csr_matrix, n: int, exclude_purchased: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Personal top-n of the customers whose history rows are given: (row, product
        code, score), by row and rank; none by default."""
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)

    # -------------------------------------------------------------------- fitting
    def fit(
        self,
        transactions: pd.DataFrame | Transactions,
        segments: pd.Series | None = None,
        *,
        customer_col: str = "customer_id",
        date_col: str = "order_date",
        product_col: str | None = None,
        order_col: str | None = None,
        amount_col: str | None = "amount",
        as_of: object = None,
    ) -> _Recommender:
        """Learn from the purchases in ``transactions``.

        Parameters
        ----------
        transactions : pandas.DataFrame or ecrm.Transactions
            Order lines: customer, date and product, optionally amount (see
            :func:`frequent_itemsets`).
        segments : pandas.Series, optional
            A label per customer id (an RFM segment, a lifecycle stage; the index is the
            customer id). Popularity is then counted per segment, for the customers
            without personal recommendations, including customers in ``segments`` who
            have not bought yet. Customers without a segment use everyone's popularity.
        customer_col, date_col, product_col : str
            Columns of the customer id, the order timestamp and the product id (see
            :func:`frequent_itemsets`).
        order_col : str, optional
            Column of order ids (checked for missing values; not otherwise used).
        amount_col : str or None
            Rows where it is negative are returns and no purchase. ``None``: not used.
        as_of : date-like, optional
            Rows after it are left out; the reference date of the time decay. Default:
            the last transaction date.

        Returns
        -------
        self

        Raises
        ------
        ecrm.errors.SchemaError
            Missing columns, missing ids, dates or products, no purchases, parameters
            out of range, or ``segments`` that is not a Series indexed by customer id.
        """
        what = f"{type(self).__name__}.fit"
        self._check_params(what)
        log = _product_log(
            transactions,
            what=what,
            customer_col=customer_col,
            date_col=date_col,
            product_col=product_col,
            order_col=order_col,
            amount_col=amount_col,
            as_of=as_of,
        )
        return self._fit_log(log, segments, what)

    def _check_params(self, what: str) -> None:
        """Validate the hyperparameters (none here)."""

    def _fit_log(self, log: _ProductLog, segments: pd.Series | None, what: str) -> _Recommender:
        rows = log.purchase
        customer_codes, self.customers_ = _factorize(log.customer[rows], log.customer_col)
        product_codes, self.products_ = _factorize(log.product[rows], log.product_col)
        self.as_of_ = log.as_of
        self.customer_col_, self.product_col_ = log.customer_col, log.product_col
        # Latest purchase of every (customer, product): its age sets the time-decayed weight.
        shift = _keys.bits(len(self.products_))
        key = (customer_codes.astype(np.int64) << shift) | product_codes
        age_days = ((log.as_of - log.date[rows]).dt.total_seconds() / 86_400.0).to_numpy()
        order = np.argsort(key, kind="stable")
        key = key[order]
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        youngest = np.minimum.reduceat(age_days[order], first)
        self.history_ = sparse.csr_matrix(
            (self._weights(youngest), (key[first] >> shift, key[first] & ((1 << shift) - 1))),
            shape=(len(self.customers_), len(self.products_)),
        )
        self.history_.sort_indices()
        self._fit_segments(segments, what)
        self._fit_model(what)
        return self

    def _weights(self, age_days: np.ndarray) -> np.ndarray:
        """Implicit-feedback weight of a (customer, product) from the age of its last purchase."""
        return np.ones_like(age_days)

    def _fit_model(self, what: str) -> None:
        """Learn the personal part (none here)."""

    def _fit_segments(self, segments: pd.Series | None, what: str) -> None:
        """Popularity ranking overall and per segment: ``ranking_[s]`` lists product codes
        from most to least bought in segment ``s`` (last row: everyone)."""
        n_customers, n_products = self.history_.shape
        if segments is None:
            labels = pd.Index([], dtype=object)
            lookup = pd.Series(np.empty(0, dtype=np.int64), index=self.customers_[:0])
            of_customer = np.full(n_customers, -1)
        else:
            if not isinstance(segments, pd.Series):
                raise SchemaError(
                    f"{what}: segments must be a pandas Series indexed by customer id, "
                    f"got {type(segments).__name__}"
                )
            if not segments.index.is_unique:
                dup = segments.index[segments.index.duplicated()].unique()[:5].tolist()
                raise SchemaError(f"{what}: segments has duplicated customer ids, e.g. {dup}")
            category = pd.Categorical(segments)
            labels = pd.Index(category.categories)
            if (len(labels) + 1) * n_products > MAX_SEGMENT_CELLS:
                raise SchemaError(
                    f"{what}: segments has {len(labels):,} distinct values; expected a few groups "
                    "(RFM segments, lifecycle stages), not one per customer"
                )
            lookup = pd.Series(np.asarray(category.codes, dtype=np.int64), index=segments.index)
            position = segments.index.get_indexer(self.customers_)
            if (position < 0).all():
                example = segments.index[:3].tolist()
                raise SchemaError(
                    f"{what}: segments shares no customer id with the transactions (segment ids "
                    f"look like {example}, customer ids like {self.customers_[:3].tolist()}); "
                    "index segments by the customer id"
                )
            of_customer = np.where(position >= 0, lookup.to_numpy()[position], -1)
        n_levels = len(labels)
        of_customer = np.where(of_customer < 0, n_levels, of_customer)  # no segment: "everyone"
        # Buyers per (segment, product), from the non-zero pattern of the history.
        holder = np.repeat(of_customer, np.diff(self.history_.indptr))
        buyers = np.bincount(
            holder * n_products + self.history_.indices, minlength=(n_levels + 1) * n_products
        ).reshape(n_levels + 1, n_products)
        overall = buyers.sum(axis=0)
        buyers[n_levels] = overall
        size = np.bincount(of_customer, minlength=n_levels + 1).astype(float)
        size[n_levels] = n_customers
        segment = np.repeat(np.arange(n_levels + 1), n_products)
        product = np.tile(np.arange(n_products), n_levels + 1)
        # Most buyers in the segment first; ties by buyers overall, then product order.
        order = np.lexsort((product, -overall[product], -buyers.ravel(), segment))
        self.ranking_ = product[order].reshape(n_levels + 1, n_products)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.popularity_ = np.nan_to_num(buyers / size[:, None])
        self.segment_labels_ = labels
        self._segment_of = of_customer
        self._segment_lookup = lookup

    # -------------------------------------------------------------------- recommending
    def _check_fitted(self) -> None:
        if not hasattr(self, "history_"):
            from sklearn.exceptions import NotFittedError

            name = type(self).__name__
            raise NotFittedError(f"this {name} is not fitted yet; call fit(transactions) first")

    def _customer_codes(self, customers: object, what: str) -> tuple[pd.Index, np.ndarray, np.ndarray]:
        """Requested ids (unique, in order), their history row (-1 unknown) and segment."""
        if customers is None:
            ids = self.customers_
        else:
            ids = pd.Index([customers] if np.isscalar(customers) else customers).unique()
            if ids.hasnans:
                raise SchemaError(f"{what}: customers contains missing ids (NaN/None)")
        rows = self.customers_.get_indexer(ids)
        n_levels = len(self.segment_labels_)
        segment = np.full(len(ids), n_levels)
        known = rows >= 0
        segment[known] = self._segment_of[rows[known]]
        if (~known).any() and len(self._segment_lookup):
            position = self._segment_lookup.index.get_indexer(ids[~known])
            looked = np.where(position >= 0, self._segment_lookup.to_numpy()[np.maximum(position, 0)], -1)
            segment[~known] = np.where(looked >= 0, looked, n_levels)
        return ids, rows, segment

    def _recommend_codes(
        self, rows: np.ndarray, segment: np.ndarray, n: int, exclude_purchased: bool
    ) -> tuple[np.ndarray, ...]:
        """Top-n of every requested customer: (position, rank, product code, score, source code).

        Personal recommendations first; the rest of the n from the customer's segment
        ranking (or everyone's), skipping what is excluded or already chosen. Customers
        are processed in blocks, so memory stays bounded for millions of customers.
        """
        parts = [
            self._recommend_block(
                rows[start : start + BLOCK_CUSTOMERS],
                segment[start : start + BLOCK_CUSTOMERS],
                n,
                exclude_purchased,
                start,
            )
            for start in range(0, rows.size, BLOCK_CUSTOMERS)
        ]
        if not parts:
            return tuple(np.empty(0, dtype=np.int64) for _ in range(5))
        return tuple(np.concatenate(column) for column in zip(*parts, strict=True))

    def _recommend_block(
        self, rows: np.ndarray, segment: np.ndarray, n: int, exclude_purchased: bool, offset: int
    ) -> tuple[np.ndarray, ...]:
        n_products = len(self.products_)
        shift = _keys.bits(n_products)
        known = np.flatnonzero(rows >= 0)
        history = self.history_[rows[known]]  # sorted column indices, as history_
        pos, prod, score = self._personal(history, n, exclude_purchased)
        pos = known[pos]
        # Fill the lists from the segment ranking: its first (skipped + still needed)
        # products hold enough that are neither bought (when excluded) nor chosen.
        need = n - np.bincount(pos, minlength=rows.size)
        short = need > 0
        skip = [_pair_keys(pos[short[pos]], prod[short[pos]], shift)]
        n_skip = n - need
        if exclude_purchased:
            bought = np.diff(history.indptr)
            holder = np.repeat(known, bought)
            skip.append(_pair_keys(holder, history.indices, shift)[short[holder]])
            n_skip[known] += bought
        take = np.minimum(np.where(short, n_skip + need, 0), n_products)
        fill_pos, place = _grouped_positions(take)
        fill_prod = self.ranking_[segment[fill_pos], place]
        fresh = ~_contains(np.sort(np.concatenate(skip)), _pair_keys(fill_pos, fill_prod, shift))
        fill_pos, fill_prod = fill_pos[fresh], fill_prod[fresh]
        _, within = _grouped_positions(np.bincount(fill_pos, minlength=rows.size))
        use = within < need[fill_pos]
        fill_pos, fill_prod = fill_pos[use], fill_prod[use]

        all_pos = np.concatenate([pos, fill_pos])
        order = np.argsort(all_pos, kind="stable")  # personal picks first, each group in rank order
        all_pos = all_pos[order]
        _, rank = _grouped_positions(np.bincount(all_pos, minlength=rows.size))
        return (
            all_pos + offset,
            rank + 1,
            np.concatenate([prod, fill_prod])[order],
            np.concatenate([score, self.popularity_[segment[fill_pos], fill_prod]])[order],
            np.concatenate([np.zeros(pos.size, np.int8), np.ones(fill_pos.size, np.int8)])[order],
        )

    def recommend(
        self, customers: object = None, n: int = 10, exclude_purchased: bool = True
    ) -> pd.DataFrame:
        """Top-``n`` products for each customer, as a tidy frame.

        Parameters
        ----------
        customers : list-like of customer ids, optional
            Whom to recommend to (duplicates are served once). Default: every customer
            of the fit data. Customers the model does not know (no purchase in the fit
            data) get the most popular products of their segment (the ``segments``
            given to ``fit``), or of everyone when they have no segment.
        n : int
            Products per customer (fewer only when the catalogue runs out).
        exclude_purchased : bool
            Leave out products the customer bought in the fit data.

        Returns
        -------
        pandas.DataFrame
            ``n`` rows per customer, in the order asked: the customer id (column named
            as the fit's ``customer_col``), ``rank`` (1 = best), the product id (named
            as ``product_col``), ``score`` and ``source``: ``"similar_items"`` for
            personal recommendations (score: summed similarity) or ``"popular"`` for
            the segment's most popular products (score: share of the segment's
            customers who bought the product), which also fill a list when the
            personal candidates run out.
        """
        what = f"{type(self).__name__}.recommend"
        self._check_fitted()
        _schema.integer(n, "n", what, low=1)
        ids, rows, segment = self._customer_codes(customers, what)
        pos, rank, prod, score, source = self._recommend_codes(rows, segment, int(n), bool(exclude_purchased))
        return pd.DataFrame(
            {
                self.customer_col_: ids.take(pos.astype(np.int64)),
                "rank": rank.astype(np.int64),
                self.product_col_: self.products_.take(prod.astype(np.int64)),
                "score": score.astype(float),
                "source": pd.Categorical.from_codes(source.astype(np.int8), categories=list(SOURCES)),
            }
        )


class Popular(_Recommender):
    """The most popular products (most distinct buyers), overall or per customer segment.

    The baseline every recommender must beat: each customer gets the products bought by
    the most customers of their segment (or of everyone), minus what they already
    bought. Score: the share of the segment's customers who bought the product.
    Learn with :meth:`fit` (the purchases, and optionally segments).

    Attributes
    ----------
    customers_, products_ : pandas.Index
        Customers with a purchase and products bought, sorted.
    history_ : scipy.sparse.csr_matrix
        Customers x products, 1 where the customer bought the product.
    ranking_ : numpy.ndarray
        Product codes from most to least popular, one row per segment (in the order of
        ``segment_labels_``) and a last row for everyone.
    popularity_ : numpy.ndarray
        Share of each segment's customers who bought each product (same rows).
    segment_labels_ : pandas.Index
        The segments (empty without ``segments``).
    as_of_ : pandas.Timestamp

    References
    ----------
    Cremonesi, P., Koren, Y. and Turrin, R. (2010). Performance of recommender
    algorithms on top-N recommendation tasks. *Proceedings of ACM RecSys*, 39-46 (the
    most-popular baseline).

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> lines = pd.DataFrame({"customer_id": [1, 1, 2, 2, 3], "order_date": ["2024-01-01"] * 5,
    ...                       "product_id": ["tea", "cup", "tea", "jam", "tea"]})
    >>> model = ecrm.recommend.Popular().fit(lines, amount_col=None)
    >>> model.recommend([3, 99], n=2)
       customer_id  rank product_id     score   source
    0            3     1        cup  0.333333  popular
    1            3     2        jam  0.333333  popular
    2           99     1        tea  1.000000  popular
    3           99     2        cup  0.333333  popular
    """


class ItemKNN(_Recommender):
    """Item-based collaborative filtering on purchases: "customers who bought this also bought".

    Each customer's history is a vector over products: 1 for every product bought
    (implicit feedback), or, with ``half_life_days``, ``0.5 ** (age / half_life_days)``
    with ``age`` the days from the customer's last purchase of the product to ``as_of``,
    so recent tastes count more. Two products are similar when the same customers
    bought them: the cosine of their columns,
    ``sim(i, j) = r_i . r_j / (|r_i| |r_j|)``, divided by ``n_j ** popularity_damping``
    (``n_j`` = buyers of ``j``) so that best-sellers do not crowd every list. Each product
    keeps its ``n_neighbors`` most similar products. A customer's score for product
    ``j`` is ``sum_i r_ci sim(i, j)`` over the products ``i`` they bought (Sarwar et al.
    2001; Deshpande and Karypis 2004). Lists shorter than ``n`` are filled with the
    segment's popular products (see :class:`Popular`), as are the lists of customers
    the model does not know.

    Scoring is sparse matrix algebra in blocks of customers (history x similarity,
    then a per-row top-n by one integer sort), so a million customers take seconds.

    Parameters
    ----------
    n_neighbors : int or None, default 50
        Most similar products kept per product; ``None`` keeps all.
    half_life_days : float or None, default None
        Half-life of the time decay of purchases; ``None``: no decay.
    popularity_damping : float, default 0.0
        Exponent ``beta`` of the popularity penalty ``n_j ** -beta`` (0: plain cosine;
        Deshpande and Karypis's alpha plays the same role).

    Attributes
    ----------
    similarity_ : scipy.sparse.csr_matrix
        Products x products: row ``i`` holds the kept neighbours of ``i``.
    customers_, products_, history_, ranking_, popularity_, segment_labels_, as_of_
        As for :class:`Popular`; ``history_`` holds the (decayed) weights.

    References
    ----------
    Sarwar, B., Karypis, G., Konstan, J. and Riedl, J. (2001). Item-based collaborative
    filtering recommendation algorithms. *Proceedings of the 10th International World
    Wide Web Conference*, 285-295.

    Deshpande, M. and Karypis, G. (2004). Item-based top-N recommendation algorithms.
    *ACM Transactions on Information Systems* 22(1), 143-177.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> lines = pd.DataFrame({"customer_id": [1, 1, 2, 2, 3, 4], "order_date": ["2024-01-01"] * 6,
    ...                       "product_id": ["tea", "cup", "tea", "cup", "tea", "jam"]})
    >>> model = ecrm.recommend.ItemKNN().fit(lines, amount_col=None)
    >>> model.recommend([3], n=2)
       customer_id  rank product_id     score         source
    0            3     1        cup  0.816497  similar_items
    1            3     2        jam  0.250000        popular
    """

    def __init__(
        self,
        n_neighbors: int | None = 50,
        half_life_days: float | None = None,
        popularity_damping: float = 0.0,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.half_life_days = half_life_days
        self.popularity_damping = popularity_damping

    def _check_params(self, what: str) -> None:
        if self.n_neighbors is not None:
            _schema.integer(self.n_neighbors, "n_neighbors", what, low=1)
        if self.half_life_days is not None:
            _schema.positive(self.half_life_days, "half_life_days", what)
        _schema.number(self.popularity_damping, "popularity_damping", what, low=0)

    def _weights(self, age_days: np.ndarray) -> np.ndarray:
        if self.half_life_days is None:
            return np.ones_like(age_days)
        return np.exp2(-age_days / float(self.half_life_days))

    def _fit_model(self, what: str) -> None:
        """Cosine similarity of product columns, in blocks of products, top n_neighbors each."""
        history = self.history_
        n_products = history.shape[1]
        norms = np.sqrt(np.asarray(history.multiply(history).sum(axis=0)).ravel())
        buyers = np.diff(history.tocsc().indptr).astype(float)
        penalty = buyers ** -float(self.popularity_damping)
        keep = n_products if self.n_neighbors is None else int(self.n_neighbors)
        by_product = history.T.tocsr()
        step = max(1, BLOCK_ENTRIES // max(n_products, 1))
        rows, cols, values = [], [], []
        for start in range(0, n_products, step):
            block = (by_product[start : start + step] @ history).tocoo()
            i, j = block.row + start, block.col
            off_diagonal = i != j
            i, j, value = i[off_diagonal], j[off_diagonal], block.data[off_diagonal]
            value = value / (norms[i] * norms[j]) * penalty[j]
            top = sparse.csr_matrix((value, (i - start, j)), shape=(block.shape[0], n_products))
            r, c, v = _top_per_row(top, keep)
            rows.append(r + start)
            cols.append(c)
            values.append(v)
        self.similarity_ = sparse.csr_matrix(
            (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
            shape=(n_products, n_products),
        )

    def _personal(
        self, history: sparse.csr_matrix, n: int, exclude_purchased: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        scores = (history @ self.similarity_).tocsr()
        if not exclude_purchased:
            return _top_per_row(scores, n)
        # Take n more than each customer bought, drop the bought, keep the first n.
        bought = np.diff(history.indptr)
        row, col, value = _top_per_row(scores, n + bought)
        shift = _keys.bits(history.shape[1])
        owned = _pair_keys(np.repeat(np.arange(history.shape[0]), bought), history.indices, shift)
        new = ~_contains(owned, _pair_keys(row, col, shift))
        row, col, value = row[new], col[new], value[new]
        _, rank = _grouped_positions(np.bincount(row, minlength=history.shape[0]))
        keep = rank < n
        return row[keep], col[keep], value[keep]


# ---------------------------------------------------------------------------------------
# Evaluation


def _check_model(model: object, what: str) -> None:
    if not isinstance(model, _Recommender):
        raise SchemaError(
            f"{what}: model must be an ecrm.recommend estimator (ItemKNN or Popular), "
            f"got {type(model).__name__}"
        )


def evaluate(
    model: _Recommender | Mapping[str, _Recommender],
    transactions: pd.DataFrame | Transactions,
    *,
    split_date: object,
    k: int | Sequence[int] = 10,
    segments: pd.Series | None = None,
    exclude_purchased: bool = True,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    product_col: str | None = None,
    order_col: str | None = None,
    amount_col: str | None = "amount",
) -> pd.DataFrame:
    r"""Measure recommenders on a time-based holdout, next to the popularity baseline.

    Each model (a fresh copy, the argument is not changed) and the baseline
    ``Popular()`` learn from the purchases dated before ``split_date``. Evaluated are
    the customers with a purchase before the split who bought, on or after it, at least
    one product they had not bought before (with ``exclude_purchased=False``: any
    product); those products are the customer's relevant set ``R`` (products new to the
    catalogue included: no model can hit them, but they were bought). With ``hits_i`` = 1
    when the product at rank ``i`` of the customer's list is in ``R``:

    * precision@k = (hits in the top k) / k; recall@k = (hits in the top k) / \|R\|;
    * hit rate@k: share of customers with at least one hit in the top k;
    * MAP@k: mean over customers of AP@k = sum_i precision@i hits_i / min(\|R\|, k);
    * NDCG@k = DCG / IDCG, DCG = sum_i hits_i / log2(i + 1) and IDCG the DCG of a
      perfect list, min(\|R\|, k) hits first (Järvelin and Kekäläinen 2002);
    * coverage@k: share of the catalogue (products bought before the split) found in
      at least one customer's top k.

    Parameters
    ----------
    model : ItemKNN, Popular, or dict of name -> model
        The recommender(s) to evaluate (unfitted or fitted: each is cloned and refitted).
    transactions : pandas.DataFrame
        Order lines (see :func:`association_rules` for the columns).
    split_date : date-like
        Training rows are dated before it, test rows on or after it.
    k : int or list of int
        List lengths measured (every value at least 1).
    segments : pandas.Series, optional
        Passed to each model's ``fit`` (not to the baseline).
    exclude_purchased : bool
        Passed to ``recommend``; also decides the relevant set (above).
    customer_col, date_col, product_col, order_col, amount_col : str
        Column names, as for :func:`association_rules`.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``model``, ``k``): ``precision``, ``recall``, ``map``, ``ndcg``,
        ``hit_rate``, ``coverage`` and ``n_customers`` (customers evaluated). The
        baseline's rows are named ``"popularity baseline"``; a single model's rows by
        its class name. ``attrs["split_date"]`` records the split.

    Raises
    ------
    ecrm.errors.SchemaError
        A ``split_date`` outside the purchases (no training or no test data), k < 1,
        no customer to evaluate, a model that is not an ecrm recommender, or bad input.

    References
    ----------
    Järvelin, K. and Kekäläinen, J. (2002). Cumulated gain-based evaluation of IR
    techniques. *ACM Transactions on Information Systems* 20(4), 422-446.

    Cremonesi, P., Koren, Y. and Turrin, R. (2010). Performance of recommender
    algorithms on top-N recommendation tasks. *Proceedings of ACM RecSys*, 39-46.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> lines = pd.DataFrame({
    ...     "customer_id": [1, 1, 2, 2, 3, 4, 1, 3],
    ...     "order_date": ["2024-01-01"] * 6 + ["2024-02-01"] * 2,
    ...     "product_id": ["tea", "cup", "tea", "jam", "tea", "jam", "jam", "cup"]})
    >>> table = ecrm.recommend.evaluate(ecrm.recommend.ItemKNN(), lines, split_date="2024-02-01",
    ...                                 k=1, amount_col=None)
    >>> table[["precision", "recall", "hit_rate", "n_customers"]]
                           precision  recall  hit_rate  n_customers
    model               k
    ItemKNN             1        1.0     1.0       1.0            2
    popularity baseline 1        0.5     0.5       0.5            2
    """
    what = "recommend.evaluate"
    models = dict(model) if isinstance(model, Mapping) else {type(model).__name__: model}
    if BASELINE in models:
        raise SchemaError(f"{what}: {BASELINE!r} is the baseline's name; name the model otherwise")
    for each in models.values():
        _check_model(each, what)
    ks = list(k) if isinstance(k, Sequence | np.ndarray) else [k]
    if not ks:
        raise SchemaError(f"{what}: k is empty; give at least one list length")
    for value in ks:
        _schema.integer(value, "k", what, low=1)
    log = _product_log(
        transactions,
        what=what,
        customer_col=customer_col,
        date_col=date_col,
        product_col=product_col,
        order_col=order_col,
        amount_col=amount_col,
    )
    split = _schema.timestamp(split_date, log.date, "split_date", what)
    out = _evaluate(models, log, split, sorted({int(v) for v in ks}), segments, bool(exclude_purchased), what)
    out.attrs["split_date"] = split
    return out


def _evaluate(
    models: Mapping[str, _Recommender],
    log: _ProductLog,
    split: pd.Timestamp,
    ks: list[int],
    segments: pd.Series | None,
    exclude_purchased: bool,
    what: str,
) -> pd.DataFrame:
    """The table of :func:`evaluate` from a validated log and split."""
    bought = log.date[log.purchase]
    if split <= bought.min() or split > bought.max():
        raise SchemaError(
            f"{what}: split_date={split} is outside the purchases ({bought.min()} to {bought.max()}); "
            "it must leave purchases before it to learn from and on or after it to test on"
        )
    before = (log.date < split).to_numpy()
    train = replace(_rows(log, log.purchase & before), as_of=split)
    test = _rows(log, log.purchase & ~before)
    baseline = Popular()._fit_log(train, None, what)
    relevant_pos, relevant_prod, evaluated = _relevant(baseline, test, exclude_purchased, what)
    fitted = {name: clone(each)._fit_log(train, segments, what) for name, each in models.items()}
    fitted[BASELINE] = baseline
    frames = []
    for name, each in fitted.items():
        # every model learnt the same rows, so its product codes are the baseline's
        _, rows, segment = each._customer_codes(evaluated, what)
        pos, rank, prod, _, _ = each._recommend_codes(rows, segment, max(ks), exclude_purchased)
        n_products = len(baseline.products_)
        frames.append(
            _metrics(name, pos, rank, prod, relevant_pos, relevant_prod, len(evaluated), n_products, ks)
        )
    return pd.concat(frames)


def _relevant(
    baseline: Popular, test: _ProductLog, exclude_purchased: bool, what: str
) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Relevant (customer position, product code) pairs of the evaluated customers, and them.

    Products new after the split get codes past the training catalogue.
    """
    customers, products = baseline.customers_, baseline.products_
    rows = customers.get_indexer(test.customer)
    known = rows >= 0
    test_products = test.product.to_numpy()[known]
    codes = products.get_indexer(test_products)
    new = codes < 0
    if new.any():
        codes[new] = len(products) + pd.factorize(test_products[new])[0]
    shift = _keys.bits(int(codes.max()) + 1 if codes.size else 1)
    pairs = _keys.distinct_sorted(_pair_keys(rows[known], codes, shift))
    if exclude_purchased:
        history = baseline.history_  # sorted rows and columns: its keys are sorted
        holder = np.repeat(np.arange(history.shape[0]), np.diff(history.indptr))
        pairs = pairs[~_contains(_pair_keys(holder, history.indices, shift), pairs)]
    row, prod = pairs >> shift, pairs & ((1 << shift) - 1)
    if row.size == 0:
        raise SchemaError(
            f"{what}: no customer with purchases before the split bought a "
            f"{'new ' if exclude_purchased else ''}product after it; nothing to evaluate"
        )
    starts = np.flatnonzero(np.r_[True, row[1:] != row[:-1]])  # row is sorted
    position = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, row.size]))
    return position, prod, customers.take(row[starts])


def _metrics(
    name: str,
    pos: np.ndarray,
    rank: np.ndarray,
    prod: np.ndarray,
    relevant_pos: np.ndarray,
    relevant_prod: np.ndarray,
    n_customers: int,
    n_products: int,
    ks: list[int],
) -> pd.DataFrame:
    """Ranking metrics at each k from the recommended and relevant (customer, product) pairs."""
    top = max(ks)
    shift = _keys.bits(max(int(relevant_prod.max()) + 1, n_products))
    relevant_keys = np.sort(_pair_keys(relevant_pos, relevant_prod, shift))
    hit = _contains(relevant_keys, _pair_keys(pos, prod, shift))
    hits = np.zeros((n_customers, top), dtype=bool)
    hits[pos[hit], rank[hit] - 1] = True
    n_relevant = np.bincount(relevant_pos, minlength=n_customers)
    cumulative = np.cumsum(hits, axis=1)
    discount = 1.0 / np.log2(np.arange(2, top + 2))
    rows = []
    for k in ks:
        found = cumulative[:, k - 1]
        ideal = np.minimum(n_relevant, k)
        precision_at = cumulative[:, :k] / np.arange(1, k + 1)
        average_precision = (precision_at * hits[:, :k]).sum(axis=1) / ideal
        dcg = (hits[:, :k] * discount[:k]).sum(axis=1)
        idcg = np.cumsum(discount[:k])[ideal - 1]
        shown = np.unique(prod[rank <= k])
        rows.append(
            {
                "model": name,
                "k": k,
                "precision": float(np.mean(found / k)),
                "recall": float(np.mean(found / n_relevant)),
                "map": float(np.mean(average_precision)),
                "ndcg": float(np.mean(dcg / idcg)),
                "hit_rate": float(np.mean(found > 0)),
                "coverage": shown.size / n_products,
                "n_customers": n_customers,
            }
        )
    return pd.DataFrame(rows).set_index(["model", "k"])


# ---------------------------------------------------------------------------------------
# The customer table and the report


def next_best_product(
    model: _Recommender, customers: object = None, *, exclude_purchased: bool = True
) -> pd.DataFrame:
    """One row per customer with the product to offer next: the top of their list.

    Parameters
    ----------
    model : ItemKNN or Popular
        Fitted.
    customers : list-like of customer ids, optional
        Default: every customer of the fit data. Unknown customers get their segment's
        most popular product (see :meth:`ItemKNN.recommend`).
    exclude_purchased : bool
        Never offer what the customer already bought.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id (index name = the fit's ``customer_col``), one column
        ``next_best_product`` (missing only when the catalogue holds nothing new for
        the customer), ready to join the customer table.

    References
    ----------
    Deshpande, M. and Karypis, G. (2004). Item-based top-N recommendation algorithms.
    *ACM Transactions on Information Systems* 22(1), 143-177.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> lines = pd.DataFrame({"customer_id": [1, 1, 2, 2, 3], "order_date": ["2024-01-01"] * 5,
    ...                       "product_id": ["tea", "cup", "tea", "cup", "tea"]})
    >>> model = ecrm.recommend.ItemKNN().fit(lines, amount_col=None)
    >>> ecrm.recommend.next_best_product(model)
                next_best_product
    customer_id
    1                         NaN
    2                         NaN
    3                         cup
    """
    what = "recommend.next_best_product"
    _check_model(model, what)
    top = model.recommend(customers, n=1, exclude_purchased=exclude_purchased)
    ids, _, _ = model._customer_codes(customers, what)
    column = pd.Series(
        top[model.product_col_].to_numpy(), index=pd.Index(top[model.customer_col_], name=model.customer_col_)
    )
    return pd.DataFrame({"next_best_product": column.reindex(ids.rename(model.customer_col_))})


def report_tables(
    transactions: pd.DataFrame | Transactions,
    *,
    segments: pd.Series | None = None,
    lang: str = "en",
    top: int = 10,
    min_support: float | None = None,
    min_confidence: float = 0.1,
    holdout_days: int = 90,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    product_col: str | None = None,
    order_col: str | None = None,
    amount_col: str | None = "amount",
    as_of: object = None,
) -> dict[str, tuple[str, pd.DataFrame]]:
    """The tables of a "next best product" report section, with captions in ``lang``.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Order lines (see :func:`association_rules` for the columns).
    segments : pandas.Series, optional
        Labels by customer id (e.g. ``ecrm.rfm.segment(...)["segment"]``, already in
        ``lang``); without it every customer is in one group.
    lang : {"en", "zh"}
        Language of the captions and the group name "All customers".
    top : int
        Rules shown, and products shown per segment (a third of it, at least 1).
    min_support : float, optional
        Least support of a rule; default 20 baskets or 0.1 percent of baskets, whichever
        is more.
    min_confidence : float
        Least confidence of a rule.
    holdout_days : int
        Length of the test period of the evaluation, ending at ``as_of``.
    customer_col, date_col, product_col, order_col, amount_col, as_of
        As for :func:`association_rules`.

    Returns
    -------
    dict of key -> (caption, DataFrame)
        ``"rules"``: every pair rule found, as :func:`association_rules` gives them
        (for :func:`ecrm.plotting.rules_scatter`).
        ``"bought_together"``: the ``top`` pair rules by lift (antecedent, consequent,
        support, confidence, lift; product ids joined by ", ").
        ``"next_best_by_segment"``: per segment, its most frequent next best products
        with the number and share of its customers who get each.
        ``"evaluation"`` (when the data allow a holdout: purchases before and after
        ``as_of - holdout_days``): recall, precision, NDCG and hit rate at 10 of
        ItemKNN next to the popularity baseline.
        ``"next_best_product"``: one row per customer (index = customer id) with
        ``next_best_product``, for the customer table.

    References
    ----------
    Agrawal, R. and Srikant, R. (1994). Fast algorithms for mining association rules.
    *Proceedings of the 20th VLDB Conference*, 487-499.

    Examples
    --------
    >>> import ecrm
    >>> lines = ecrm.datasets.make_baskets(2_000, 100, random_state=0)
    >>> tables = ecrm.recommend.report_tables(lines, order_col="order_id", lang="zh")
    >>> list(tables)
    ['rules', 'bought_together', 'next_best_by_segment', 'evaluation', 'next_best_product']
    >>> tables["bought_together"][0]
    '经常一起购买的商品'
    """
    what = "recommend.report_tables"
    _labels.check_lang(lang)
    _schema.integer(top, "top", what, low=1)
    _schema.integer(holdout_days, "holdout_days", what, low=1)
    _schema.probability(min_confidence, "min_confidence", what)
    log = _product_log(
        transactions,
        what=what,
        customer_col=customer_col,
        date_col=date_col,
        product_col=product_col,
        order_col=order_col,
        amount_col=amount_col,
        as_of=as_of,
    )

    def text(key: str) -> str:
        return _labels.label(_labels.RECOMMEND_TEXT, key, lang)

    if min_support is None:
        n_baskets = _basket_matrix(log, what)[0].shape[0]
        min_support = min(1.0, max(20 / n_baskets, 0.001))
    _check_rule_params(min_support, 2, what)
    rules = _rules(log, float(min_support), float(min_confidence), 2, what)
    together = rules.head(top)[["antecedent", "consequent", "support", "confidence", "lift"]].copy()
    for side in ("antecedent", "consequent"):
        together[side] = [", ".join(map(str, items)) for items in together[side]]
    together = together.reset_index(drop=True)

    model = ItemKNN()._fit_log(log, segments, what)
    best = next_best_product(model)
    everyone = text("all_customers")
    group = pd.Series(everyone, index=best.index, dtype=object)
    if segments is not None:
        labels = segments.reindex(best.index)
        group = labels.astype(object).where(labels.notna(), everyone)
    counts = (
        pd.DataFrame({"segment": group.to_numpy(), "next_best_product": best["next_best_product"].to_numpy()})
        .dropna()
        .value_counts(sort=False)
        .rename("n_customers")
        .reset_index()
    )
    counts["share"] = counts["n_customers"] / counts.groupby("segment")["n_customers"].transform("sum")
    order = list(pd.unique(segments.dropna())) if segments is not None else []
    if isinstance(getattr(segments, "dtype", None), pd.CategoricalDtype):
        order = list(segments.cat.categories)
    rank = {label: i for i, label in enumerate([*order, everyone])}
    counts["_segment_order"] = counts["segment"].map(rank)
    counts = counts.sort_values(["_segment_order", "n_customers"], ascending=[True, False], kind="stable")
    by_segment = counts.groupby("segment", sort=False).head(max(1, top // 3))
    by_segment = by_segment.drop(columns="_segment_order").reset_index(drop=True)
    out = {
        "rules": (text("top_rules"), rules),
        "bought_together": (text("bought_together"), together),
        "next_best_by_segment": (text("next_best_by_segment"), by_segment),
    }
    split = log.as_of - pd.Timedelta(days=int(holdout_days))
    try:
        table = _evaluate({"ItemKNN": ItemKNN()}, log, split, [10], segments, True, what)
    except SchemaError:  # too little history for a holdout, or nobody to evaluate
        table = None
    if table is not None:
        table = table.xs(10, level="k")[["recall", "precision", "ndcg", "hit_rate", "n_customers"]]
        out["evaluation"] = (text("evaluation"), table)
    out["next_best_product"] = (text("next_best_product"), best)
    return out
