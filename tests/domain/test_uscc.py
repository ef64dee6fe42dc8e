import pytest
from hypothesis import given, strategies as st

from domain.uscc import (
    ALPHABET,
    UsccResult,
    check_character,
    is_valid,
    make_code,
    normalize,
    validate,
)

KNOWN_VALID = "91310115MA1K3CUM7M"

authorities = st.sampled_from("123456789ANY")
alphabet_chars = st.sampled_from(ALPHABET)
divisions = st.text(alphabet="0123456789", min_size=6, max_size=6)
org_codes = st.text(alphabet=ALPHABET, min_size=9, max_size=9)


@st.composite
def valid_codes(draw):
    return make_code(draw(authorities), draw(alphabet_chars), draw(divisions), draw(org_codes))


def test_known_valid_code():
    result = validate(KNOWN_VALID)
    assert result == UsccResult(KNOWN_VALID, True, False, (), "企业")


def test_worked_example_from_standard_commentary():
    # The widely published GB 32100 worked example computes check character '3'.
    assert check_character("91350100M000100Y4") == "3"
    assert not is_valid("91350100M000100Y4Z")


@pytest.mark.parametrize(
    "entity_type, label",
    [("1", "企业"), ("2", "个体工商户"), ("3", "农民专业合作社"), ("9", None)],
)
def test_make_code_builds_valid_codes_with_labels(entity_type, label):
    code = make_code("9", entity_type, "110105", "MA01ABCD1")
    result = validate(code)
    assert result.valid and result.errors == ()
    assert result.entity_type == label


def test_entity_label_only_for_market_regulation():
    assert validate(make_code("5", "1", "110105", "500000001")).entity_type is None


def test_make_code_rejects_bad_parts():
    with pytest.raises(ValueError):
        make_code("9", "1", "11010A", "MA01ABCD1")
    with pytest.raises(ValueError):
        make_code("9", "1", "110105", "MA01")
    with pytest.raises(ValueError):
        make_code("9", "1", "110105", "MA01ABCDI")


@pytest.mark.parametrize("raw, length", [(KNOWN_VALID[:17], 17), (KNOWN_VALID + "1", 19), ("ABC", 3)])
def test_bad_length(raw, length):
    result = validate(raw)
    assert not result.valid
    assert result.errors == (f"长度应为18位，实际为{length}位",)


def test_empty_input():
    result = validate("   ")
    assert not result.valid and result.errors == ("统一社会信用代码不能为空",)


@pytest.mark.parametrize("bad", "IOSVZ")
def test_forbidden_characters_named_with_position(bad):
    code = KNOWN_VALID[:9] + bad + KNOWN_VALID[10:]
    result = validate(code)
    assert not result.valid
    assert f"第10位字符'{bad}'不是合法字符（不允许 I、O、S、V、Z）" in result.errors


def test_forbidden_character_in_division_reports_both_problems():
    result = validate("91I10115MA1K3CUM7M")
    assert "第3位字符'I'不是合法字符（不允许 I、O、S、V、Z）" in result.errors
    assert "第3-8位行政区划码必须为数字" in result.errors


def test_punctuation_is_illegal():
    result = validate("91310115MA1K3-UM7M")
    assert not result.valid
    assert any(error.startswith("第14位字符'-'") for error in result.errors)


def test_non_digit_division_code():
    first17 = "9131A115MA1K3CUM7"
    code = first17 + check_character(first17)
    result = validate(code)
    assert result.errors == ("第3-8位行政区划码必须为数字",)


def test_wrong_check_character_names_expected():
    result = validate(KNOWN_VALID[:17] + "X")
    assert not result.valid
    assert result.errors == ("第18位校验码应为'M'，实际为'X'",)


def test_invalid_authority():
    first17 = "B1310115MA1K3CUM7"
    result = validate(first17 + check_character(first17))
    assert not result.valid
    assert result.errors == ("第1位登记管理部门代码'B'无效（应为 1-9、A、N、Y 之一）",)


def test_lower_case_and_whitespace_normalized():
    assert validate("  9131 0115ma1k3cum7m\n").code == KNOWN_VALID
    assert is_valid("91310115ma1k3cum7m")


def test_full_width_input_normalized():
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in KNOWN_VALID)
    assert normalize("\u3000" + full_width + "\u3000") == KNOWN_VALID
    assert is_valid(full_width)


def test_normalize_examples():
    assert normalize("ＡＢ１") == "AB1"
    assert normalize(" a\u3000b\t") == "AB"


def test_check_character_rejects_foreign_chars():
    with pytest.raises(ValueError):
        check_character("9131011SMA1K3CUM7")
    with pytest.raises(ValueError):
        check_character("913")


def test_legacy_registration_number_flagged():
    result = validate("110108000000016")
    assert result.valid and result.legacy
    assert result.errors == ()


def test_legacy_registration_number_bad_check_digit():
    result = validate("110108000000017")
    assert not result.valid and result.legacy
    assert result.errors == ("旧版15位工商注册号第15位校验位应为'6'，实际为'7'",)


def test_fifteen_chars_with_letters_is_not_legacy():
    result = validate("11010800000001A")
    assert not result.valid and not result.legacy
    assert result.errors == ("长度应为18位，实际为15位",)


@given(valid_codes())
def test_every_generated_code_is_valid(code):
    assert is_valid(code)
    assert check_character(code[:17]) == code[17]


@given(valid_codes(), st.integers(min_value=0, max_value=17), alphabet_chars)
def test_any_single_substitution_is_detected(code, position, replacement):
    # Weights are non-zero mod the prime 31, so any one-character change moves the checksum.
    if replacement == code[position]:
        replacement = ALPHABET[(ALPHABET.index(replacement) + 1) % len(ALPHABET)]
    mutated = code[:position] + replacement + code[position + 1:]
    assert not is_valid(mutated)


# --- legacy 15-digit registration numbers (GB 12113, ISO 7064 MOD 11,10) and exact results ---

def test_legacy_fifteen_digit_check_formula_vectors():
    from domain.uscc import validate
    # MOD 11,10 over the body 11010010000000 carries the product 7, so the check digit is (11 - 7) % 10 = 4;
    # every other final digit is refused, naming the expected one.
    assert validate("110100100000004") == UsccResult(code="110100100000004", valid=True, legacy=True, errors=(),
                                                     entity_type=None)
    assert validate("440301109876541").valid
    for wrong in "0123456789":
        if wrong == "4":
            continue
        assert validate("11010010000000" + wrong) == UsccResult(
            code="11010010000000" + wrong, valid=False, legacy=True,
            errors=(f"旧版15位工商注册号第15位校验位应为'4'，实际为'{wrong}'",), entity_type=None)


def _mod_11_10_check(body: str) -> str:
    """ISO 7064 MOD 11,10 written out from the standard, independently of domain/uscc.py."""
    p = 10
    for d in body:
        s = (p + int(d)) % 10
        s = 10 if s == 0 else s
        p = (2 * s) % 11
    return str((11 - p) % 10)


@pytest.mark.parametrize("body", ["11010010000000", "44030110987654", "42112600000000", "99999999999999",
                                  "00000000000000", "12345678901234", "35020319990101"])
def test_legacy_check_digit_agrees_with_the_standard(body):
    from domain.uscc import validate
    check = _mod_11_10_check(body)
    assert validate(body + check).valid and validate(body + check).legacy
    assert not validate(body + str((int(check) + 1) % 10)).valid


def test_invalid_length_result_is_exact():
    from domain.uscc import validate
    assert validate("ABC") == UsccResult(code="ABC", valid=False, legacy=False, errors=("长度应为18位，实际为3位",),
                                         entity_type=None)
    assert validate(" ") == UsccResult(code="", valid=False, legacy=False, errors=("统一社会信用代码不能为空",),
                                       entity_type=None)


def test_full_width_folding_boundaries():
    from domain.uscc import normalize
    assert normalize("\uff01\uff5e") == "!~"          # the first and last full-width ASCII characters fold
    assert normalize("\uff00\uff5f") == "\uff00\uff5f"  # their neighbours do not
    assert normalize("９１３１０１１５ＭＡ１Ｋ３ＣＵＭ７Ｍ") == "91310115MA1K3CUM7M"


def test_legacy_check_digit_zero_is_named_as_zero():
    from domain.uscc import validate
    # MOD 11,10 gives (11 - 1) % 10 = 0 when the carried product is 1 (never "10").
    assert validate("000000000000030").valid
    assert validate("000000000000031").errors == ("旧版15位工商注册号第15位校验位应为'0'，实际为'1'",)


def test_check_character_and_make_code_errors_are_exact():
    from domain.uscc import make_code
    with pytest.raises(ValueError, match=r"^expected 17 characters, got 3$"):
        check_character("ABC")
    with pytest.raises(ValueError, match=r"^character 'I' at position 1 is not in the USCC alphabet$"):
        check_character("I" + "0" * 16)
    with pytest.raises(ValueError, match=r"^character 'I' at position 2 is not in the USCC alphabet$"):
        check_character("0I" + "0" * 15)
    with pytest.raises(ValueError, match=r"^parts must be 1 \+ 1 \+ 6 \+ 9 characters long$"):
        make_code("9", "1", "12345", "MA1K3CUM")
    with pytest.raises(ValueError) as info:
        make_code("X", "1", "ABCDEF", "MA1K3CUM7")
    assert str(info.value) == "第1位登记管理部门代码'X'无效（应为 1-9、A、N、Y 之一）；第3-8位行政区划码必须为数字"
