"""Does an answer clause say the opposite of the context clause it paraphrases?

Sentence embeddings barely move when a sentence is negated ("v2 is not compatible" vs
"v2 is compatible": cosine ~0.9), so grounding compares polarity literally: each clause of
an answer sentence is matched to the context clause sharing most of its content words,
then (1) the parity of their negations must agree (`not`, `no`, `never`, `without`,
`false`, `0`, and verbs that take away: `drops`, `removes`, `disables`), and (2) the answer
must not use one side of an antonym pair ("adds"/"removes", "increased"/"fell") where the
clause uses the other. Lexical on purpose: the reason names both words.

`check_cause` uses the same clauses: a cause ("because ...", "since ...", "due to ...")
whose content words the context mostly never uses is flagged, since an embedding scores
"failed because the disk filled up" close to "failed because the certificate expired".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from driftgate.redact import clipped
from driftgate.score.claims import STOPWORDS, name_words, stem

NEGATORS = frozenset(
    ["not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "without", "cannot"]
    + ["false", "0", "zero"]
)
# "did not change" says what "stayed flat" says: read both as "unchanged", no negation.
_UNCHANGED = re.compile(
    r"\b(?:not|no|never|n't)\s+(?:been\s+|be\s+)?(?:chang|affect|alter|modif|impact|differ)\w*"
)
# "switched off the service" takes away as "disabled the service" does.
_SWITCHED_OFF = re.compile(
    r"\b(?:switch|turn|shut)(?:s|es|ed|ing)?\s+(?:it\s+|them\s+)?(?:off|down)\b"
)
TAKE_AWAY = re.compile(r"(?:remov|delet|disabl|revok)\w*|drop(?:s|ped|ping)?|lacks?")
_V = r"(?:s|es|ed|d|ing)?"  # a verb's endings
ANTONYMS = [  # (one side, the other side): regular expressions over whole words
    (
        rf"add{_V}|introduc\w*|enabl\w*|includ\w*",
        rf"remov\w*|drop{_V}|dropped|delet\w*|disabl\w*|exclud\w*",
    ),
    (
        rf"keep{_V}|kept|retain{_V}|preserv\w*|remain{_V}",
        rf"eras\w*|delet\w*|wip(?:e|es|ed|ing)|purg\w*|discard{_V}",
    ),
    (rf"increas\w*|rais{_V}|rose|rise[sn]?|grew|grow(?:s|n|ing)?|went up|higher|climb{_V}|doubled",
     r"decreas\w*|reduc\w*|lower(?:ed)?|fell|fall(?:s|en)?|went down|fewer|shrank|halved"),
    (rf"pass{_V}|succeed{_V}|successful(?:ly)?|green", rf"fail{_V}|failure|broke(?:n)?"),
    (rf"accept{_V}|approv\w*|allow{_V}|grant{_V}|permit(?:s|ted)?",
     rf"reject{_V}|refus\w*|denied|den(?:y|ies)|block{_V}|forbid\w*|prohibit\w*"),
    (r"before|ahead|earlier|prior", r"after|later"),
    (rf"start{_V}|begin(?:s|ning)?|began", rf"stop(?:s|ped|ping)?|halt{_V}|paus{_V}"),
    (r"mandatory|required?|requires", r"optional"),
    (r"true", r"false"),
    (r"above|exceed\w*|more than", r"below|less than"),
    (r"online", r"offline"),
    (r"public(?:ly)?", r"private(?:ly)?"),
    (r"minimum|at least", r"maximum|at most|up to"),
]  # fmt: skip
_CLAUSE = re.compile(
    r"[;:,()]|\s(?=(?:because|since|so|which|that|who|when|where|if|unless|until|once|then)\s)"
    r"|\s(?:but|while|whereas|although|though|however|and)\s"
)
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*")
CAUSE = re.compile(r"^(?:because|since|due to|caused by|as a result of|owing to)\s")
GROUP = re.compile(r"teams?|owners?|group|squad|department")  # "the billing team"
MIN_CAUSE_FOUND = 0.5  # share of a cause's content words the context must use somewhere
MIN_OVERLAP = 0.5  # share of the answer clause's content words the context clause must have


@dataclass(frozen=True)
class PolarityClash:
    reason: str
    context_clause: str


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(text) if c and re.search(r"[A-Za-z0-9]", c)]


def _words(text: str) -> list[str]:
    text = text.lower().replace("n't", " not").replace("=", " ")
    text = _SWITCHED_OFF.sub("disabled", _UNCHANGED.sub("unchanged", text))
    return _WORD.findall(text)


def _stems(words: list[str] | tuple[str, ...]) -> frozenset[str]:
    return frozenset(
        w if w[0].isdigit() else stem(w)
        for w in words
        if w[0].isdigit() or (w not in STOPWORDS and len(w) > 2)
    )


@lru_cache(maxsize=256)
def _context_clauses(context: str) -> tuple[tuple[str, tuple[str, ...], frozenset[str]], ...]:
    from driftgate.score.sentences import split_sentences

    out = []
    for sentence in split_sentences(context):
        for clause in _clauses(sentence):
            words = _words(clause)
            out.append((clause, tuple(words), _stems(words)))
    return tuple(out)


def _negations(words: list[str] | tuple[str, ...]) -> int:
    count = 0
    for i, word in enumerate(words):
        if word == "no" and i + 1 < len(words) and words[i + 1][0].isdigit():
            continue  # "the no 1 jersey": a number, not a negation
        count += word in NEGATORS or bool(TAKE_AWAY.fullmatch(word))
    return count


@lru_cache(maxsize=64)
def _pattern(words: str) -> re.Pattern:
    return re.compile(rf"\b(?:{words})\b")


def _side(words: list[str] | tuple[str, ...], pattern: str) -> str | None:
    match = _pattern(pattern).search(" ".join(words))
    return match.group(0) if match else None


def check_polarity(sentence: str, context: str) -> PolarityClash | None:
    """The first clause of `sentence` whose polarity differs from its context clause."""
    units = _context_clauses(context)
    for clause in _clauses(sentence):
        words = _words(clause)
        stems = _stems(words)
        if len(stems) < 2 or not units:
            continue  # "With 2.4.0" alone says too little to have a polarity
        best = max(units, key=lambda unit: (len(stems & unit[2]), -len(unit[1])))
        if len(stems & best[2]) < MIN_OVERLAP * len(stems):
            continue  # no clause of the context says this: nothing to compare with
        for one, other in ANTONYMS:
            for mine, theirs in ((one, other), (other, one)):
                said, instead = _side(words, mine), _side(best[1], theirs)
                if said and instead and not _side(best[1], mine):
                    return PolarityClash(
                        f'says `{said}` where the context says `{instead}` ("{_short(best[0])}")',
                        best[0],
                    )
        if _negations(words) % 2 != _negations(best[1]) % 2:
            negated = "negates" if _negations(words) % 2 else "drops the negation of"
            return PolarityClash(f'{negated} what the context says ("{_short(best[0])}")', best[0])
    return None


def check_roles(sentence: str, context: str) -> str | None:
    """Two of the context's names traded places between clauses ("written by Tom and
    reviewed by Priya" when Priya wrote it and Tom reviewed it): an answer clause is
    matched to its context clause by its other words ("reviewed"); it holds a context name
    that clause lacks, while that clause holds a name the answer moved to another of its
    clauses. Every word is in the context, so no other check sees it. Names only: with any
    word, news summaries that merely regroup an article's clauses were flagged (15 of 200
    QAGS answers, most of them faithful); with numbers, a faithful list of versions
    ("introduced in 4.1.2, affects 4.1.3")."""
    units = _context_clauses(context)
    names = _stems(sorted(_holders(sentence) | _holders(context)))
    clauses = [(clause, _stems(_words(clause))) for clause in _clauses(sentence)]
    used = frozenset().union(*(unit[2] for unit in units)) if units else frozenset()
    for clause, stems in clauses:
        says = stems - names  # what the clause says about its names
        if not says or not units or not stems & names:
            continue
        best = max(units, key=lambda unit: (len(says & unit[2]), -len(unit[1])))
        own = max((len(says & u[2]) for u in units if stems & names & u[2]), default=0)
        if len(says & best[2]) <= own:
            continue  # a clause of its own names says it as well: nothing moved
        elsewhere = frozenset().union(*(s for c, s in clauses if c != clause))
        placed = (stems & used & names) - best[2]  # a name from another clause
        moved = (best[2] & names & elsewhere) - stems  # the clause's, put elsewhere
        if placed and moved:
            mine, theirs = _first(clause, placed), _first(best[0], moved)
            return f'puts `{mine}` where the context has `{theirs}` ("{_short(best[0])}")'
    return None


@lru_cache(maxsize=256)
def _holders(text: str) -> frozenset[str]:
    """Who can hold a role: names, and the word before a group noun ("the billing team",
    "the data owner"), which engineering text writes in lower case."""
    words = _words(text)
    groups = {w for w, head in zip(words, words[1:], strict=False) if GROUP.fullmatch(head)}
    return name_words(text) | {w for w in groups if w not in STOPWORDS and len(w) > 2}


def _first(text: str, stems: frozenset[str]) -> str:
    """The first word of `text` whose stem is one of `stems`, as written, for the reason."""
    for word in re.findall(r"\w+(?:\.\w+)*", text):  # "5.2" whole, "Frankfurt." without the stop
        if _stems([word.lower()]) & stems:
            return word
    return sorted(stems)[0]


def check_cause(sentence: str, context: str) -> str | None:
    """A cause ("because the disk filled up") whose words the context mostly never uses."""
    used = frozenset().union(*(unit[2] for unit in _context_clauses(context)))
    acronyms = _acronyms(context)
    for clause in _clauses(sentence):
        lowered = clause.lower()
        if not CAUSE.match(lowered):
            continue
        words = _words(CAUSE.sub("", lowered))
        stems = _stems(words)
        found = stems & used | _spelled_out(words, acronyms)
        if stems and len(found) < MIN_CAUSE_FOUND * len(stems):
            return f'the cause "{_short(clause)}" is not in the context'
    return None


@lru_cache(maxsize=256)
def _acronyms(context: str) -> frozenset[str]:
    return frozenset(a.lower() for a in re.findall(r"\b[A-Z]{2,6}\b", context))


def _spelled_out(words: list[str], acronyms: frozenset[str]) -> frozenset[str]:
    """Stems of words that spell out one of the context's acronyms ("single sign on")."""
    found: set[str] = set()
    for start in range(len(words)):
        for end in range(start + 2, min(start + 6, len(words)) + 1):
            if "".join(w[0] for w in words[start:end]) in acronyms:
                found |= _stems(words[start:end])
    return frozenset(found)


def _short(text: str) -> str:
    return clipped(text, 60)
