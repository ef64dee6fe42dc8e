"""The double-random draw, version 3 ("hmac-sha256-ctr/v3"): verifiable by anyone, disclosing nothing.

docs/draw-algorithm.md (part II) is the specification; this module is its reference implementation,
standard library only, so `python domain/draw.py FILE` can run it next to domain/draw.py.

Why a new version: v2 publishes the candidate lists (every USCC with its credit class) so that anyone
can recompute the draw, and its seed is chosen by the platform alone. v3 keeps the selection
recomputable from public data without naming anyone:
- each candidate gets a secret 16-byte salt; its *leaf* is SHA-256 over the salt and its USCC. A class's
  list is its leaves in ascending order, and the commitment publishes per class only the count and a
  Merkle root. Positions in that order say nothing about who is there (the order is the salts').
- the seed is not the platform's: it is HMAC-SHA256 keyed with the commitment over a public value that
  did not exist when the commitment was fixed (the official lottery result of a named later date).
- the public recomputes *positions* per class; the auditor, holding the salts, maps positions to USCCs,
  checks the lists against the roots and recomputes the officers as in v2.
The random stream, sample sizes and the officer/expert matching are v2's functions, reused unchanged.
"""
import hashlib
import hmac

try:  # inside the application
    from domain import draw as v2
except ImportError:  # run as a standalone verifier next to draw.py
    import draw as v2

ALGORITHM = "hmac-sha256-ctr/v3"
PUBLIC_FORMAT = "yiye-yicha-draw-public/3"
FULL_FORMAT = "yiye-yicha-draw-full/3"
DrawInfeasible = v2.DrawInfeasible
_EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


def leaf(uscc: str, salt: bytes) -> str:
    """SHA-256("yiye-leaf" 0x00 ‖ salt ‖ ASCII(USCC)), lowercase hex."""
    return hashlib.sha256(b"yiye-leaf\x00" + salt + uscc.encode("ascii")).hexdigest()


def ordered(entries: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """A class's entries in list order: ascending by leaf (so a position reveals nothing about identity)."""
    return sorted(entries, key=lambda e: leaf(*e))


def merkle_root(leaves: list[str]) -> str:
    """Pairwise SHA-256(0x01 ‖ left ‖ right) up to one node; an odd last node moves up unchanged."""
    if not leaves:
        return _EMPTY_ROOT
    level = [bytes.fromhex(x) for x in leaves]
    while len(level) > 1:
        level = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
    return level[0].hex()


def inclusion_proof(leaves: list[str], index: int) -> list[list]:
    """The sibling path of one leaf: [[side, hash], …] bottom up; side "L" when the sibling is on the left."""
    level, proof = [bytes.fromhex(x) for x in leaves], []
    while len(level) > 1:
        sibling = index ^ 1
        if sibling < len(level):
            proof.append(["L" if sibling < index else "R", level[sibling].hex()])
        level = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
        index //= 2
    return proof


def verify_inclusion(leaf_hex: str, proof: list[list], root: str) -> bool:
    node = bytes.fromhex(leaf_hex)
    for side, sibling in proof:
        pair = bytes.fromhex(sibling) + node if side == "L" else node + bytes.fromhex(sibling)
        node = hashlib.sha256(b"\x01" + pair).digest()
    return node.hex() == root


def class_lists(candidates: dict[str, list[tuple[str, bytes]]]) -> dict[str, list[tuple[str, bytes]]]:
    return {c: ordered(v) for c, v in sorted(candidates.items())}


def people_digest(people: dict, salt: bytes) -> str:
    """Salted, so that a guess of the officer lists and exclusions cannot be confirmed from the public digest."""
    return hashlib.sha256(salt + v2.canonical_json(people)).hexdigest()


def commitment_document(params: dict, lists: dict[str, list[tuple[str, bytes]]], people: dict,
                        people_salt: bytes, beacon: dict, contributions: dict | None = None) -> dict:
    """`lists` in list order (see `class_lists`); `beacon`: {"source": text, "date": "YYYY-MM-DD"};
    `contributions` (when departments committed any): {"campaign": code, "departments": [{"department_id",
    "sha256"}, …]} ascending by department id. A document without it is a draw made before contributions."""
    document = {"algorithm": ALGORITHM, "params": params,
                "classes": {c: {"count": len(v), "merkle_root": merkle_root([leaf(*e) for e in v])}
                            for c, v in sorted(lists.items())},
                "people_sha256": people_digest(people, people_salt), "beacon": beacon}
    if contributions and contributions.get("departments"):
        document["contributions"] = contributions
    return document


def contribution_hash(campaign_code: str, department_id: int, value: str) -> str:
    """What a department commits at report-in: SHA-256("yiye-contribution" 0x00 ‖ campaign code 0x00 ‖
    department id (decimal) 0x00 ‖ UTF-8(value)), lowercase hex. The campaign and department are inside, so
    a commitment cannot be copied from another department or replayed from another campaign."""
    message = "\x00".join(("yiye-contribution", campaign_code, str(int(department_id)), value))
    return hashlib.sha256(message.encode("utf-8")).hexdigest()


def normalise_beacon(value: str) -> str:
    """The public value as entered, trimmed, inner whitespace runs as one space."""
    return " ".join(value.split())


def derive_seed(commitment_sha256: str, beacon_value: str, contributions: dict | None = None) -> bytes:
    """HMAC-SHA256(key = the 32 commitment bytes, message = "beacon:" ‖ UTF-8(normalised value) ‖, for each
    revealed department contribution in ascending department id, 0x00 ‖ "contribution:" ‖ id ‖ ":" ‖
    UTF-8(value)). Without contributions the message is the original v3 one, so older draws verify unchanged."""
    message = b"beacon:" + normalise_beacon(beacon_value).encode("utf-8")
    for department_id, value in sorted((int(k), v) for k, v in (contributions or {}).items()):
        message += f"\x00contribution:{department_id}:{value}".encode("utf-8")
    return hmac.digest(bytes.fromhex(commitment_sha256), message, "sha256")


def check_contributions(document: dict, revealed: dict | None) -> list[str]:
    """Every revealed value is one a department committed to in the document, and hashes to it."""
    bound = document.get("contributions") or {}
    committed = {int(d["department_id"]): d["sha256"] for d in bound.get("departments", [])}
    problems = []
    for key, value in (revealed or {}).items():
        department_id = int(key)
        if department_id not in committed:
            problems.append(f"部门 {department_id} 的随机贡献值不在承诺中")
        elif contribution_hash(bound.get("campaign", ""), department_id, value) != committed[department_id]:
            problems.append(f"部门 {department_id} 揭示的随机贡献值与其承诺不符")
    return problems


def positions(document: dict, seed: bytes) -> dict[str, list[int]]:
    """Per class (ascending label), the drawn positions in draw order: v2's partial Fisher–Yates over
    `count` positions with the stream "enterprise:<class>". Needs only public data."""
    params, drawn = document["params"], {}
    for label in sorted(document["classes"]):
        n = document["classes"][label]["count"]
        k = v2.sample_size(n, params["ratios"].get(label, 0), params.get("min_per_class", 1))
        drawn[label] = v2._partial_shuffle(n, k, v2.RandomStream(seed, f"enterprise:{label}"))
    return drawn


def run(document: dict, lists: dict[str, list[tuple[str, bytes]]], people: dict, seed: bytes) -> dict:
    """The whole draw: positions, the USCCs there, then officers and experts exactly as v2 matches them."""
    picked = positions(document, seed)
    order = [(c, p, lists[c][p][0]) for c in sorted(picked) for p in picked[c]]
    if not order:
        raise DrawInfeasible(["抽查范围内没有可抽取的经营主体（请核对行业、区域和排除条件）"])
    params, usccs = document["params"], [u for _, _, u in order]
    departments = {int(d): list(p) for d, p in people["departments"].items()}
    names = {int(d): n for d, n in people.get("department_names", {}).items()}
    teams = v2.match_officers(usccs, departments, params["lead_department_id"], seed, params.get("min_officers", 2),
                              people.get("excluded_officers", {}), names, params.get("officers_per_department", 1))
    experts = v2.match_experts(usccs, people.get("experts", []), params.get("experts_per_enterprise", 0), seed,
                               people.get("excluded_experts", {}))
    return {"enterprises": [{"class": c, "position": p, "uscc": u,
                             "officers": [list(pick) for pick in teams[u]],
                             "experts": experts[u]} for c, p, u in order]}


def check_commitment(export: dict) -> list[str]:
    commitment = export.get("commitment") or {}
    document = commitment.get("document") or {}
    if document.get("algorithm") != ALGORITHM:
        return [f"算法版本 {document.get('algorithm')} 与本校验程序 {ALGORITHM} 不同"]
    if v2.commitment(document) != commitment.get("sha256"):
        return ["承诺值与承诺内容不符"]
    return []


def verify_public(export: dict) -> list[str]:
    """From public data alone: the commitment hashes to its value, the seed is the one the commitment and the
    public value give, and the published positions are the ones that seed selects. Empty list: match."""
    problems = check_commitment(export)
    if problems:
        return problems
    if not export.get("beacon_value"):
        if export.get("status") == "failed":
            return []  # failed before any seed existed (too few officers): there is nothing random to recompute
        return ["公开随机值尚未录入，只核对了承诺（public value not entered yet: only the commitment was checked）"]
    problems = check_contributions(export["commitment"]["document"], export.get("contributions"))
    if problems:
        return problems
    seed = derive_seed(export["commitment"]["sha256"], export["beacon_value"], export.get("contributions"))
    if export.get("seed") != seed.hex():
        return ["种子与承诺和公开随机值不符"]
    recomputed = positions(export["commitment"]["document"], seed)
    if export.get("positions") is None:
        return [] if export.get("status") == "failed" else ["公布数据缺少抽中位置"]
    if recomputed != export["positions"]:
        return ["重算的抽中位置与公布的不一致"]
    return []


def verify_full(export: dict) -> list[str]:
    """With the salts and people (auditors only): the lists and people are the committed ones, and the whole
    draw, officers and experts included, recomputes to the recorded result."""
    problems = verify_public(export)
    if problems:
        return problems
    document = export["commitment"]["document"]
    lists = {c: [(u, bytes.fromhex(s)) for u, s in v] for c, v in export["candidates"].items()}
    if set(lists) != set(document["classes"]):
        problems.append("候选名单的类别与承诺不符")
    for label, entries in sorted(lists.items()):
        committed = document["classes"].get(label, {})
        leaves = [leaf(*e) for e in entries]
        if leaves != sorted(leaves) or len(leaves) != committed.get("count") \
                or merkle_root(leaves) != committed.get("merkle_root"):
            problems.append(f"{label} 类候选名单与承诺不符")
    if people_digest(export["people"], bytes.fromhex(export["people_salt"])) != document["people_sha256"]:
        problems.append("人员名单与承诺不符")
    if problems:
        return problems
    try:
        recomputed = run(document, lists, export["people"], bytes.fromhex(export["seed"]))
    except DrawInfeasible as exc:
        return [] if export["result"] is None else [f"重算时规则无法满足：{exc}"]
    if export["result"] is None:
        return ["公布为抽取失败，但重算可以完成抽取"]
    if recomputed != export["result"]:
        problems.append("重算的抽取结果与记录的抽取结果不一致")
    return problems


def verify(export: dict) -> list[str]:
    """Dispatch on the export's format: full (auditor) or public."""
    return verify_full(export) if export.get("format") == FULL_FORMAT else verify_public(export)


def verify_any(export: dict) -> list[str]:
    """Dispatch on the algorithm version the export names: v3 here, v2 in draw.py (public or full export)."""
    document = (export.get("commitment") or {}).get("document") or {}
    if (export.get("algorithm") or document.get("algorithm")) == "hmac-sha256-ctr/v3":
        return verify(export)
    if export.get("format") == "yiye-yicha-draw-public/2":
        return ["v2 抽取的公开数据不含候选名单，无法独立重算；完整数据由纪检监察（审计）人员核验"
                "（a v2 public export carries no lists: ask an auditor to verify the full export）"]
    return v2.verify(export)
