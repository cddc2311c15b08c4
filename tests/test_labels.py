"""Label tables: both languages everywhere, glossary terms, ordered categoricals."""

import pytest

from ecrm import _labels
from ecrm.errors import SchemaError

TABLES = [v for k, v in vars(_labels).items() if k.isupper() and isinstance(v, dict)]


@pytest.mark.parametrize("table", TABLES)
def test_every_key_has_both_languages(table):
    for key, names in table.items():
        assert set(names) == {"en", "zh"}, key
        assert names["en"] and names["zh"]


def test_glossary_terms():
    assert _labels.label(_labels.RFM_CN8, "important_winback", "zh") == "重要挽留客户"
    assert _labels.label(_labels.LOYALTY_TIERS, "black", "zh") == "黑卡"
    assert list(_labels.LIFECYCLE_STAGES)[:2] == ["prospect", "new"]


def test_categorical_is_ordered_with_all_categories():
    cat = _labels.categorical(["at_risk", "new"], _labels.LIFECYCLE_STAGES, "zh")
    assert cat.ordered and len(cat.categories) == 7
    assert list(cat) == ["沉睡客户", "新客户"]
    assert cat[1] < cat[0]  # earliest stage first


def test_bad_lang_and_key():
    with pytest.raises(SchemaError, match="lang='fr'"):
        _labels.label(_labels.NPS_CATEGORIES, "promoter", "fr")
    with pytest.raises(SchemaError, match="unknown label key"):
        _labels.categorical(["vip"], _labels.LOYALTY_TIERS)
