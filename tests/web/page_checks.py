"""What a person must never read on a page: a Python or JSON repr, an untranslated marshmallow message, an audit
code or `<model> #<id>`, an English sentence on a Chinese page. Used by the crawler and the page tests."""
import re

import lxml.html

# Audit codes are "<topic>.<verb>" with these topics (services' audit.record calls).
AUDIT_TOPICS = ("auth", "calendar", "campaign", "case", "catalogue", "credit_commitment", "decision", "diagnosis",
                "directory", "draw", "evidence", "follow_up", "inspection", "notification", "plan", "process",
                "publication", "referral", "review", "service_record", "sla", "task", "transfer")
AUDIT_CODE = re.compile(r"(?<![\w./-])(?:%s)\.[a-z]+(?:_[a-z]+)*(?![\w/-])" % "|".join(AUDIT_TOPICS))
MODEL_ID = re.compile(r"\b(?:[a-z]+_[a-z_]+|campaign|inspection|referral|transfer|evidence|notification) #\d+\b")  # a table name and a row id
PY_REPR = re.compile(r"\{'[^']*': |\[\{'|\['[^']*'(?:, '[^']*')*\]|<[A-Z]\w+ (?:object )?at 0x|"
                     r"\b(?:datetime\.(?:datetime|date)|Decimal)\(|\bTraceback \(most recent call last\)")
JSON_BLOB = re.compile(r'\{\s*"[^"]+"\s*:|\[\s*\{\s*"')
MARSHMALLOW = re.compile(r"Field may not be null|Missing data for required field|Not a valid \w+|Length must be|"
                         r"Must be one of|Unknown field|Must be greater|Must be less|Shorter than minimum|"
                         r"Longer than maximum|Invalid input type")
# Three or more English words in a row: a sentence, not a proper name or a unit ("PDF", "USCC", "English").
ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z']+(?:[ ,;:]+[A-Za-z][a-z']+){2,}\b")
# Runs of words that are not English sentences: product and file names people use as they are.
ALLOWED_ENGLISH = ("Mozilla", "bpmn-js", "SpiffWorkflow", "Camunda")


def visible_text(html: str) -> str:
    """The text a person reads: no script, style, template or hidden elements; alt/aria texts are not included."""
    doc = lxml.html.fromstring(html)
    for bad in doc.xpath("//script|//style|//template|//noscript|//*[@hidden]|//*[@aria-hidden='true']"):
        bad.drop_tree()
    return " ".join(doc.text_content().split())


def problems(html: str, zh: bool) -> list[str]:
    text = visible_text(html)
    found = []
    for name, pattern in (("audit code", AUDIT_CODE), ("<model> #<id>", MODEL_ID), ("Python repr", PY_REPR),
                          ("JSON", JSON_BLOB), ("marshmallow message", MARSHMALLOW)):
        match = pattern.search(text)
        if match:
            found.append(f"{name}: {text[max(match.start() - 40, 0):match.end() + 40]!r}")
    if zh:  # on an English page "None" is a word ("Signatures: None yet"); on a Chinese one it is a leaked repr
        match = re.search(r"\bNone\b|\bTrue\b|\bFalse\b", text)
        if match:
            found.append(f"Python value: {text[max(match.start() - 40, 0):match.end() + 40]!r}")
        for match in ENGLISH_RUN.finditer(text):
            if not any(word in match.group(0) for word in ALLOWED_ENGLISH):
                found.append(f"English on a zh page: {text[max(match.start() - 40, 0):match.end() + 40]!r}")
                break
    return found
