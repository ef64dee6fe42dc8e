"""The kind of authority a transfer (移送) goes to, and what its name says about it.

The kind is chosen when the transfer is made (it decides 两法衔接 figures), but a name can contradict it: a
公安局 or 派出所 is a police authority, a 人民法院 or 人民检察院 a judicial one, whatever was picked. One rule for
every kind: a name that says police must be 公安机关, one that says court or procuratorate must be 司法机关,
and an "other administrative" authority must be neither. A name that says nothing (某某县应急管理局,
某某森林警察大队 says police) leaves the choice to the official.
"""
from __future__ import annotations

KINDS = {"public_security": "公安机关", "administrative": "其他行政机关", "judicial": "司法机关"}

# Name fragments → kind, police first ("公安" in a court's name does not occur; "法院" in a police name neither).
_NAME_HINTS = (
    ("public_security", ("公安", "派出所", "警察", "police")),
    ("judicial", ("检察院", "法院", "人民法庭", "procuratorate", "court")),
)


def kind_of_name(name: str) -> str | None:
    """The kind the authority's name says it is, or None when the name does not say."""
    lowered = (name or "").lower()
    for kind, fragments in _NAME_HINTS:
        if any(fragment in lowered for fragment in fragments):
            return kind
    return None


def name_conflict(name: str, chosen: str) -> str | None:
    """Why `chosen` cannot be the kind of an authority called `name` (zh-CN), or None when it can."""
    named = kind_of_name(name)
    if named is None or named == chosen or chosen not in KINDS:
        return None
    return f"接收机关「{name.strip()}」是{KINDS[named]}，接收机关类别应选“{KINDS[named]}”，不能选“{KINDS[chosen]}”"
