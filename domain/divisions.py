"""Administrative division codes (行政区划代码) and the region tree's rules.

GB/T 2260 gives six digits to provinces, cities and counties: a province's code ends in 0000
(420000 湖北省), a city's in 00 (421100 黄冈市), and a county's first four digits are its city's
(421126 蕲春县). County-level units administered directly by a province (省直辖县级行政单位,
429004 仙桃市) carry 90 in digits 3–4 and sit under the province. 乡镇/街道 use the statistical
codes (统计用区划代码): 9 or 12 digits whose first six are the county's code (421126100 漕河镇).

Pure functions, no I/O: the services and the org import call them; messages are zh-CN msgids.
"""
from __future__ import annotations

LEVELS = ("province", "city", "county", "township")
LEVEL_NAMES = {"province": "省", "city": "市", "county": "县/区", "township": "乡镇/街道"}
# The level a region's parent must have; a county may also sit under a province (省直辖, digits 3–4 = 90).
PARENT_LEVEL = {"province": None, "city": "province", "county": "city", "township": "county"}
DIRECT_COUNTY_MARK = "90"


class DivisionError(ValueError):
    """A code or a parentage that breaks the rules; str() is the zh-CN message."""


def level_of(code: str) -> str:
    """The level a code denotes, or DivisionError when it is not a division code at all."""
    code = (code or "").strip()
    if not code.isdigit() or not code.isascii():
        raise DivisionError("行政区划代码只能由数字组成")
    if len(code) in (9, 12):
        if code[6:] == "0" * (len(code) - 6):
            raise DivisionError("乡镇/街道代码的后几位不能全为 0")
        return "township"
    if len(code) != 6:
        raise DivisionError("行政区划代码应为 6 位（省、市、县/区）或 9/12 位（乡镇/街道）")
    if code[:2] == "00":
        raise DivisionError("行政区划代码的前两位（省级）不能为 00")
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def check_parent(code: str, parent_code: str | None) -> str:
    """The level of `code` when `parent_code` may be its parent; DivisionError (zh-CN) otherwise."""
    level = level_of(code)
    if parent_code is None or parent_code == "":
        if level != "province":
            raise DivisionError(f"{LEVEL_NAMES[level]}级区划必须有上级区划")
        return level
    parent_level = level_of(parent_code)
    if level == "province":
        raise DivisionError("省级区划不能有上级区划")
    expected = PARENT_LEVEL[level]
    direct_county = level == "county" and parent_level == "province" and code[2:4] == DIRECT_COUNTY_MARK
    if parent_level != expected and not direct_county:
        raise DivisionError(f"{LEVEL_NAMES[level]}级区划的上级应为{LEVEL_NAMES[expected]}级区划")
    prefix = {"city": 2, "county": 4 if not direct_county else 2, "township": 6}[level]
    if code[:prefix] != parent_code[:prefix]:
        raise DivisionError(f"区划代码 {code} 的前 {prefix} 位应与上级区划代码 {parent_code} 一致")
    return level


def derived_parent(code: str) -> str | None:
    """The parent code GB/T 2260 implies (420000 for 421100, 421100 for 421126, 421126 for 421126100)."""
    level = level_of(code)
    if level == "province":
        return None
    if level == "city":
        return code[:2] + "0000"
    if level == "county":
        return code[:2] + "0000" if code[2:4] == DIRECT_COUNTY_MARK else code[:4] + "00"
    return code[:6]


def find_cycle(parents: dict[str, str | None]) -> list[str]:
    """Codes that are their own ancestor in a code → parent code map (empty when the map is a forest)."""
    in_cycle: set[str] = set()
    for start in parents:
        seen: list[str] = []
        node: str | None = start
        while node is not None and node in parents and node not in seen:
            seen.append(node)
            node = parents[node]
        if node is not None and node in seen:
            in_cycle.update(seen[seen.index(node):])
    return sorted(in_cycle)
