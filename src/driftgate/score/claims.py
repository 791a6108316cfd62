"""Which facts in an output sentence the context never mentions.

An embedding scores a sentence that swaps "14:30" for "14:45" or one name for another
almost as high as the original, so grounding also checks the sentence's specifics
literally: numbers (versions, times, dates, amounts, quantities, counted words like
"two") and names (capitalised words inside a sentence) must appear in the context; other
content words that appear nowhere in it (after a crude 5-letter stem) are counted as
novel wording. A sentence whose words occur in the context in the same order, word for
word, is a verbatim quote: the embedding under-rates a clause quoted out of a long
sentence (cosines down to 0.48 on news summaries), so grounding treats it as supported.
Deliberately lexical and explainable: each flag names the word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

STEM = 5  # "criticised" ~ "criticism", "deployed" ~ "deployment"
NUMBER_WORDS = {
    "zero": "0", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100",
    "thousand": "1000", "million": "1000000", "billion": "1000000000",
}  # fmt: skip
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    either else ever few for from further had has have having he her here hers him his how
    however i if in into is it its itself just may me might more most must my no nor not now
    of off on once only or other our ours out over own per same shall she should so some
    such than that the their theirs them then there these they this those through thus to
    too under until up upon us very was we were what when where whether which while who
    whom whose why will with within without would yet you your yours said says say new one
    ones""".split()  # noqa: SIM905 (a word list reads better as text)
)
CALENDAR = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december""".split()  # noqa: SIM905
)
_TOKEN = re.compile(r"[a-z0-9]+(?:[.,:/][0-9]+)*")
_NAME = re.compile(r"(?<![\w'’-])([A-Z][A-Za-z]*(?:['’][a-z]+)?)")
_NEXT_CAPITAL = re.compile(r"\s+[A-Z]")
_MIXED_CASE = re.compile(r"\b[A-Za-z]*[a-z][A-Z][A-Za-z]*\b")  # iOS, OpenSearch, macOS
_SPLIT_GROUP = re.compile(r"(\d)\s*([,.])\s+(\d)")  # "3, 700" / "7. 8" as some texts split them
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")


@dataclass(frozen=True)
class ClaimCheck:
    missing: tuple[str, ...]  # numbers and names the context does not contain
    novel_words: tuple[str, ...]  # other content words found nowhere in the context
    verbatim: bool = False  # the sentence's words occur in the context, in order, word for word
    content: tuple[str, ...] = ()  # the sentence's content words (not numbers or stopwords)


def _normalise(text: str) -> str:
    text = _SPLIT_GROUP.sub(r"\1\2\3", text.lower())
    return _THOUSANDS.sub("", text)


def _tokens(text: str) -> list[str]:
    tokens = []
    for token in _TOKEN.findall(_normalise(text)):
        if token[0] == "v" and token[1:2].isdigit():
            token = token[1:]  # v2.3 → 2.3
        tokens.append(NUMBER_WORDS.get(token, token))
    return tokens


def _is_number(token: str) -> bool:
    return token[0].isdigit()


def stem(token: str) -> str:
    """A crude stem: a plural's `s` off, then the first 5 letters ("deployed" ~ "deployment").
    Roots under 5 letters miss their inflections (`fail`/`failed`, `ship`/`shipped`)."""
    if len(token) > 3 and token.endswith("s"):
        token = token[:-1]
    return token[:STEM]


@lru_cache(maxsize=256)
def _index(context: str) -> tuple[frozenset[str], frozenset[str], str]:
    """The context's exact tokens, 5-letter stems and token text, once per distinct context."""
    tokens = _tokens(context)
    stems = frozenset(stem(t) for t in tokens if not _is_number(t))
    return frozenset(tokens), stems, f" {' '.join(tokens)} "


def _names(sentence: str) -> list[str]:
    """Capitalised words inside a sentence (or opening "John Smith"): names, places, months."""
    names = []
    for match in _NAME.finditer(sentence):
        before = sentence[: match.start()].rstrip(" \"'“‘([")
        after = sentence[match.end() :]
        if (not before or before[-1] in ".!?:;") and not _NEXT_CAPITAL.match(after):
            continue  # a sentence start is capitalised for grammar, unless a name follows
        word = re.sub(r"['’]s$", "", match.group(1))
        if word.lower() not in STOPWORDS and len(word) > 1:
            names.append(word)
    return names


@lru_cache(maxsize=512)
def name_words(text: str) -> frozenset[str]:
    """The lower-cased words of the names of people, products and places in `text`:
    capitalised inside a sentence ("Priya"), or inside the word ("iOS", "OpenSearch");
    not acronyms ("UTC", "ETL"), days or months."""
    names = [n for n in _names(text) if not n.isupper()] + _MIXED_CASE.findall(text)
    words = (p for name in names for p in _tokens(name))
    return frozenset(w for w in words if w not in CALENDAR)


def missing_names(sentence: str, context: str) -> list[str]:
    """Names in `sentence` the context never uses; an acronym ("SSO") also holds when the
    context spells it out ("single sign-on")."""
    exact, _, text = _index(context)
    initials = _initials(text)
    missing = []
    for name in _names(sentence):
        parts = _tokens(name)
        if all(p in exact for p in parts) or name in missing:
            continue
        if name.isupper() and len(name) > 1 and name.lower() in initials:
            continue
        missing.append(name)
    return missing


@lru_cache(maxsize=256)
def _initials(text: str) -> str:
    """First letters of the context's words, split at hyphens too: "single sign-on" → "sso"."""
    return "".join(w[0] for w in re.split(r"[\s-]+", text) if w and w[0].isalpha())


def displaced_words(content: tuple[str, ...], context: str, unit: str | None) -> tuple[str, ...]:
    """Content words the context uses, but not in `unit` (the sentence's best-supporting
    passage): a sentence that joins words from different parts of the context ("Hongjun
    lost his phone in China" when the article's Hongjun found it) reads as supported to an
    embedding. Words the context never uses are wording, not displacement: not counted.
    None for `unit` (the whole context matched best): nothing is displaced."""
    if unit is None:
        return ()
    _, stems, _ = _index(context)
    _, unit_stems, _ = _index(unit)
    return tuple(t for t in content if stem(t) in stems and stem(t) not in unit_stems)


def check_claims(sentence: str, context: str) -> ClaimCheck:
    exact, stems, text = _index(context)
    tokens = _tokens(sentence)
    verbatim = bool(tokens) and f" {' '.join(tokens)} " in text
    missing: list[str] = []
    for token in tokens:
        if _is_number(token) and token not in exact and token not in missing:
            missing.append(token)
    name_tokens = set()
    for name in _names(sentence):
        parts = _tokens(name)
        name_tokens.update(parts)
        if any(p not in exact for p in parts) and name not in missing:
            missing.append(name)
    novel: list[str] = []
    content = []
    for token in tokens:
        if _is_number(token) or token in STOPWORDS or len(token) < 3:
            continue
        content.append(token)
        if token in name_tokens:
            continue
        if stem(token) not in stems and token not in novel:
            novel.append(token)
    return ClaimCheck(tuple(missing), tuple(novel), verbatim, tuple(content))
