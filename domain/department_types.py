"""Department types (部门类型): what kind of authority a department is, whatever its region.

The catalogue and the draw match departments across regions by type: 蕲春县市场监督管理局 and
太湖县市场监督管理局 are both `market_regulation`, so a 区域联查 pairs them. The set is small and
fixed by the state's institutional reform (机构改革), so it is a table in code, not in the database;
the org import accepts either the key or the Chinese name.
"""
from __future__ import annotations

TYPES = {
    "market_regulation": "市场监管",
    "health": "卫生健康",
    "fire": "消防救援",
    "emergency": "应急管理",
    "transport": "交通运输",
    "commerce": "商务",
    "comprehensive_enforcement": "综合执法",
    "public_security": "公安",
    "housing": "住房和城乡建设",
    "ecology": "生态环境",
    "culture_tourism": "文化和旅游",
    "civil_affairs": "民政",
    "agriculture": "农业农村",
    "education": "教育",
    "other": "其他",
}

# Name fragments → type, in order (the first match wins): how a department's name tells its type.
_NAME_HINTS = (
    ("市场监督", "market_regulation"), ("市场监管", "market_regulation"), ("卫生健康", "health"),
    ("卫健", "health"), ("消防", "fire"), ("应急", "emergency"), ("交通", "transport"), ("商务", "commerce"),
    ("综合执法", "comprehensive_enforcement"), ("城市管理", "comprehensive_enforcement"),
    ("公安", "public_security"), ("住房", "housing"), ("住建", "housing"), ("生态环境", "ecology"),
    ("环保", "ecology"), ("文化", "culture_tourism"), ("旅游", "culture_tourism"), ("民政", "civil_affairs"),
    ("农业", "agriculture"), ("教育", "education"),
)


def parse(value: str) -> str | None:
    """The type key for a key or a Chinese name (市场监管 / market_regulation), None when unknown."""
    value = (value or "").strip()
    if value in TYPES:
        return value
    for key, label in TYPES.items():
        if value == label:
            return key
    return None


def guess_from_name(name: str) -> str:
    """The type a department's name suggests; `other` when nothing matches (an admin corrects it)."""
    for fragment, key in _NAME_HINTS:
        if fragment in (name or ""):
            return key
    return "other"
