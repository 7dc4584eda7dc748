"""Matching the debtor an SME types against the jurisdiction's units ("台怀镇政府" → "台怀镇人民政府")."""

from __future__ import annotations

import re

# Variants that name the same kind of body; normalising them first lets character overlap do the rest.
_REPLACEMENTS = (
    ("人民政府", "政府"),
    ("办事处", "政府"),
    ("委员会", "委"),
    ("有限责任公司", "公司"),
    ("有限公司", "公司"),
    ("乡", "镇"),
)
_NOISE = re.compile(r"[\s\u3000·•,，。.、()（）《》\"'“”‘’\-—]+")


def normalize(name: str) -> str:
    text = _NOISE.sub("", name or "")
    for old, new in _REPLACEMENTS:
        text = text.replace(old, new)
    return text


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def score(query: str, candidate: str) -> float:
    """0..1: exact normalised match 1; else a blend of bigram Dice and character coverage of the query."""
    q, c = normalize(query), normalize(candidate)
    if not q or not c:
        return 0.0
    if q == c:
        return 1.0
    qb, cb = _bigrams(q), _bigrams(c)
    dice = 2 * len(qb & cb) / (len(qb) + len(cb))
    chars = set(q)
    coverage = len(chars & set(c)) / len(chars)
    contained = 0.15 if q in c or c in q else 0.0
    return min(0.99, 0.5 * dice + 0.35 * coverage + contained)


def suggest(query: str, units: list[tuple[int, str]], limit: int = 5, threshold: float = 0.45) -> list:
    """The best ``(id, name, score)`` matches among ``units`` (pairs of id and name), best first."""
    scored = [(uid, name, score(query, name)) for uid, name in units]
    scored = [row for row in scored if row[2] >= threshold]
    scored.sort(key=lambda row: (-row[2], len(row[1])))
    return scored[:limit]
