"""Every user-facing label in English and Chinese, one table per concept.

Tables map a stable key (used in code and tests) to its English and Chinese label.
Their order is the display order (best or earliest first), which is also the order of
the categories built by :func:`categorical`. The terms follow shared/GLOSSARY.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from .errors import SchemaError

LANGS = ("en", "zh")
Table = Mapping[str, Mapping[str, str]]

LIFECYCLE_STAGES: Table = {
    "prospect": {"en": "Prospect", "zh": "潜在客户"},
    "new": {"en": "New", "zh": "新客户"},
    "active": {"en": "Active", "zh": "活跃客户"},
    "loyal": {"en": "Loyal", "zh": "忠诚客户"},
    "reactivated": {"en": "Reactivated", "zh": "回流客户"},
    "at_risk": {"en": "At risk", "zh": "沉睡客户"},
    "churned": {"en": "Churned", "zh": "流失客户"},
}

RFM_STANDARD: Table = {
    "champions": {"en": "Champions", "zh": "冠军客户"},
    "loyal_customers": {"en": "Loyal customers", "zh": "忠诚客户"},
    "potential_loyalists": {"en": "Potential loyalists", "zh": "潜力客户"},
    "new_customers": {"en": "New customers", "zh": "新客户"},
    "promising": {"en": "Promising", "zh": "有望客户"},
    "need_attention": {"en": "Need attention", "zh": "需关注客户"},
    "about_to_sleep": {"en": "About to sleep", "zh": "即将沉睡客户"},
    "at_risk": {"en": "At risk", "zh": "风险客户"},
    "cant_lose_them": {"en": "Can't lose them", "zh": "不能失去的客户"},
    "hibernating": {"en": "Hibernating", "zh": "休眠客户"},
}

RFM_CN8: Table = {
    "important_value": {"en": "Important value", "zh": "重要价值客户"},
    "important_development": {"en": "Important development", "zh": "重要发展客户"},
    "important_retention": {"en": "Important retention", "zh": "重要保持客户"},
    "important_winback": {"en": "Important win-back", "zh": "重要挽留客户"},
    "general_value": {"en": "General value", "zh": "一般价值客户"},
    "general_development": {"en": "General development", "zh": "一般发展客户"},
    "general_retention": {"en": "General retention", "zh": "一般保持客户"},
    "general_winback": {"en": "General win-back", "zh": "一般挽留客户"},
}

NPS_CATEGORIES: Table = {
    "promoter": {"en": "Promoter", "zh": "推荐者"},
    "passive": {"en": "Passive", "zh": "被动者"},
    "detractor": {"en": "Detractor", "zh": "贬损者"},
}

SURVEY_METRICS: Table = {
    "nps": {"en": "Net Promoter Score", "zh": "净推荐值 (NPS)"},
    "csat": {"en": "Customer satisfaction", "zh": "客户满意度 (CSAT)"},
    "ces": {"en": "Customer effort score", "zh": "客户费力度 (CES)"},
}

LOYALTY_TIERS: Table = {
    "silver": {"en": "Silver", "zh": "银卡"},
    "gold": {"en": "Gold", "zh": "金卡"},
    "black": {"en": "Black", "zh": "黑卡"},
}

KPIS: Table = {
    "gmv": {"en": "GMV (gross merchandise value)", "zh": "成交总额 (GMV)"},
    "aov": {"en": "Average order value", "zh": "客单价"},
    "repeat_purchase_rate": {"en": "Repeat-purchase rate", "zh": "复购率"},
    "retention_rate": {"en": "Retention rate", "zh": "留存率"},
    "churn_rate": {"en": "Churn rate", "zh": "流失率"},
    "return_rate": {"en": "Return rate", "zh": "退货率"},
    "conversion_rate": {"en": "Conversion rate", "zh": "转化率"},
    "clv": {"en": "Customer lifetime value", "zh": "客户生命周期价值 (CLV)"},
    "cac": {"en": "Customer acquisition cost", "zh": "获客成本 (CAC)"},
    "first_response_time": {"en": "First response time", "zh": "首次响应时长"},
    "resolution_time": {"en": "Resolution time", "zh": "解决时长"},
    "first_contact_resolution": {"en": "First-contact resolution", "zh": "首次接触解决率"},
}

CHURN_RISK_TIERS: Table = {
    "high": {"en": "High risk", "zh": "高风险"},
    "medium": {"en": "Medium risk", "zh": "中风险"},
    "low": {"en": "Low risk", "zh": "低风险"},
}

INTERVENTIONS: Table = {
    "winback_coupon": {"en": "Win-back coupon", "zh": "挽回优惠券"},
    "points_bonus": {"en": "Bonus points", "zh": "积分奖励"},
    "service_call": {"en": "Personal service call", "zh": "专属客服回访"},
    "reminder": {"en": "Reminder message", "zh": "提醒消息"},
    "care": {"en": "Relationship care (birthday, holidays)", "zh": "客户关怀"},
}


def check_lang(lang: str) -> str:
    """Raise a SchemaError unless ``lang`` is a supported language."""
    if lang not in LANGS:
        raise SchemaError(f"lang={lang!r} is not supported; choose 'en' or 'zh'")
    return lang


def label(table: Table, key: str, lang: str = "en") -> str:
    """The label of ``key`` in ``lang``.

    Examples
    --------
    >>> from ecrm._labels import LIFECYCLE_STAGES, label
    >>> label(LIFECYCLE_STAGES, "reactivated", "zh")
    '回流客户'
    """
    return table[key][check_lang(lang)]


def categorical(keys: Iterable[str], table: Table, lang: str = "en") -> pd.Categorical:
    """Ordered categorical of labels in ``lang`` for ``keys``, categories in table order.

    Every category of the table is present (even when unused) so counts and plots keep
    a fixed order.

    Examples
    --------
    >>> from ecrm._labels import CHURN_RISK_TIERS, categorical
    >>> categorical(["low", "high"], CHURN_RISK_TIERS)
    ['Low risk', 'High risk']
    Categories (3, str): ['High risk' < 'Medium risk' < 'Low risk']
    """
    check_lang(lang)
    codes_of = {key: i for i, key in enumerate(table)}
    keys = list(keys) if not isinstance(keys, pd.Series | pd.Index) else keys.tolist()
    unknown = sorted({k for k in keys if k not in codes_of})
    if unknown:
        raise SchemaError(f"unknown label key(s) {unknown}; expected one of {list(table)}")
    labels = [table[k][lang] for k in table]
    return pd.Categorical.from_codes([codes_of[k] for k in keys], categories=labels, ordered=True)


# Value levels used to target churn interventions (risk tier x value).
CUSTOMER_VALUE_LEVELS: Table = {
    "high": {"en": "High value", "zh": "高价值"},
    "low": {"en": "Low value", "zh": "低价值"},
}

# Recommended intervention (key of INTERVENTIONS) per churn risk tier and value level,
# as (tier, value level, intervention) rows; value level "any" is used when customer
# value is not given. Rows, not a dict: every dict here is a bilingual label table.
CHURN_INTERVENTION_RULES: tuple[tuple[str, str, str], ...] = (
    ("high", "high", "service_call"),
    ("high", "low", "winback_coupon"),
    ("high", "any", "winback_coupon"),
    ("medium", "high", "points_bonus"),
    ("medium", "low", "reminder"),
    ("medium", "any", "reminder"),
    ("low", "high", "care"),
    ("low", "low", "care"),
    ("low", "any", "care"),
)
