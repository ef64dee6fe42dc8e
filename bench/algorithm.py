"""The draw algorithm alone (domain/draw.py) on a million synthetic USCCs."""
import random

from domain import draw
from domain.uscc import check_character

from bench import harness

RATIOS = {"A": 3.0, "B": 5.0, "C": 20.0, "D": 60.0}
SEED = b"bench-seed-0123456789abcdef"


def synthetic_candidates(total: int = 1_000_000) -> dict[str, list[str]]:
    """Valid 18-character codes (enterprises, one county), dealt at random into four equal classes."""
    rng = random.Random(7)
    codes = [_code(i) for i in range(total)]
    rng.shuffle(codes)
    quarter = total // 4
    return {c: codes[i * quarter:(i + 1) * quarter] for i, c in enumerate("ABCD")}


def _code(serial: int) -> str:
    first17 = f"91421126{serial:09d}"
    return first17 + check_character(first17)


def officers(departments: int = 10, per_department: int = 50) -> dict[int, list[int]]:
    return {d: [d * 1000 + k for k in range(per_department)] for d in range(1, departments + 1)}


def seconds(repeats: int = 3) -> dict[str, float]:
    candidates = synthetic_candidates()
    drawn = draw.draw_enterprises(candidates, RATIOS, SEED)
    enterprises = [u for c in sorted(drawn) for u in drawn[c]][:5000]
    staff = officers()
    return {
        "draw": harness.median_of(lambda: draw.draw_enterprises(candidates, RATIOS, SEED), repeats),
        "match": harness.median_of(lambda: draw.match_officers(enterprises, staff, 1, SEED), repeats),
    }
