"""Every user-facing label in English and Chinese, one table per concept.

Tables map a stable key (used in code and tests) to its English and Chinese label.
Their order is the display order (best or earliest first), which is also the order of
the categories built by :func:`categorical`. The terms follow shared/GLOSSARY.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

from . import _schema
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


# Titles and axis labels of the CLV figures (ecrm.plotting): "{...}" fields are filled in.
CLV_FIGURES: Table = {
    "tracking_title": {"en": "Cumulative repeat purchases", "zh": "累计复购次数"},
    "week": {"en": "Week", "zh": "周"},
    "cumulative_repeat": {"en": "Repeat purchases (cumulative)", "zh": "累计复购次数"},
    "calibration_end": {"en": "End of calibration", "zh": "校准期结束"},
    "actual": {"en": "Actual", "zh": "实际"},
    "model": {"en": "Model", "zh": "模型"},
    "conditional_title": {"en": "Conditional expectations", "zh": "条件期望"},
    "calibration_purchases": {"en": "Repeat purchases in calibration", "zh": "校准期复购次数"},
    "holdout_mean": {"en": "Mean repeat purchases in holdout", "zh": "验证期平均复购次数"},
    "p_alive_title": {
        "en": "Probability alive by purchase history (customer age {age} {unit})",
        "zh": "按购买历史的存活概率（客户年龄 {age} {unit}）",
    },
    "expected_title": {
        "en": "Expected purchases in the next {t} {unit} (customer age {age} {unit})",
        "zh": "未来 {t} {unit} 的预计购买次数（客户年龄 {age} {unit}）",
    },
    "recency": {
        "en": "Time from first to last purchase ({unit})",
        "zh": "首次至最近一次购买的间隔（{unit}）",
    },
    "frequency": {"en": "Repeat purchases", "zh": "复购次数"},
    "unit_D": {"en": "days", "zh": "天"},
    "unit_W": {"en": "weeks", "zh": "周"},
    "unit_M": {"en": "months", "zh": "月"},
    "p_alive": {"en": "Probability alive", "zh": "存活概率"},
    "expected_purchases": {"en": "Expected purchases", "zh": "预计购买次数"},
    "frequency_fit_title": {
        "en": "Customers by repeat purchases: model vs actual",
        "zh": "按复购次数的客户数：模型与实际",
    },
    "repeat_purchases": {"en": "Repeat purchases in calibration", "zh": "校准期复购次数"},
    "customers": {"en": "Customers", "zh": "客户数"},
    "clv_title": {"en": "Customer lifetime value (n = {n})", "zh": "客户生命周期价值 (n = {n})"},
    "clv": {"en": "CLV", "zh": "CLV"},
    "customers_log": {"en": "Customers (log scale)", "zh": "客户数（对数刻度）"},
    "mean": {"en": "Mean {value}", "zh": "均值 {value}"},
    "survival_title": {"en": "Share of the cohort still active", "zh": "同期群存续比例"},
    "period": {"en": "Period", "zh": "期"},
    "surviving_share": {"en": "Share still active", "zh": "存续比例"},
    "observed": {"en": "Observed", "zh": "实际"},
    "alive_history_title": {"en": "Probability alive over time", "zh": "存活概率随时间的变化"},
    "date": {"en": "Date", "zh": "日期"},
}

# Campaigns and experiments (ecrm.campaign): the glossary terms, then the words of its
# tables and figures.
CAMPAIGN_TERMS: Table = {
    "treatment": {"en": "Treatment group", "zh": "实验组"},
    "control": {"en": "Control group (holdout)", "zh": "对照组"},
    "conversion_rate": {"en": "Conversion rate", "zh": "转化率"},
    "lift": {"en": "Lift", "zh": "提升"},
    "relative_lift": {"en": "Relative lift", "zh": "相对提升"},
    "incremental_revenue": {"en": "Incremental revenue", "zh": "增量收入"},
    "uplift": {"en": "Uplift (incremental effect per customer)", "zh": "增量效应 (Uplift)"},
    "cuped": {"en": "CUPED-adjusted", "zh": "CUPED 方差缩减"},
    "srm": {"en": "Sample-ratio mismatch", "zh": "样本比例失衡 (SRM)"},
    "roi": {"en": "Return on investment", "zh": "投资回报率 (ROI)"},
    "qini": {"en": "Qini curve", "zh": "Qini 曲线"},
}

CAMPAIGN_WORDS: Table = {
    "customers": {"en": "Customers", "zh": "客户数"},
    "converters": {"en": "Converters", "zh": "转化客户数"},
    "orders_per_customer": {"en": "Orders per customer", "zh": "人均订单数"},
    "revenue": {"en": "Revenue", "zh": "收入"},
    "revenue_per_customer": {"en": "Revenue per customer", "zh": "人均收入"},
    "revenue_per_customer_cuped": {
        "en": "Revenue per customer, CUPED-adjusted",
        "zh": "人均收入（CUPED 调整）",
    },
    "pre_spend_per_customer": {"en": "Pre-period spend per customer", "zh": "人均前期消费"},
    "no_history": {"en": "Customers without transactions", "zh": "无交易记录客户数"},
    "ci_low": {"en": "95% interval, low", "zh": "95% 置信区间下限"},
    "ci_high": {"en": "95% interval, high", "zh": "95% 置信区间上限"},
    "relative_ci_low": {"en": "Relative lift, 95% interval low", "zh": "相对提升 95% 区间下限"},
    "relative_ci_high": {"en": "Relative lift, 95% interval high", "zh": "相对提升 95% 区间上限"},
    "p_value": {"en": "p-value", "zh": "p 值"},
    "p_value_holm": {"en": "p-value, Holm-adjusted", "zh": "p 值（Holm 校正）"},
    "segment": {"en": "Segment", "zh": "客户分群"},
    "metric": {"en": "Metric", "zh": "指标"},
    "value": {"en": "Value", "zh": "数值"},
    "cost": {"en": "Campaign cost", "zh": "营销成本"},
    "incremental_profit": {"en": "Incremental profit", "zh": "增量利润"},
    "planned_share": {"en": "Planned treatment share", "zh": "计划实验组占比"},
    "observed_share": {"en": "Observed treatment share", "zh": "实际实验组占比"},
    "theta": {"en": "CUPED coefficient (theta)", "zh": "CUPED 系数 (θ)"},
    "rho": {"en": "Correlation with pre-period spend", "zh": "与前期消费的相关系数"},
    "variance_reduction": {"en": "Variance reduction", "zh": "方差缩减比例"},
    "expected_variance_reduction": {
        "en": "Variance reduction in theory (rho²)",
        "zh": "理论方差缩减比例 (ρ²)",
    },
    "interval_narrowing": {"en": "Interval narrowing", "zh": "置信区间收窄比例"},
    "small_segment": {"en": "Too small to read", "zh": "样本过小"},
    "days_since_start": {"en": "Days since the campaign started", "zh": "活动开始后天数"},
    "cumulative_conversion": {"en": "Cumulative conversion by group", "zh": "各组累计转化率"},
    "lift_by_segment": {"en": "Lift by segment", "zh": "各分群提升"},
    "share_targeted": {"en": "Share of customers targeted", "zh": "目标客户占比"},
    "incremental_outcome": {"en": "Incremental outcome", "zh": "增量结果"},
    "random_targeting": {"en": "Random targeting", "zh": "随机选择"},
    "model": {"en": "Model", "zh": "模型"},
}


def check_lang(lang: str) -> str:
    """Raise a SchemaError unless ``lang`` is a supported language."""
    return _schema.choice(lang, "lang", LANGS)  # type: ignore[return-value]


# A horizon in a machine name: clv_12m, expected_purchases_6m_total.
_MONTHS = re.compile(r"_(\d+)m(?=_|$)")


def label(table: Table, key: str, lang: str = "en") -> str:
    """The label of ``key`` in ``lang``.

    A key with a horizon in months (``clv_6m``) takes the label of its template
    (``clv_{months}m``), filled in.

    Examples
    --------
    >>> from ecrm._labels import LIFECYCLE_STAGES, REPORT_COLUMNS, label
    >>> label(LIFECYCLE_STAGES, "reactivated", "zh")
    '回流客户'
    >>> label(REPORT_COLUMNS, "clv_6m", "en"), label(REPORT_COLUMNS, "clv_24m_total", "zh")
    ('6-month CLV', '未来 24 个月 CLV 合计')
    """
    check_lang(lang)
    if key not in table and isinstance(key, str) and (found := _MONTHS.search(key)):
        template = _MONTHS.sub("_{months}m", key, count=1)
        if template in table:
            return table[template][lang].format(months=int(found.group(1)))
    return table[key][lang]


def categorical(keys: Iterable[str], table: Table, lang: str = "en") -> pd.Categorical:
    """Ordered categorical of labels in ``lang`` for ``keys``, categories in table order.

    Every category of the table is present (even when unused) so counts and plots keep
    a fixed order.

    Examples
    --------
    >>> from ecrm._labels import CHURN_RISK_TIERS, categorical
    >>> cat = categorical(["low", "high"], CHURN_RISK_TIERS)
    >>> list(cat), list(cat.categories), bool(cat.ordered)
    (['Low risk', 'High risk'], ['High risk', 'Medium risk', 'Low risk'], True)
    """
    check_lang(lang)
    # One hash lookup over all keys (no Python loop per customer).
    codes = pd.Index(list(table)).get_indexer(pd.Index(keys, dtype=object))
    if (codes < 0).any():
        unknown = sorted(set(pd.Index(keys, dtype=object)[codes < 0]))
        raise SchemaError(f"unknown label key(s) {unknown}; expected one of {list(table)}")
    labels = [table[k][lang] for k in table]
    return pd.Categorical.from_codes(codes, categories=labels, ordered=True)


# A short recommended action per RFM segment, for both schemes (keys of RFM_STANDARD
# and RFM_CN8); used by ecrm.rfm.segment_summary.
RFM_ACTIONS: Table = {
    "champions": {
        "en": "Reward them: early access to new products, ask for reviews and referrals",
        "zh": "给予回馈：新品优先体验，邀请评价与推荐",
    },
    "loyal_customers": {
        "en": "Upsell higher-value products; invite them to the loyalty programme",
        "zh": "推荐更高价值商品，邀请加入会员计划",
    },
    "potential_loyalists": {
        "en": "Offer membership benefits and recommend related products",
        "zh": "提供会员权益，推荐相关商品",
    },
    "new_customers": {
        "en": "Onboard them: welcome series and an incentive for the second order",
        "zh": "做好新客引导：欢迎礼包与第二单激励",
    },
    "promising": {
        "en": "Build awareness of the range with small trial or free-shipping offers",
        "zh": "以试用或包邮小优惠加深品牌认知",
    },
    "need_attention": {
        "en": "Limited-time offers based on past purchases",
        "zh": "基于购买历史推送限时优惠",
    },
    "about_to_sleep": {
        "en": "Reconnect with popular products and a modest discount",
        "zh": "推荐热销商品并给予适度折扣，重新建立联系",
    },
    "at_risk": {
        "en": "Personalised win-back messages before they lapse",
        "zh": "在流失前发送个性化挽回信息",
    },
    "cant_lose_them": {
        "en": "Win them back with strong offers and a personal call",
        "zh": "以高力度优惠和专属客服回访挽回",
    },
    "hibernating": {
        "en": "One low-cost reactivation try, then stop spending on them",
        "zh": "低成本尝试唤醒一次，无效则减少投入",
    },
    "important_value": {
        "en": "Keep them: VIP service and exclusive benefits",
        "zh": "重点维护：VIP 服务与专属权益",
    },
    "important_development": {
        "en": "Raise purchase frequency: membership, bundles, repurchase reminders",
        "zh": "提升购买频次：会员权益、组合购与复购提醒",
    },
    "important_retention": {
        "en": "Bring them back soon: personal contact and targeted offers",
        "zh": "尽快召回：主动联系与定向优惠",
    },
    "important_winback": {
        "en": "Win them back with strong, personalised offers",
        "zh": "以高力度个性化优惠挽回",
    },
    "general_value": {
        "en": "Raise order value: cross-sell and upsell",
        "zh": "提升客单价：交叉销售与向上销售",
    },
    "general_development": {
        "en": "Nurture with low-cost promotions",
        "zh": "以低成本促销培育",
    },
    "general_retention": {
        "en": "Remind them to come back with low-cost messages",
        "zh": "以低成本消息提醒回购",
    },
    "general_winback": {
        "en": "Low priority: reach them only in regular mass campaigns",
        "zh": "低优先级：仅在常规大促中触达",
    },
}


# Words that name k-means segments from their profile (ecrm.segmentation). "high"/"low"
# are templates for features without a fixed meaning.
SEGMENT_WORDS: Table = {
    "recent": {"en": "recent", "zh": "近期"},
    "lapsed": {"en": "lapsed", "zh": "久未购买"},
    "frequent": {"en": "frequent", "zh": "高频"},
    "occasional": {"en": "occasional", "zh": "低频"},
    "high_spenders": {"en": "high spenders", "zh": "高消费客户"},
    "mid_spenders": {"en": "mid spenders", "zh": "中等消费客户"},
    "low_spenders": {"en": "low spenders", "zh": "低消费客户"},
    "customers": {"en": "customers", "zh": "客户"},
    "high": {"en": "high {feature}", "zh": "{feature}高"},
    "low": {"en": "low {feature}", "zh": "{feature}低"},
}


# Headings and words of the HTML report (ecrm.report): section titles, headline
# figures and captions. Keys are stable; the report looks them up by key.
REPORT_SECTIONS: Table = {
    "overview": {"en": "Customer base overview", "zh": "客户概览"},
    "rfm": {"en": "RFM scores and segments", "zh": "RFM 评分与客户分层"},
    "lifecycle": {"en": "Lifecycle stages", "zh": "客户生命周期"},
    "segments": {"en": "Customer segments (k-means)", "zh": "客户聚类分群"},
    "clv": {"en": "Customer lifetime value", "zh": "客户生命周期价值 (CLV)"},
    "churn": {"en": "Churn risk", "zh": "流失风险"},
    "kpis": {"en": "Operating KPIs and cohorts", "zh": "经营指标与同期群留存"},
    "surveys": {"en": "Surveys (NPS, CSAT, CES)", "zh": "满意度调研 (NPS、CSAT、CES)"},
    "loyalty": {"en": "Loyalty programme", "zh": "会员积分计划"},
    "service": {"en": "Customer service levels", "zh": "客户服务水平"},
    "products": {"en": "Products bought together and next best product", "zh": "关联购买与下一个最佳商品"},
    "campaign": {"en": "Did the campaign work?", "zh": "营销活动效果评估"},
}

REPORT_HEADLINES: Table = {
    "customers": {"en": "Customers", "zh": "客户数"},
    "orders": {"en": "Orders", "zh": "订单数"},
    "revenue": {"en": "Revenue", "zh": "收入"},
    "average_order_value": {"en": "Average order value", "zh": "客单价"},
    "orders_per_customer": {"en": "Orders per customer", "zh": "人均订单数"},
    "one_time_buyer_share": {"en": "One-time buyers", "zh": "仅购买一次的客户占比"},
    "median_recency_days": {"en": "Median days since last purchase", "zh": "距上次购买天数中位数"},
    "champions": {"en": "Champions", "zh": "冠军客户数"},
    "champions_revenue_share": {"en": "Revenue from champions", "zh": "冠军客户收入占比"},
    "hibernating_share": {"en": "Hibernating customers", "zh": "休眠客户占比"},
    "active_share": {"en": "Active customers (new, active, loyal, reactivated)", "zh": "活跃客户占比"},
    "at_risk": {"en": "Customers at risk (lifecycle stage)", "zh": "沉睡客户数"},
    "churned_share": {"en": "Churned customers", "zh": "流失客户占比"},
    "last_period": {"en": "Last full month", "zh": "最近一个完整月"},
    "last_period_net_revenue": {"en": "Net revenue, last full month", "zh": "最近完整月净销售额"},
    "last_period_buyers": {"en": "Buyers, last full month", "zh": "最近完整月购买客户数"},
    "net_revenue_change": {"en": "Net revenue, change on the month before", "zh": "净销售额环比变化"},
    "buyers_change": {"en": "Buyers, change on the month before", "zh": "购买客户数环比变化"},
    "month1_retention": {"en": "Month-1 retention", "zh": "次月留存率"},
    "responses": {"en": "Survey responses", "zh": "调研答卷数"},
    "nps": {"en": "Net Promoter Score", "zh": "净推荐值 (NPS)"},
    "nps_ci_low": {"en": "NPS, 95% interval low", "zh": "NPS 95% 区间下限"},
    "nps_ci_high": {"en": "NPS, 95% interval high", "zh": "NPS 95% 区间上限"},
    "csat": {"en": "Customer satisfaction (CSAT)", "zh": "客户满意度 (CSAT)"},
    "ces": {"en": "Customer effort score (mean)", "zh": "客户费力度均值 (CES)"},
    "tickets": {"en": "Tickets", "zh": "工单数"},
    "response_within_sla": {"en": "Responded within SLA", "zh": "按时响应率"},
    "resolution_within_sla": {"en": "Resolved within SLA", "zh": "按时解决率"},
    "first_contact_resolution": {"en": "First-contact resolution", "zh": "首次接触解决率"},
    "n_clusters": {"en": "Clusters (chosen k)", "zh": "聚类数 (自动选择的 k)"},
    "top_cluster_share": {"en": "Customers in the most valuable cluster", "zh": "最高价值客群客户占比"},
    "top_cluster_revenue_share": {
        "en": "Revenue from the most valuable cluster",
        "zh": "最高价值客群收入占比",
    },
    "clv_{months}m_total": {"en": "{months}-month CLV, all customers", "zh": "未来 {months} 个月 CLV 合计"},
    "clv_{months}m_mean": {"en": "{months}-month CLV per customer", "zh": "人均未来 {months} 个月 CLV"},
    "expected_purchases_{months}m": {
        "en": "Expected repeat purchases, next {months} months",
        "zh": "未来 {months} 个月预计复购次数",
    },
    "p_alive_repeat_mean": {"en": "Mean probability alive, repeat buyers", "zh": "复购客户平均存活概率"},
    "churn_auc": {"en": "Churn model ROC AUC (out of time)", "zh": "流失模型 ROC AUC（跨期检验）"},
    "churn_auc_bgnbd": {
        "en": "BG/NBD baseline ROC AUC (out of time)",
        "zh": "BG/NBD 基准 ROC AUC（跨期检验）",
    },
    "recent_churn_rate": {
        "en": "Customers who bought nothing in the last {days} days",
        "zh": "最近 {days} 天内未购买的客户占比",
    },
    "high_risk_customers": {"en": "High-risk customers", "zh": "高风险客户数"},
    "expected_churners": {
        "en": "Expected churners (sum of probabilities)",
        "zh": "预计流失客户数（概率之和）",
    },
    "loyalty_members": {"en": "Loyalty members", "zh": "会员数"},
    "points_outstanding": {"en": "Points outstanding", "zh": "未使用积分"},
    "points_expiring_90d": {"en": "Points expiring within 90 days", "zh": "90 天内到期积分"},
    "breakage": {"en": "Breakage (estimated)", "zh": "积分逾期未用率（估计）"},
    "loyalty_liability": {"en": "Points liability, net of breakage", "zh": "积分负债（扣除逾期未用）"},
    "n_products": {"en": "Products bought", "zh": "已售商品数"},
    "n_baskets": {"en": "Baskets", "zh": "购物篮数"},
    "n_rules": {"en": "Co-purchase rules found", "zh": "发现的关联规则数"},
    "top_rule_lift": {"en": "Lift of the strongest rule", "zh": "最强关联规则的提升度"},
    "recall_itemknn": {"en": "Recall at 10, next best product", "zh": "前 10 推荐召回率（个性化推荐）"},
    "recall_popular": {"en": "Recall at 10, most popular products", "zh": "前 10 推荐召回率（热门商品）"},
    "campaign_treatment": {"en": "Customers in the treatment group", "zh": "实验组客户数"},
    "campaign_control": {"en": "Customers in the control group", "zh": "对照组客户数"},
    "conversion_treatment": {"en": "Conversion, treatment group", "zh": "实验组转化率"},
    "conversion_control": {"en": "Conversion, control group", "zh": "对照组转化率"},
    "conversion_lift": {"en": "Conversion lift (percentage points)", "zh": "转化率提升（百分点）"},
    "revenue_lift": {"en": "Revenue lift per customer", "zh": "人均收入提升"},
    "revenue_lift_cuped": {"en": "Revenue lift per customer (CUPED)", "zh": "人均收入提升（CUPED 调整）"},
    "incremental_revenue": {"en": "Incremental revenue", "zh": "增量收入"},
}

REPORT_TEXT: Table = {
    "title": {"en": "Customer report", "zh": "客户分析报告"},
    "column_mean": {"en": "{column}, mean", "zh": "{column}（均值）"},
    "column_median": {"en": "{column}, median", "zh": "{column}（中位数）"},
    "value": {"en": "Value", "zh": "数值"},
    "as_of": {"en": "Snapshot (as of)", "zh": "数据截至"},
    "headline": {"en": "Headline figures", "zh": "核心指标"},
    "contents": {"en": "Contents", "zh": "目录"},
    "files": {"en": "Files", "zh": "文件"},
    "customers_csv": {"en": "one row per customer, all columns", "zh": "每位客户一行，全部字段"},
    "summary_json": {"en": "headline figures", "zh": "核心指标"},
    "distribution": {"en": "Distribution of per-customer figures", "zh": "客户指标分布"},
    "top_customers": {"en": "Top 10 customers by spend", "zh": "消费额前 10 名客户"},
    "segments_standard": {"en": "Standard RFM segments", "zh": "RFM 标准分层"},
    "segments_cn8": {"en": "Eight-class RFM segments", "zh": "RFM 八类客户分层"},
    "stage_counts": {"en": "Customers per lifecycle stage", "zh": "各生命周期阶段客户数"},
    "transitions": {
        "en": "Stage transitions over the last six months (rows: stage six months ago; columns: stage now)",
        "zh": "近六个月阶段迁移（行：六个月前阶段；列：当前阶段）",
    },
    "kpi_table": {"en": "Monthly KPIs (last 12 months)", "zh": "月度经营指标（最近 12 个月）"},
    "cohort_table": {"en": "Monthly cohort retention", "zh": "月度同期群留存率"},
    "survey_overall": {"en": "Scores with 95% intervals", "zh": "得分及 95% 置信区间"},
    "nps_by_rfm": {"en": "NPS by RFM segment", "zh": "各 RFM 分层的 NPS"},
    "nps_by_stage": {"en": "NPS by lifecycle stage", "zh": "各生命周期阶段的 NPS"},
    "sla_overall": {"en": "Service levels, all tickets", "zh": "全部工单服务水平"},
    "sla_by": {"en": "Service levels by {by}", "zh": "按{by}的服务水平"},
    "after_as_of": {
        "en": "{n:,} row(s) dated after the snapshot were left out",
        "zh": "{n:,} 条晚于截止日期的记录未计入",
    },
    "month_n": {"en": "Month {n}", "zh": "第 {n} 月"},
    "partial_month": {
        "en": "{period} is not over (the data end on {date}): the cards show {last}, the last full month, "
        "against the month before; the table and the trend include {period} so far.",
        "zh": "{period} 尚未结束（数据截至 {date}）：指标卡展示最近一个完整月 {last} 及其环比；"
        "表格与趋势图包含 {period} 截至目前的数据。",
    },
    "survey_unknown_customers": {
        "en": "surveys: {n} of {total} answers are from customers without transactions; they count in "
        "the overall scores only",
        "zh": "调研：{total} 份答卷中有 {n} 份来自没有交易记录的客户，仅计入总体得分",
    },
    "loyalty_unknown_members": {
        "en": "loyalty: {n} of {total} members have no transactions; they count in the programme totals only",
        "zh": "会员计划：{total} 名会员中有 {n} 名没有交易记录，仅计入计划总量",
    },
    "too_few_customers": {
        "en": "too few customers to fit this model; at least this many are needed:",
        "zh": "客户数不足，无法拟合该模型；所需最少客户数：",
    },
    "cluster_profiles": {"en": "Cluster profiles", "zh": "各客群画像"},
    "k_scores": {"en": "Choosing k: criterion per number of clusters", "zh": "k 的选择：各聚类数的评价指标"},
    "clv_params": {"en": "Model parameters with 95% intervals", "zh": "模型参数及 95% 置信区间"},
    "clv_distribution": {"en": "Distribution of {months}-month CLV", "zh": "未来 {months} 个月 CLV 分布"},
    "clv_by_rfm": {"en": "{months}-month CLV by RFM segment", "zh": "各 RFM 分层的未来 {months} 个月 CLV"},
    "clv_note": {
        "en": "BG/NBD purchases and Gamma-Gamma spend fitted in weeks on every customer; "
        "CLV is discounted revenue over {months} months at 1% a month. BG/NBD holds one-time buyers "
        "alive (probability alive 100%: they can only drop out after a repeat purchase), so the "
        "mean probability alive is over repeat buyers.",
        "zh": "BG/NBD 购买模型与 Gamma-Gamma 消费模型按周拟合全部客户；"
        "CLV 为未来 {months} 个月、月折现率 1% 的折现收入。"
        "BG/NBD 假定只购买过一次的客户仍存活（存活概率 100%：客户只会在复购之后流失），"
        "因此平均存活概率只计复购客户。",
    },
    "churn_tiers": {"en": "Customers per churn-risk tier", "zh": "各流失风险等级客户数"},
    "churn_backtest": {
        "en": "Out-of-time test: trained one horizon earlier, scored on the last full horizon",
        "zh": "跨期检验：用更早一期训练，在最近一个完整预测期上评分",
    },
    "churn_interventions": {
        "en": "Recommended interventions per risk tier",
        "zh": "各风险等级的建议干预措施",
    },
    "churn_note": {
        "en": "A customer churns when they buy nothing in the next {days} days. One model (logistic "
        "regression, isotonic calibration) learns from the customers as of {cutoff} and what they did in "
        "the next {days} days, is tested on the customers as of {test} against what they did next, and "
        "scores every customer as of the snapshot.",
        "zh": "客户在未来 {days} 天内没有购买即视为流失。同一个模型（逻辑回归，保序校准）"
        "以 {cutoff} 的客户及其随后 {days} 天的行为为训练样本，在 {test} 的客户及其随后的行为上检验，"
        "再对截至数据日的全部客户评分。",
    },
    "churn_short_history": {
        "en": "The data span less than one churn horizon before the snapshot: there are no labels to "
        "learn from.",
        "zh": "截止日前的数据不足一个预测期，没有可学习的流失标签。",
    },
    "churn_unreliable": {
        "en": "Caveat: out of time, the churn model ranks customers with a ROC AUC of {auc:.2f} (0.5 is "
        "chance, {floor:.1f} the least worth acting on), so its risk tiers below are unreliable; do not "
        "target customers by them.",
        "zh": "注意：跨期检验中流失模型的 ROC AUC 仅为 {auc:.2f}（0.5 相当于随机，低于 {floor:.1f} 不宜据此"
        "行动），下方的风险等级不可靠，请勿据此圈选客户。",
    },
    "churn_untested": {
        "en": "Caveat: the data span less than two churn horizons ({days} days each) before the snapshot, so "
        "the churn model could not be tested out of time; its risk tiers below are untested.",
        "zh": "注意：截止日前的数据不足两个预测期（每期 {days} 天），流失模型无法做跨期检验，下方的风险等级"
        "未经检验。",
    },
    "unreliable": {"en": "unreliable", "zh": "不可靠"},
    "untested": {"en": "untested", "zh": "未经检验"},
    "clv_not_converged": {
        "en": "Caveat: the CLV model's fit did not converge (see the notes on the data), so the CLV "
        "figures below are rough. A small penalty usually fixes it: clv_penalizer = 0.001 in the [report] "
        "table of the --config file, or report.build(..., clv_penalizer=0.001) (now {penalizer}).",
        "zh": "注意：CLV 模型拟合未收敛（见数据说明），下方的 CLV 数值仅供参考。"
        "设置较小的惩罚系数通常可以解决：在 --config 文件的 [report] 表中写 clv_penalizer = 0.001，"
        "或调用 report.build(..., clv_penalizer=0.001)（当前为 {penalizer}）。",
    },
    "clv_warned": {
        "en": "Caveat: the CLV model warned about its own fit (see the notes on the data), so the CLV "
        "figures below are not to be relied on; the executive summary uses revenue instead.",
        "zh": "注意：CLV 模型对自身拟合给出了警告（见数据说明），下方的 CLV 数值不宜采信；摘要改用历史收入。",
    },
    "points_totals": {"en": "Points by flow, all members", "zh": "全部会员积分流量"},
    "tier_mix": {"en": "Members per tier", "zh": "各等级会员数"},
    "liability": {"en": "Liability and breakage", "zh": "积分负债与逾期未用率"},
    "points_by_month": {"en": "Points per month (last 12 months)", "zh": "每月积分（最近 12 个月）"},
    "executive_summary": {"en": "Executive summary", "zh": "摘要"},
    "notes_on_data": {"en": "Notes on the data", "zh": "数据说明"},
    "actions": {"en": "Three actions the data support:", "zh": "数据支持的三项行动："},
    "note_where": {"en": "{n}× in: {sections}", "zh": "出现 {n} 次：{sections}"},
    "note_EcrmWarning": {"en": "Note", "zh": "提示"},
    "note_data": {"en": "Data read", "zh": "数据读取"},
    "list_separator": {"en": "; ", "zh": "；"},
    "and_list": {"en": ", ", "zh": "、"},
    "two_sentences": {"en": "{first} {second}", "zh": "{first}{second}"},
    "sentence_end": {"en": ".", "zh": "。"},
    "colon": {"en": ": ", "zh": "："},
    "data_read": {
        "en": "{kept} of {read} rows used, {customers} customers, {first} to {last}",
        "zh": "共 {read} 行，使用 {kept} 行，{customers} 位客户，{first} 至 {last}",
    },
    "data_without_customer": {
        "en": "{n:,} rows without a customer id (guest checkouts) left out, {share} of revenue",
        "zh": "{n:,} 行无客户编号（游客下单）未计入，占收入的 {share}",
    },
    "data_returns": {"en": "{n:,} return rows netted ({amount})", "zh": "{n:,} 行退货已冲减（{amount}）"},
    "data_cancelled": {"en": "{n:,} of them cancelled orders", "zh": "其中 {n:,} 行为取消的订单"},
    "data_returns_excluded": {"en": "{n:,} return rows left out", "zh": "{n:,} 行退货未计入"},
    "data_after_as_of": {
        "en": "{n:,} rows dated after the snapshot left out",
        "zh": "{n:,} 行晚于截止日期的记录未计入",
    },
    "note_DataDroppedWarning": {"en": "Data left out", "zh": "部分数据未计入"},
    "note_ConvergenceWarning": {"en": "Model fit did not converge", "zh": "模型拟合未收敛"},
    "summary_best": {
        "en": "The best customers are the {n} {segment} ({share} of customers): they brought {revenue_share} "
        "of revenue.",
        "zh": "最有价值的是 {n} 位{segment}（占客户的 {share}），贡献了 {revenue_share} 的收入。",
    },
    "summary_best_clv": {
        "en": "They hold {clv_share} of the customer value expected over the next {months} months.",
        "zh": "他们占未来 {months} 个月预计客户价值的 {clv_share}。",
    },
    "summary_at_risk": {
        "en": "{n} valuable customers are slipping away (RFM segments {segments}: they bought often or "
        "spent well, but not recently); they brought {revenue} ({revenue_share} of revenue).",
        "zh": "{n} 位有价值的客户正在流失（RFM 分层：{segments}，曾高频或高额购买但近期未再购买），"
        "他们贡献了 {revenue}（占收入的 {revenue_share}）。",
    },
    "summary_at_risk_clv": {
        "en": "Their expected {months}-month CLV at stake is {clv}.",
        "zh": "涉及的未来 {months} 个月预计 CLV 为 {clv}。",
    },
    "summary_change": {
        "en": "In {period}, net revenue was {revenue} ({change} on the month before) from {buyers} "
        "buyers ({buyers_change}).",
        "zh": "{period} 净销售额为 {revenue}（环比 {change}），"
        "购买客户 {buyers} 位（环比 {buyers_change}）。",
    },
    "action_churn": {
        "en": "{action} for the {n} high-value customers the churn model rates {tier}: {value} of {what} "
        "at stake.",
        "zh": "对流失模型评为{tier}的 {n} 位高价值客户进行{action}：涉及{what} {value}。",
    },
    "action_segment": {
        "en": "{segment} ({customers}, {value} {what}): {action}.",
        "zh": "{segment}（{customers}，{what} {value}）：{action}。",
    },
    "customers_n": {"en": "{n} customers", "zh": "{n} 位客户"},
    "customers_one": {"en": "1 customer", "zh": "1 位客户"},
    "expected_clv": {"en": "expected {months}-month CLV", "zh": "未来 {months} 个月预计 CLV"},
    "past_revenue": {"en": "revenue to date", "zh": "历史收入"},
    "engine_lifecycle": {
        "en": "The transactions are on {engine}: the stage history and the transitions, which need "
        "every customer's stage at many dates, are left out; the stages are as of the snapshot.",
        "zh": "交易数据在 {engine} 上：阶段历史和阶段迁移需要每位客户在多个日期的阶段，此处从略；"
        "所示阶段为截止日的阶段。",
    },
    "engine_in_memory": {
        "en": "The transactions are on {engine}: this section needs every row in memory and is left "
        "out (in Python, run it on log.collect() of a slice that fits).",
        "zh": "交易数据在 {engine} 上：本节需要把全部交易行读入内存，此处从略（可在 Python 中对能放入内存的"
        "数据切片调用 log.collect() 后运行）。",
    },
    "no_breakage": {
        "en": "no points lot has expired yet, so breakage cannot be estimated; the liability shown is gross",
        "zh": "尚无积分批次到期，无法估计逾期未用率；所示积分负债为未扣减值",
    },
    # products bought together and next best product
    "products_rules_note": {
        "en": "Baskets are {basket}s ({n_baskets}). A rule “A → C” is kept when at least "
        "{support} of baskets hold both ({min_baskets} baskets) and C is in at least {confidence} of the "
        "baskets holding A (confidence); its lift is how many times more often C is bought with A than "
        "in any basket (1 = no link).",
        "zh": "购物篮按{basket}划分（共 {n_baskets} 个）。规则“A → C”需同时出现在至少 {support} "
        "的购物篮中（{min_baskets} 个），且含 A 的购物篮中至少 {confidence} 也含 C（置信度）；"
        "提升度表示与 A 同买时 C 出现的频率是其在所有购物篮中的多少倍（1 表示无关联）。",
    },
    "basket_order": {"en": "order", "zh": "订单"},
    "basket_customer-day": {"en": "customer-day", "zh": "客户-日"},
    "products_knn_note": {
        "en": "The next best product of each customer is the top of an item-to-item similarity list "
        "(ItemKNN, cosine) built from what customers bought, leaving out what they bought already; "
        "customers.csv holds it in the column next_best_product.",
        "zh": "每位客户的下一个最佳商品取自基于商品相似度（ItemKNN，余弦相似度）的推荐列表首位，"
        "已购买过的商品不再推荐；customers.csv 的 next_best_product 列给出该商品。",
    },
    "products_evaluation_note": {
        "en": "Tested out of time: learnt from purchases before {split}, it found {knn} of what customers "
        "bought afterwards in its top 10, against {popular} for the most popular products.",
        "zh": "跨期检验：用 {split} 之前的购买记录训练，前 10 个推荐覆盖了客户其后所购商品的 {knn}，"
        "热门商品推荐为 {popular}。",
    },
    "products_no_rules": {
        "en": "No pair of products is bought together often enough for a rule at these thresholds.",
        "zh": "在当前阈值下，没有足够频繁一起购买的商品组合。",
    },
    # did the campaign work?
    "campaign_setup": {
        "en": "{treatment} customers were sent the campaign and {control} held out ({observed} treated, "
        "{planned} planned; sample-ratio check {srm_p}). Outcomes count what each customer bought in the "
        "{window} days from {start}.",
        "zh": "实验组 {treatment} 位客户收到活动，对照组 {control} 位未收到（实验组实际占比 {observed}，"
        "计划 {planned}；样本比例检验 {srm_p}）。"
        "结果统计每位客户在活动开始（{start}）后 {window} 天内的购买。",
    },
    "campaign_each_start": {"en": "their assignment date", "zh": "各自的分组日期"},
    "summary_campaign": {"en": "Campaign: {reading}", "zh": "营销活动：{reading}"},
    "campaign_conversion": {
        "en": "{treated} of the treatment group bought in the window against {control} of the holdout: a "
        "lift of {lift} percentage points (95% interval {low} to {high}; {p}).",
        "zh": "窗口期内实验组 {treated} 的客户下单，对照组为 {control}：提升 {lift} 个百分点"
        "（95% 置信区间 {low} 至 {high}；{p}）。",
    },
    "campaign_revenue": {
        "en": "Revenue per customer{adjusted}: {treated} against {control}, a lift of {lift} (95% interval "
        "{low} to {high}; {p}); over the {n} treated customers, {incremental} of incremental revenue "
        "(95% interval {inc_low} to {inc_high}).",
        "zh": "人均收入{adjusted}：实验组 {treated}，对照组 {control}，提升 {lift}（95% 置信区间 {low} 至 "
        "{high}；{p}）；按实验组 {n} 位客户计，增量收入 {incremental}（95% 置信区间 {inc_low} 至 "
        "{inc_high}）。",
    },
    "campaign_adjusted": {"en": " (CUPED-adjusted)", "zh": "（CUPED 调整后）"},
    "campaign_up": {"en": "The campaign raised {what}.", "zh": "活动提升了{what}。"},
    "campaign_down": {"en": "The campaign lowered {what}.", "zh": "活动降低了{what}。"},
    "campaign_null": {
        "en": "The interval includes zero: no evidence that the campaign changed {what}.",
        "zh": "区间包含 0：没有证据表明活动改变了{what}。",
    },
    "campaign_cuped_note": {
        "en": "CUPED, using each customer's spend before the send (correlation {rho} with spend in the "
        "window), narrowed the revenue interval by {narrowing} (in theory the variance falls by {expected}).",
        "zh": "CUPED 利用每位客户发送前的消费（与窗口期消费的相关系数为 {rho}），将收入区间收窄了 "
        "{narrowing}（理论方差缩减 {expected}）。",
    },
    "campaign_segment_note": {
        "en": "By {by}: the largest conversion lift is in {segment}, {lift} percentage points (Holm-adjusted "
        "{p}); a segment with fewer than {min} customers or {buyers} buyers in a group is marked too small "
        "to read.",
        "zh": "按{by}：转化率提升最大的是{segment}，{lift} 个百分点（Holm 校正 {p}）；"
        "任一组不足 {min} 位客户或 {buyers} 位购买客户的分群标记为样本过小。",
    },
    "campaign_no_segments": {
        "en": "For the lift by segment, give the assignments a segment column (segments as they were at "
        "the send) or the send date (campaign_start), so that the RFM segment at the send is used.",
        "zh": "如需按分群查看提升，请在分组文件中加入 segment 列（发送时的分群），或给出发送日期"
        "（campaign_start），以使用发送时的 RFM 分层。",
    },
    "campaign_srm": {
        "en": "Caveat: sample-ratio mismatch: {treatment} customers treated and {control} held out where "
        "{planned} treated was planned ({p}). The assignment or the data are probably broken; do not "
        "trust the lift below until this is explained.",
        "zh": "注意：样本比例失衡：实验组 {treatment} 位、对照组 {control} 位，而计划实验组占比为 "
        "{planned}（{p}）。分组或数据可能有误，查明原因之前请勿采信下方的提升结果。",
    },
    "campaign_no_history": {"en": "No purchase before the send", "zh": "发送前无购买"},
    "campaign_groups": {"en": "Treatment and control groups", "zh": "实验组与对照组"},
    "campaign_lift": {"en": "Lift with 95% intervals", "zh": "提升及 95% 置信区间"},
    "campaign_checks": {"en": "Checks: split and CUPED", "zh": "检验：分组比例与 CUPED"},
    "campaign_by": {"en": "Lift by {by}", "zh": "按{by}的提升"},
    "interval": {"en": "{low} to {high}", "zh": "{low} 至 {high}"},
}


# Measures of co-purchase rules and of recommendation lists (ecrm.recommend), keyed by
# the column names of association_rules and evaluate.
RECOMMEND_METRICS: Table = {
    "support": {"en": "Support", "zh": "支持度"},
    "confidence": {"en": "Confidence", "zh": "置信度"},
    "lift": {"en": "Lift", "zh": "提升度"},
    "leverage": {"en": "Leverage", "zh": "杠杆率"},
    "conviction": {"en": "Conviction", "zh": "确信度"},
    "precision": {"en": "Precision", "zh": "精确率"},
    "recall": {"en": "Recall", "zh": "召回率"},
    "map": {"en": "Mean average precision", "zh": "平均精度均值 (MAP)"},
    "ndcg": {"en": "NDCG", "zh": "归一化折损累计增益 (NDCG)"},
    "hit_rate": {"en": "Hit rate", "zh": "命中率"},
    "coverage": {"en": "Catalogue coverage", "zh": "商品覆盖率"},
}

# Captions and figure words of the next-best-product tables (ecrm.recommend.report_tables).
RECOMMEND_TEXT: Table = {
    "section": {"en": "Next best product", "zh": "下一个最佳商品推荐"},
    "bought_together": {"en": "Products bought together", "zh": "经常一起购买的商品"},
    "next_best_by_segment": {"en": "Next best product per segment", "zh": "各客户分层的下一个最佳商品"},
    "evaluation": {
        "en": "Recommendation quality (out-of-time test, top 10)",
        "zh": "推荐效果（跨期检验，前 10 个推荐）",
    },
    "next_best_product": {"en": "Next best product", "zh": "下一个最佳商品"},
    "all_customers": {"en": "All customers", "zh": "全部客户"},
    "top_rules": {"en": "Top co-purchase rules", "zh": "主要关联规则"},
    "recall_by_model": {"en": "Recall at k by model", "zh": "各模型的前 k 推荐召回率"},
    "list_length": {"en": "List length k", "zh": "推荐列表长度 k"},
}


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


# Column names (and row keys) of the report's tables, as a person reads them. The
# formatting layer (ecrm._display) looks every table header up here; composite names
# such as ``recency_days_mean`` are labelled from their parts.
REPORT_COLUMNS: Table = {
    # the customer summary
    "customer": {"en": "Customer", "zh": "客户"},
    "first_purchase": {"en": "First purchase", "zh": "首次购买日期"},
    "last_purchase": {"en": "Last purchase", "zh": "最近购买日期"},
    "n_orders": {"en": "Orders", "zh": "订单数"},
    "total_spend": {"en": "Total spend", "zh": "消费总额"},
    "avg_order_value": {"en": "Average order value", "zh": "平均订单金额"},
    "recency_days": {"en": "Days since last purchase", "zh": "距上次购买天数"},
    "tenure_days": {"en": "Days since first purchase", "zh": "距首次购买天数"},
    "frequency": {"en": "Repeat purchases", "zh": "复购次数"},
    "monetary_value": {"en": "Mean repeat spend", "zh": "复购平均金额"},
    "statistic": {"en": "Statistic", "zh": "统计量"},
    "mean": {"en": "Mean", "zh": "均值"},
    "std": {"en": "Standard deviation", "zh": "标准差"},
    "min": {"en": "Minimum", "zh": "最小值"},
    "25%": {"en": "25th percentile", "zh": "25% 分位数"},
    "50%": {"en": "Median", "zh": "中位数"},
    "75%": {"en": "75th percentile", "zh": "75% 分位数"},
    "90%": {"en": "90th percentile", "zh": "90% 分位数"},
    "99%": {"en": "99th percentile", "zh": "99% 分位数"},
    "max": {"en": "Maximum", "zh": "最大值"},
    # RFM and lifecycle
    "segment": {"en": "Segment", "zh": "客户分层"},
    "rfm_segment": {"en": "RFM segment", "zh": "RFM 分层"},
    "n_customers": {"en": "Customers", "zh": "客户数"},
    "customers": {"en": "Customers", "zh": "客户数"},
    "customer_share": {"en": "Share of customers", "zh": "客户占比"},
    "share": {"en": "Share", "zh": "占比"},
    "revenue": {"en": "Revenue", "zh": "收入"},
    "revenue_share": {"en": "Revenue share", "zh": "收入占比"},
    "mean_recency_days": {"en": "Mean days since last purchase", "zh": "平均距上次购买天数"},
    "mean_frequency": {"en": "Mean orders", "zh": "平均订单数"},
    "mean_monetary": {"en": "Mean spend", "zh": "平均消费额"},
    "action": {"en": "Recommended action", "zh": "建议行动"},
    "stage": {"en": "Lifecycle stage", "zh": "生命周期阶段"},
    "lifecycle_stage": {"en": "Lifecycle stage", "zh": "生命周期阶段"},
    "start_stage": {"en": "Stage six months ago", "zh": "六个月前阶段"},
    "end_stage": {"en": "Stage now", "zh": "当前阶段"},
    # k-means segments
    "cluster": {"en": "Cluster", "zh": "客群"},
    "name": {"en": "Name", "zh": "客群名称"},
    "size": {"en": "Customers", "zh": "客户数"},
    "k": {"en": "Clusters (k)", "zh": "聚类数 (k)"},
    "inertia": {"en": "Inertia (within-cluster sum of squares)", "zh": "组内平方和"},
    "silhouette": {"en": "Silhouette", "zh": "轮廓系数"},
    "calinski_harabasz": {"en": "Calinski-Harabasz index", "zh": "Calinski-Harabasz 指数"},
    "davies_bouldin": {"en": "Davies-Bouldin index", "zh": "Davies-Bouldin 指数"},
    "parameter": {"en": "Parameter", "zh": "参数"},
    "model": {"en": "Model", "zh": "模型"},
    "estimate": {"en": "Estimate", "zh": "估计值"},
    "std_error": {"en": "Standard error", "zh": "标准误"},
    "ci_lower": {"en": "95% interval, low", "zh": "95% 区间下限"},
    "ci_upper": {"en": "95% interval, high", "zh": "95% 区间上限"},
    "p_alive": {"en": "Probability alive", "zh": "存活概率"},
    "expected_purchases_{months}m": {
        "en": "Expected purchases, next {months} months",
        "zh": "未来 {months} 个月预计购买次数",
    },
    "expected_order_value": {"en": "Expected order value", "zh": "预计订单金额"},
    "clv_{months}m": {"en": "{months}-month CLV", "zh": "未来 {months} 个月 CLV"},
    "clv_{months}m_mean": {"en": "{months}-month CLV per customer", "zh": "人均未来 {months} 个月 CLV"},
    "clv_{months}m_total": {"en": "{months}-month CLV, total", "zh": "未来 {months} 个月 CLV 合计"},
    "clv_share": {"en": "Share of expected CLV", "zh": "CLV 占比"},
    # churn
    "n": {"en": "Customers", "zh": "客户数"},
    "churn_rate": {"en": "Churn rate", "zh": "流失率"},
    "roc_auc": {"en": "ROC AUC", "zh": "ROC 曲线下面积 (AUC)"},
    "pr_auc": {"en": "Precision-recall AUC", "zh": "精确率-召回率曲线下面积"},
    "brier": {"en": "Brier score", "zh": "Brier 分数"},
    "log_loss": {"en": "Log loss", "zh": "对数损失"},
    "lift_top10": {"en": "Lift, top 10%", "zh": "前 10% 提升度"},
    "captured_top10": {"en": "Churners caught, top 10%", "zh": "前 10% 捕获流失客户占比"},
    "lift_top20": {"en": "Lift, top 20%", "zh": "前 20% 提升度"},
    "captured_top20": {"en": "Churners caught, top 20%", "zh": "前 20% 捕获流失客户占比"},
    "risk_tier": {"en": "Churn-risk tier", "zh": "流失风险等级"},
    "mean_probability": {"en": "Mean churn probability", "zh": "平均流失概率"},
    "churn_probability": {"en": "Churn probability", "zh": "流失概率"},
    "intervention": {"en": "Intervention", "zh": "干预措施"},
    # KPIs and cohorts
    "period": {"en": "Month", "zh": "月份"},
    "gmv": {"en": "GMV", "zh": "成交总额 (GMV)"},
    "returns": {"en": "Returns", "zh": "退货金额"},
    "net_revenue": {"en": "Net revenue", "zh": "净销售额"},
    "orders": {"en": "Orders", "zh": "订单数"},
    "buyers": {"en": "Buyers", "zh": "购买客户数"},
    "new_buyers": {"en": "New buyers", "zh": "新购买客户数"},
    "returning_buyers": {"en": "Returning buyers", "zh": "回购客户数"},
    "aov": {"en": "Average order value", "zh": "客单价"},
    "orders_per_buyer": {"en": "Orders per buyer", "zh": "人均订单数"},
    "repeat_purchase_rate": {"en": "Repeat-purchase rate", "zh": "复购率"},
    "return_rate": {"en": "Return rate", "zh": "退货率"},
    "net_revenue_growth": {"en": "Net revenue, change on previous month", "zh": "净销售额环比变化"},
    "gmv_growth": {"en": "GMV, change on previous month", "zh": "成交总额环比变化"},
    "cohort": {"en": "Acquisition month", "zh": "获客月份"},
    # surveys
    "metric": {"en": "Measure", "zh": "指标"},
    "responses": {"en": "Responses", "zh": "答卷数"},
    "score": {"en": "Score", "zh": "得分"},
    "ci_low": {"en": "95% interval, low", "zh": "95% 区间下限"},
    "ci_high": {"en": "95% interval, high", "zh": "95% 区间上限"},
    "promoters": {"en": "Promoters", "zh": "推荐者"},
    "passives": {"en": "Passives", "zh": "被动者"},
    "detractors": {"en": "Detractors", "zh": "贬损者"},
    "promoter_share": {"en": "Promoter share", "zh": "推荐者占比"},
    "passive_share": {"en": "Passive share", "zh": "被动者占比"},
    "detractor_share": {"en": "Detractor share", "zh": "贬损者占比"},
    "nps": {"en": "NPS", "zh": "净推荐值 (NPS)"},
    # loyalty
    "points": {"en": "Points", "zh": "积分"},
    "flow": {"en": "Flow", "zh": "积分流向"},
    "earned": {"en": "Earned", "zh": "获得"},
    "issued": {"en": "Issued", "zh": "发放"},
    "redeemed": {"en": "Redeemed", "zh": "兑换"},
    "expired": {"en": "Expired", "zh": "过期"},
    "adjusted": {"en": "Adjusted", "zh": "调整"},
    "reversed": {"en": "Reversed", "zh": "冲回"},
    "balance": {"en": "Balance", "zh": "余额"},
    "expiring_30d": {"en": "Expiring within 30 days", "zh": "30 天内到期"},
    "expiring_90d": {"en": "Expiring within 90 days", "zh": "90 天内到期"},
    "net_change": {"en": "Net change", "zh": "净变化"},
    "redemption_rate": {"en": "Redemption rate", "zh": "兑换率"},
    "tier": {"en": "Tier", "zh": "会员等级"},
    "members": {"en": "Members", "zh": "会员数"},
    "item": {"en": "Item", "zh": "项目"},
    "outstanding_points": {"en": "Points outstanding", "zh": "未使用积分"},
    "point_value": {"en": "Value of one point", "zh": "每积分价值"},
    "gross_liability": {"en": "Points liability, gross", "zh": "积分负债（未扣减）"},
    "breakage": {"en": "Breakage", "zh": "逾期未用率"},
    "breakage_source": {"en": "Breakage from", "zh": "逾期未用率来源"},
    "matured_lots": {"en": "Expired lots", "zh": "已到期批次数"},
    "matured_lot_points": {"en": "Points in expired lots", "zh": "已到期批次积分"},
    "matured_expired_points": {"en": "Of which never used", "zh": "其中未使用积分"},
    "liability": {"en": "Points liability, net of breakage", "zh": "积分负债（扣除逾期未用）"},
    # service
    "group": {"en": "Group", "zh": "分组"},
    "channel": {"en": "Channel", "zh": "渠道"},
    "category": {"en": "Category", "zh": "类别"},
    "tickets": {"en": "Tickets", "zh": "工单数"},
    "responded": {"en": "Responded", "zh": "已响应"},
    "resolved": {"en": "Resolved", "zh": "已解决"},
    "open": {"en": "Open", "zh": "未结"},
    "response_median_hours": {"en": "First response, median hours", "zh": "首次响应时长中位数（小时）"},
    "response_p90_hours": {"en": "First response, 90th percentile hours", "zh": "首次响应时长 P90（小时）"},
    "resolution_median_hours": {"en": "Resolution, median hours", "zh": "解决时长中位数（小时）"},
    "resolution_p90_hours": {"en": "Resolution, 90th percentile hours", "zh": "解决时长 P90（小时）"},
    "response_within_sla": {"en": "Responded within SLA", "zh": "按时响应率"},
    "resolution_within_sla": {"en": "Resolved within SLA", "zh": "按时解决率"},
    "first_contact_resolution": {"en": "First-contact resolution", "zh": "首次接触解决率"},
    "open_age_median_hours": {"en": "Open tickets, median age in hours", "zh": "未结工单时长中位数（小时）"},
    "open_age_max_hours": {"en": "Open tickets, oldest in hours", "zh": "未结工单最长时长（小时）"},
    "csat_mean": {"en": "Mean satisfaction", "zh": "平均满意度"},
    # products bought together and next best product
    "antecedent": {"en": "Bought", "zh": "已购商品"},
    "consequent": {"en": "Also bought", "zh": "同时购买"},
    "support": {"en": "Support (share of baskets)", "zh": "支持度（购物篮占比）"},
    "confidence": {"en": "Confidence", "zh": "置信度"},
    "lift": {"en": "Lift", "zh": "提升度"},
    "next_best_product": {"en": "Next best product", "zh": "下一个最佳商品"},
    "next_best_products": {
        "en": "Most frequent next best products (share of the segment)",
        "zh": "最常推荐的下一个最佳商品（占该分层比例）",
    },
    "rank": {"en": "Rank", "zh": "排名"},
    "recall": {"en": "Recall at 10", "zh": "前 10 召回率"},
    "precision": {"en": "Precision at 10", "zh": "前 10 精确率"},
    "ndcg": {"en": "NDCG at 10", "zh": "前 10 NDCG"},
    "hit_rate": {"en": "Hit rate at 10", "zh": "前 10 命中率"},
    # campaigns
    "converters": CAMPAIGN_WORDS["converters"],
    "conversion_rate": CAMPAIGN_TERMS["conversion_rate"],
    "orders_per_customer": CAMPAIGN_WORDS["orders_per_customer"],
    "revenue_per_customer": CAMPAIGN_WORDS["revenue_per_customer"],
    "pre_spend_per_customer": CAMPAIGN_WORDS["pre_spend_per_customer"],
    "no_history": CAMPAIGN_WORDS["no_history"],
    "treatment": CAMPAIGN_TERMS["treatment"],
    "control": CAMPAIGN_TERMS["control"],
    "relative_lift": CAMPAIGN_TERMS["relative_lift"],
    "p_value": CAMPAIGN_WORDS["p_value"],
    "absolute_lift": CAMPAIGN_TERMS["lift"],
    "lift_ci": {"en": "Lift, 95% interval", "zh": "提升 95% 置信区间"},
    "relative_lift_ci": {"en": "Relative lift, 95% interval", "zh": "相对提升 95% 置信区间"},
    "n_treatment": {"en": "Customers, treatment", "zh": "实验组客户数"},
    "n_control": {"en": "Customers, control", "zh": "对照组客户数"},
    "conversion_lift": {"en": "Conversion lift (points)", "zh": "转化率提升（百分点）"},
    "conversion_lift_ci": {"en": "Conversion lift, 95% interval", "zh": "转化率提升 95% 区间"},
    "conversion_p_holm": {"en": "Conversion p-value, Holm-adjusted", "zh": "转化率 p 值（Holm 校正）"},
    "revenue_lift": {"en": "Revenue lift per customer", "zh": "人均收入提升"},
    "revenue_lift_ci": {"en": "Revenue lift, 95% interval", "zh": "人均收入提升 95% 区间"},
    "revenue_p_holm": {"en": "Revenue p-value, Holm-adjusted", "zh": "人均收入 p 值（Holm 校正）"},
    "small_segment": CAMPAIGN_WORDS["small_segment"],
    "planned_share": CAMPAIGN_WORDS["planned_share"],
    "observed_share": CAMPAIGN_WORDS["observed_share"],
    "srm_p_value": {"en": "Sample-ratio check, p-value", "zh": "样本比例检验 p 值"},
    "theta": CAMPAIGN_WORDS["theta"],
    "rho": CAMPAIGN_WORDS["rho"],
    "expected_variance_reduction": CAMPAIGN_WORDS["expected_variance_reduction"],
    "variance_reduction": CAMPAIGN_WORDS["variance_reduction"],
    "interval_narrowing": CAMPAIGN_WORDS["interval_narrowing"],
    "rfm_segment_at_send": {"en": "RFM segment at the send", "zh": "发送时的 RFM 分层"},
}

# Machine words that appear as cell values or row keys of the report's tables.
REPORT_VALUES: Table = {
    "bgnbd": {"en": "BG/NBD", "zh": "BG/NBD"},
    "mbgnbd": {"en": "MBG/NBD", "zh": "MBG/NBD"},
    "pareto_nbd": {"en": "Pareto/NBD", "zh": "Pareto/NBD"},
    "gamma_gamma": {"en": "Gamma-Gamma", "zh": "Gamma-Gamma"},
    "estimated": {"en": "estimated from expired lots", "zh": "根据已到期批次估计"},
    "given": {"en": "given", "zh": "给定值"},
    "all": {"en": "All tickets", "zh": "全部工单"},
    "churn_model": {"en": "Churn model", "zh": "流失模型"},
    "bgnbd_baseline": {"en": "BG/NBD baseline", "zh": "BG/NBD 基准"},
    "ItemKNN": {"en": "Next best product (ItemKNN)", "zh": "个性化推荐 (ItemKNN)"},
    "popularity baseline": {"en": "Most popular products", "zh": "热门商品"},
    # service channels and ticket categories of ecrm.datasets.make_tickets
    "app": {"en": "App", "zh": "应用内"},
    "chat": {"en": "Chat", "zh": "在线客服"},
    "email": {"en": "Email", "zh": "邮件"},
    "phone": {"en": "Phone", "zh": "电话"},
    "account": {"en": "Account", "zh": "账户"},
    "complaint": {"en": "Complaint", "zh": "投诉"},
    "delivery": {"en": "Delivery", "zh": "物流配送"},
    "product": {"en": "Product", "zh": "商品"},
    "refund": {"en": "Refund", "zh": "退款"},
}

# Words of the figures (ecrm.plotting): titles, axis labels, legend entries. Entries
# with {placeholders} are filled in by the figure.
PLOT_TEXT: Table = {
    # words used by several figures
    "customers": {"en": "Customers", "zh": "客户数"},
    "customers_log": {"en": "Customers (log scale)", "zh": "客户数（对数刻度）"},
    "customers_by": {"en": "Customers by {what} (n = {n:,})", "zh": "客户分布：{what}（n = {n:,}）"},
    "revenue": {"en": "Revenue", "zh": "收入"},
    "value": {"en": "Value", "zh": "数值"},
    "period": {"en": "Period", "zh": "期间"},
    "score": {"en": "Score", "zh": "得分"},
    "segment": {"en": "Segment", "zh": "客户分层"},
    "feature": {"en": "Feature", "zh": "特征"},
    "model": {"en": "Model", "zh": "模型"},
    "points": {"en": "Points", "zh": "积分"},
    "responses": {"en": "Responses", "zh": "答卷数"},
    "share_pct": {"en": "Share (%)", "zh": "占比 (%)"},
    "share_of_customers": {"en": "Share of customers", "zh": "客户占比"},
    "right_axis": {"en": "{label}, right axis", "zh": "{label}（右轴）"},
    # RFM
    "rfm_heatmap_count": {"en": "Customers by R and F score", "zh": "各 R、F 评分组合的客户数"},
    "rfm_heatmap_monetary": {
        "en": "Mean monetary value by R and F score",
        "zh": "各 R、F 评分组合的平均消费额",
    },
    "mean_monetary": {"en": "Mean monetary value", "zh": "平均消费额"},
    "r_score": {"en": "R score", "zh": "R 评分"},
    "f_score": {"en": "F score", "zh": "F 评分"},
    "segment_bar": {"en": "Share of customers and revenue by segment", "zh": "各分层的客户占比与收入占比"},
    "rfm_distribution": {
        "en": "Customers by RFM score (n = {n:,})",
        "zh": "各 RFM 评分的客户数（n = {n:,}）",
    },
    # lifecycle
    "lifecycle_area": {"en": "Customers by lifecycle stage", "zh": "各生命周期阶段客户数"},
    "period_end": {"en": "Period end", "zh": "期末"},
    "transitions": {"en": "Lifecycle transitions", "zh": "生命周期阶段迁移"},
    "stage_on": {"en": "Stage on {date}", "zh": "{date} 的阶段"},
    "stage_start": {"en": "Stage at start", "zh": "期初阶段"},
    "stage_end": {"en": "Stage at end", "zh": "期末阶段"},
    # k-means segments
    "k_selection": {
        "en": "Choosing the number of clusters (chosen k = {k})",
        "zh": "聚类数的选择（选定 k = {k}）",
    },
    "n_clusters": {"en": "Number of clusters k", "zh": "聚类数 k"},
    "chosen_k": {"en": "chosen k = {k}", "zh": "选定 k = {k}"},
    "silhouettes": {"en": "Silhouettes (mean {mean:.2f})", "zh": "轮廓系数（均值 {mean:.2f}）"},
    "silhouette_coefficient": {"en": "Silhouette coefficient", "zh": "轮廓系数"},
    "cluster_scatter": {
        "en": "Clusters on the first two principal components",
        "zh": "前两个主成分上的客群",
    },
    "centres": {"en": "Cluster centres", "zh": "聚类中心"},
    "cluster_profiles": {
        "en": "Cluster profiles (standardised feature means)",
        "zh": "客群画像（标准化特征均值）",
    },
    "standardised_mean": {"en": "Standardised mean", "zh": "标准化均值"},
    # churn
    "roc": {"en": "ROC curve of churn scores", "zh": "流失评分的 ROC 曲线"},
    "chance": {"en": "Chance", "zh": "随机猜测"},
    "false_positive_rate": {"en": "False positive rate", "zh": "假阳性率"},
    "true_positive_rate": {"en": "True positive rate", "zh": "真阳性率"},
    "lift_curve": {"en": "Lift curve", "zh": "提升度曲线"},
    "random": {"en": "Random targeting", "zh": "随机触达"},
    "share_targeted": {
        "en": "Share of customers targeted (by churn score)",
        "zh": "按流失评分触达的客户占比",
    },
    "lift": {"en": "Lift", "zh": "提升度"},
    "calibration": {"en": "Calibration of churn probabilities", "zh": "流失概率校准"},
    "perfectly_calibrated": {"en": "Perfectly calibrated", "zh": "完全校准"},
    "predicted_probability": {"en": "Predicted churn probability", "zh": "预测流失概率"},
    "observed_rate": {"en": "Observed churn rate", "zh": "实际流失率"},
    "feature_importance": {"en": "Permutation feature importance", "zh": "置换特征重要性"},
    "importance_drop": {
        "en": "Drop in ROC AUC when the feature is shuffled",
        "zh": "打乱该特征后 ROC AUC 的下降",
    },
    # KPIs and cohorts
    "kpis_per_D": {"en": "KPIs per day", "zh": "每日经营指标"},
    "kpis_per_W": {"en": "KPIs per week", "zh": "每周经营指标"},
    "kpis_per_M": {"en": "KPIs per month", "zh": "每月经营指标"},
    "kpis_per_Q": {"en": "KPIs per quarter", "zh": "每季度经营指标"},
    "kpis_per_Y": {"en": "KPIs per year", "zh": "每年经营指标"},
    "kpis_per_period": {"en": "KPIs per period", "zh": "各期经营指标"},
    "cohort_customers": {"en": "Customers retained by acquisition cohort", "zh": "各获客同期群留存客户数"},
    "cohort_customers_share": {
        "en": "Customers retained by acquisition cohort (share)",
        "zh": "各获客同期群客户留存率",
    },
    "cohort_revenue": {"en": "Revenue by acquisition cohort", "zh": "各获客同期群收入"},
    "cohort_revenue_share": {
        "en": "Revenue by acquisition cohort (share of the first period)",
        "zh": "各获客同期群收入（相对首期）",
    },
    "cohort": {"en": "Acquisition cohort", "zh": "获客同期群"},
    "periods_since": {"en": "Periods since acquisition", "zh": "获客后期数"},
    "periods_since_D": {"en": "Days since acquisition", "zh": "获客后天数"},
    "periods_since_W": {"en": "Weeks since acquisition", "zh": "获客后周数"},
    "periods_since_M": {"en": "Months since acquisition", "zh": "获客后月数"},
    "periods_since_Q": {"en": "Quarters since acquisition", "zh": "获客后季度数"},
    "periods_since_Y": {"en": "Years since acquisition", "zh": "获客后年数"},
    "share_of_period0": {"en": "Share of the first period", "zh": "相对首期的比例"},
    # surveys
    "share_of_responses": {"en": "Share of responses (%)", "zh": "答卷占比 (%)"},
    "nps_trend": {
        "en": "{nps} ({level} interval; ○ significant change)",
        "zh": "{nps}（{level} 置信区间；○ 显著变化）",
    },
    "score_distribution": {"en": "Score distribution (n = {n:,})", "zh": "得分分布（n = {n:,}）"},
    # loyalty
    "points_flow": {
        "en": "Points issued, redeemed and expired per period",
        "zh": "各期积分发放、兑换与过期",
    },
    "tier_mix": {"en": "Members per tier at period end", "zh": "各期末各等级会员数"},
    # service
    "sla_dashboard": {"en": "Customer-service levels", "zh": "客户服务水平"},
    "within_hours": {"en": "{name} within {hours} h", "zh": "{name} ≤ {hours} 小时"},
    "target": {"en": "Target {target}", "zh": "目标 {target}"},
    "share_of_tickets": {"en": "Share of tickets", "zh": "工单占比"},
}
