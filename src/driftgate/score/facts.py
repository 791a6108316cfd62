"""The specifics of a sentence (numbers, dates, times, amounts, versions, durations,
names), normalised so a change of wording is not a change of fact.

An embedding scores "14:45" for "14:30", or one name for another, almost as high as the
original, so grounding checks specifics literally; but literally on their meaning, not
their spelling: `14:30` = `2:30 pm`, `$49` = `49 dollars`, `3 of 8` = `three of the
eight`, `two weeks` = `14 days`, `March 1` = `1 March`, `SSO` = `single sign-on`.
Each fact carries alternative keys (a value, a date, minutes since midnight, seconds); an
answer's fact holds when any key of it is among the context's keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")],
        start=1,
    )
    for name in names
}  # fmt: skip
NUMBER_WORDS = {
    "zero": 0,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "dozen": 12,
}  # fmt: skip  "one" is left out: it is far more often a pronoun than a count
SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
SECONDS = {
    "ms": 0.001, "millisecond": 0.001, "s": 1, "sec": 1, "second": 1, "min": 60,
    "minute": 60, "h": 3600, "hr": 3600, "hour": 3600, "day": 86400, "week": 604800,
    "month": 2592000, "year": 31536000,
}  # fmt: skip
CURRENCY = r"(?:\$|€|£|usd\s?|eur\s?)"
_NUM = r"\d+(?:\.\d+)*"
_WORD_NUM = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + "|half"
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_UNIT = "|".join(
    ["milliseconds?", "ms", "seconds?", "secs?", "s", "minutes?", "mins?", "hours?", "hrs?",
     "h", "days?", "weeks?", "months?", "years?"]
)  # fmt: skip
FACT = re.compile(
    rf"""
    (?P<iso>\b(?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}})\b)
  | (?P<md>\b(?P<mdm>{_MONTH})\.?\s+(?P<mdd>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<mdy>\d{{4}}))?)
  | (?P<dm>\b(?P<dmd>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<dmm>{_MONTH})\b\.?
       (?:,?\s+(?P<dmy>\d{{4}}))?)
  | (?P<clock>\b(?P<ch>\d{{1,2}}):(?P<cm>\d{{2}})(?:\s*(?P<cap>a\.?m\.?|p\.?m\.?)(?![a-z]))?)
  | (?P<hour>\b(?P<hh>\d{{1,2}})\s*(?P<hap>a\.?m\.?|p\.?m\.?)(?![a-z]))
  | (?P<qty>(?P<cur>{CURRENCY})?(?<![\w.])(?P<n>{_NUM}|{_WORD_NUM})
       (?:\s*(?P<scale>k|m|bn|thousand|million|billion)\b|(?!\w|\.\d))
       (?:\s*(?P<pct>%|percent\b|per\scent\b))?
       (?:\s*(?P<unit>{_UNIT})\b)?
       (?:\s*(?P<dollars>dollars?|euros?|usd|eur)\b)?)
    """,
    re.VERBOSE,
)
_VERSION_V = re.compile(r"\bv(?=\d)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_SPLIT_GROUP = re.compile(r"(\d)\s*([,.])\s+(\d)")  # "3, 700" as some texts tokenise it


@dataclass(frozen=True)
class Fact:
    text: str  # as written, for the reason a reviewer reads
    kind: str  # number, amount, percent, time, date, version, duration
    keys: frozenset[str]  # any one found in the context supports it


def _hm(hour: int, minute: int, ampm: str | None) -> list[int]:
    if ampm:
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
        return [hour * 60 + minute]
    if hour <= 12:  # "3:10" alone may be either
        return [hour * 60 + minute, (hour % 12 + 12) * 60 + minute]
    return [hour * 60 + minute]


def _value(text: str) -> float | None:
    if text == "half":
        return 50.0
    if text in NUMBER_WORDS:
        return float(NUMBER_WORDS[text])
    try:
        return float(text)
    except ValueError:
        return None  # a version such as 4.1.2


def _num_key(value: float) -> str:
    return "n:" + f"{value:.6f}".rstrip("0").rstrip(".")


def _qty(m: re.Match) -> Fact | None:
    raw = m.group("n")
    value = _value(raw)
    keys = set()
    if value is None:
        kind = "version"
        keys.add(f"v:{raw}")
    else:
        scale = SCALES.get(m.group("scale") or "", 1.0)
        value *= scale
        kind = "number"
        if not (raw.count(".") == 1 and raw.endswith("0")):  # 3.10 is a version
            keys.add(_num_key(value))
        if raw == "half":
            keys.add(_num_key(0.5))
        if raw.count(".") == 1 and value == int(value) and scale == 1.0:
            keys.add(f"v:{int(value)}")
        if "." in raw and scale == 1.0:
            keys.add(f"v:{raw}")  # "3.10" is not "3.1" when it is a version
        if m.group("cur") or m.group("dollars"):
            kind = "amount"
        elif m.group("pct"):
            kind = "percent"
        unit = _unit(m.group("unit"))
        if unit:
            kind = "duration"
            keys.add("s" + _num_key(value * SECONDS[unit])[1:])
    return Fact(m.group(0).strip(), kind, frozenset(keys))


def _unit(unit: str | None) -> str | None:
    if not unit:
        return None
    if unit not in SECONDS and unit.endswith("s") and unit[:-1] in SECONDS:
        unit = unit[:-1]
    return unit if unit in SECONDS else None


def _shown(m: re.Match) -> str:
    """The time as written, without the sentence's full stop ("4:30 pm." → "4:30 pm")."""
    return m.group(0).strip().rstrip(".")


def _date(month: str, day: str, year: str | None, text: str) -> Fact:
    keys = {f"d:{MONTHS[month]}-{int(day)}"}
    return Fact(text.strip().rstrip("."), "date", frozenset(keys))  # not the full stop


def extract(text: str) -> list[Fact]:
    """Every fact in `text`, in order; years of dates come out as numbers of their own."""
    text = _THOUSANDS.sub("", _SPLIT_GROUP.sub(r"\1\2\3", text.lower()))
    text = _VERSION_V.sub("", text)  # v2.3 → 2.3
    facts: list[Fact] = []
    for m in FACT.finditer(text):
        if m.group("iso"):
            month, day = int(m.group("im")), int(m.group("id"))
            facts.append(Fact(m.group(0), "date", frozenset({f"d:{month}-{day}"})))
            facts.append(Fact(m.group("iy"), "number", frozenset({f"n:{m.group('iy')}"})))
        elif m.group("md") or m.group("dm"):
            p = "md" if m.group("md") else "dm"
            month, day, year = m.group(p + "m"), m.group(p + "d"), m.group(p + "y")
            if int(day) > 31:
                continue
            facts.append(_date(month, day, year, m.group(0)))
            if year:
                facts.append(Fact(year, "number", frozenset({f"n:{year}"})))
        elif m.group("clock"):
            minutes = _hm(int(m.group("ch")), int(m.group("cm")), m.group("cap"))
            facts.append(Fact(_shown(m), "time", frozenset(f"t:{x}" for x in minutes)))
        elif m.group("hour"):
            minutes = _hm(int(m.group("hh")), 0, m.group("hap"))
            facts.append(Fact(_shown(m), "time", frozenset(f"t:{x}" for x in minutes)))
        else:
            fact = _qty(m)
            if fact is not None:
                facts.append(fact)
    return facts


@lru_cache(maxsize=256)
def context_keys(context: str) -> frozenset[str]:
    """Every key of every fact in the context, once per distinct context."""
    keys: set[str] = set()
    minutes: set[int] = set()
    for fact in extract(context):
        keys |= fact.keys
        if fact.kind == "time":  # "14:30" also reads as the numbers 14 and 30
            keys |= {f"n:{int(k[2:]) // 60}" for k in fact.keys}
            minutes |= {int(k[2:]) for k in fact.keys}
    # "between 10:05 and 10:40" supports "for 35 minutes": each gap between two times.
    for start in minutes:
        for end in minutes:
            if end > start:
                keys.add("s" + _num_key((end - start) * 60.0)[1:])
    return frozenset(keys)


@dataclass(frozen=True)
class MissingFact:
    fact: Fact
    instead: str | None  # what the context says in its place, when it says one thing


def missing_facts(sentence: str, context: str, near: str | None = None) -> list[MissingFact]:
    """The sentence's facts that no fact of the context supports; `near` (the best-
    supporting context sentence) is searched first for what the context says instead."""
    have = context_keys(context)
    missing = []
    for fact in extract(sentence):
        if fact.keys & have:
            continue
        missing.append(MissingFact(fact, _instead(fact, near, context)))
    return missing


def _instead(fact: Fact, near: str | None, context: str) -> str | None:
    for text in (near, context):
        if not text:
            continue
        same = list(dict.fromkeys(f.text for f in extract(text) if f.kind == fact.kind))
        if len(same) == 1:
            return same[0]
        if same:
            return None if text is context else ", ".join(same[:3])
    return None


def month_in_context(name: str, context: str) -> bool:
    """A month named alone ("February") holds when the context dates something in it."""
    month = MONTHS.get(name.lower())
    return month is not None and any(k.startswith(f"d:{month}-") for k in context_keys(context))
