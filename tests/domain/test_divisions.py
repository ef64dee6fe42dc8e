"""Division codes (GB/T 2260 and the statistical 乡镇/街道 codes) and department types."""
import pytest
from hypothesis import given, strategies as st

from domain import department_types
from domain.divisions import DivisionError, check_parent, derived_parent, find_cycle, level_of


@pytest.mark.parametrize("code, level", [("420000", "province"), ("421100", "city"), ("421126", "county"),
                                         ("429004", "county"), ("421126100", "township"),
                                         ("421126100000", "township")])
def test_level_from_code(code, level):
    assert level_of(code) == level


@pytest.mark.parametrize("code", ["", "42112", "4211261", "42a126", "000000", "421126000", "４２１１２６"])
def test_bad_codes_are_refused_with_a_reason(code):
    with pytest.raises(DivisionError) as error:
        level_of(code)
    assert str(error.value)  # a zh-CN sentence for the row report


@pytest.mark.parametrize("code, parent", [("420000", None), ("421100", "420000"), ("421126", "421100"),
                                          ("429004", "420000"), ("421126100", "421126")])
def test_valid_parentage(code, parent):
    check_parent(code, parent)
    assert derived_parent(code) == parent


@pytest.mark.parametrize("code, parent, fragment", [
    ("421126", None, "必须有上级区划"),
    ("420000", "340000", "不能有上级区划"),
    ("421126", "340800", "前 4 位"),            # a county under another province's city
    ("421126", "420000", "上级应为市级"),        # a county skipping its city (not 省直辖)
    ("421100", "340000", "前 2 位"),
    ("421126100", "340825", "前 6 位"),
    ("421100", "421126", "上级应为省级"),
])
def test_bad_parentage(code, parent, fragment):
    with pytest.raises(DivisionError, match=fragment):
        check_parent(code, parent)


@given(st.integers(11, 65), st.integers(1, 89), st.integers(1, 99))
def test_derived_parents_always_check(province, city, county):
    code = f"{province:02d}{city:02d}{county:02d}"
    assert check_parent(code, derived_parent(code)) == "county"
    assert check_parent(derived_parent(code), derived_parent(derived_parent(code))) == "city"


def test_cycles_found():
    assert find_cycle({"a": None, "b": "a", "c": "b"}) == []
    assert find_cycle({"a": "c", "b": "a", "c": "b", "d": "a"}) == ["a", "b", "c"]
    assert find_cycle({"x": "x"}) == ["x"]


def test_department_types_parse_key_or_chinese_name():
    assert department_types.parse("market_regulation") == "market_regulation"
    assert department_types.parse("消防救援") == "fire"
    assert department_types.parse("市场监督") is None
    assert department_types.guess_from_name("蕲春县市场监督管理局") == "market_regulation"
    assert department_types.guess_from_name("漕河镇综合执法队") == "comprehensive_enforcement"
    assert department_types.guess_from_name("蕲春县档案馆") == "other"
