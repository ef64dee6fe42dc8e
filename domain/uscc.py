"""Unified Social Credit Code (统一社会信用代码) validation per GB 32100-2015.

Also recognises the legacy 15-digit business registration number (工商注册号,
GS 15-2006 / GB 12113 check digit) that pre-2016 licences still carry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# GB 32100-2015 table 1: I, O, S, V, Z are excluded to avoid confusion with 1, 0, 5, U, 2.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
FORBIDDEN = "IOSVZ"
# W_i = 3^(i-1) mod 31, listed explicitly so the table can be checked against the standard.
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

CODE_LENGTH = 18
LEGACY_LENGTH = 15

# Position 1: the registering authority (登记管理部门).
AUTHORITIES = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商/市场监管",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

# Position 2 only has a fixed meaning per authority; market regulation (9) is what we handle.
ENTITY_TYPES = {
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
}

_INDEX = {char: value for value, char in enumerate(ALPHABET)}
_WHITESPACE = re.compile(r"\s+")  # \s covers U+3000 ideographic space too.
_FULLWIDTH_OFFSET = 0xFEE0


@dataclass(frozen=True)
class UsccResult:
    code: str
    valid: bool
    legacy: bool
    errors: tuple[str, ...]
    entity_type: str | None


def normalize(raw: str) -> str:
    """Remove all whitespace, fold full-width ASCII to half-width, upper-case.

    Codes are often pasted from PDFs or typed with a Chinese IME, which yields
    full-width letters and stray spaces that are not real data errors.
    """
    half_width = "".join(_to_half_width(char) for char in raw)
    return _WHITESPACE.sub("", half_width).upper()


def _to_half_width(char: str) -> str:
    code_point = ord(char)
    if 0xFF01 <= code_point <= 0xFF5E:
        return chr(code_point - _FULLWIDTH_OFFSET)
    return char


def check_character(first17: str) -> str:
    """Compute the 18th (check) character for the first 17 characters."""
    if len(first17) != CODE_LENGTH - 1:
        raise ValueError(f"expected 17 characters, got {len(first17)}")
    total = 0
    for position, (char, weight) in enumerate(zip(first17, WEIGHTS), start=1):
        if char not in _INDEX:
            raise ValueError(f"character {char!r} at position {position} is not in the USCC alphabet")
        total += _INDEX[char] * weight
    return ALPHABET[(31 - total % 31) % 31]


def validate(raw: str) -> UsccResult:
    """Validate a USCC (or legacy registration number) and list every problem found."""
    code = normalize(raw)
    if len(code) == LEGACY_LENGTH and code.isascii() and code.isdigit():
        return _validate_legacy(code)
    if len(code) != CODE_LENGTH:
        return _invalid(code, (_length_error(code),))
    errors = _uscc_errors(code)
    return UsccResult(
        code=code,
        valid=not errors,
        legacy=False,
        errors=tuple(errors),
        entity_type=entity_type_label(code[0], code[1]),
    )


def is_valid(raw: str) -> bool:
    return validate(raw).valid


def entity_type_label(authority: str, entity_type: str) -> str | None:
    return ENTITY_TYPES.get(authority, {}).get(entity_type)


def make_code(authority: str, entity_type: str, division: str, org9: str) -> str:
    """Build a valid 18-character code; raises ValueError if the parts are malformed."""
    first17 = normalize(authority + entity_type + division + org9)
    if len(first17) != CODE_LENGTH - 1:
        raise ValueError("parts must be 1 + 1 + 6 + 9 characters long")
    code = first17 + check_character(first17)
    result = validate(code)
    if not result.valid:
        raise ValueError("；".join(result.errors))
    return code


def _invalid(code: str, errors: tuple[str, ...]) -> UsccResult:
    return UsccResult(code=code, valid=False, legacy=False, errors=errors, entity_type=None)


def _length_error(code: str) -> str:
    if not code:
        return "统一社会信用代码不能为空"
    return f"长度应为{CODE_LENGTH}位，实际为{len(code)}位"


def _uscc_errors(code: str) -> list[str]:
    errors = _character_errors(code)
    errors += _authority_errors(code[0])
    errors += _division_errors(code[2:8])
    errors += _check_errors(code)
    return errors


def _character_errors(code: str) -> list[str]:
    errors = []
    for position, char in enumerate(code, start=1):
        if char in FORBIDDEN:
            errors.append(f"第{position}位字符'{char}'不是合法字符（不允许 I、O、S、V、Z）")
        elif char not in _INDEX:
            errors.append(f"第{position}位字符'{char}'不是合法字符（只允许数字和除 I、O、S、V、Z 外的大写字母）")
    return errors


def _authority_errors(authority: str) -> list[str]:
    # An illegal character was already reported; repeating it as an authority error adds noise.
    if authority not in _INDEX or authority in AUTHORITIES:
        return []
    return [f"第1位登记管理部门代码'{authority}'无效（应为 1-9、A、N、Y 之一）"]


def _division_errors(division: str) -> list[str]:
    if division.isascii() and division.isdigit():
        return []
    return ["第3-8位行政区划码必须为数字"]


def _check_errors(code: str) -> list[str]:
    first17, actual = code[:17], code[17]
    # Without a clean body the expected check character is undefined.
    if any(char not in _INDEX for char in first17):
        return []
    expected = check_character(first17)
    if actual == expected:
        return []
    return [f"第18位校验码应为'{expected}'，实际为'{actual}'"]


def _validate_legacy(code: str) -> UsccResult:
    errors: tuple[str, ...] = ()
    if not _legacy_check_ok(code):
        expected = _legacy_check_digit(code[:14])
        errors = (f"旧版15位工商注册号第15位校验位应为'{expected}'，实际为'{code[14]}'",)
    return UsccResult(code=code, valid=not errors, legacy=True, errors=errors, entity_type=None)


def _legacy_product(digits: str) -> int:
    """Run ISO 7064 MOD 11,10 (GB 12113) over digits and return the carried product."""
    product = 10
    for digit in digits:
        total = (product + int(digit)) % 10 or 10
        product = (total * 2) % 11
    return product


def _legacy_check_digit(body14: str) -> str:
    return str((11 - _legacy_product(body14)) % 10)


def _legacy_check_ok(code: str) -> bool:
    # MOD 11,10 accepts the number when the final running sum is 1.
    return (_legacy_product(code[:14]) + int(code[14])) % 10 == 1
