"""Assign each article one topic from editor-written keyword rules, and say why.

Matching is German-aware: text is lower-cased with umlauts spelled out (ä → ae, ß → ss), every
word is also looked up as its lemma (simplemma: "Verträge" → "Vertrag"), and a plain rule term
matches anywhere inside a word, so "partnerschaft" finds "Städtepartnerschaft" and "konferenz"
finds "Regionalkonferenzen". Rule term syntax (see config.toml):

    kongress      inside any word (compounds)      =plan     the whole word or its lemma
    messe*        at the start of a word           *messe    at the end of a word (compound head)
    open data     a phrase of whole words

Each term counts once per field; its points are the tier weight (strong 3, medium 2, weak 1)
times the field's weight. The best-scoring topic wins if it reaches the threshold and beats the
evidence for "other" (terms that mark a study, a product, a personnel change: [classify.other]),
ties going to the configured order; otherwise the article is "other". A manual override wins
over all rules, and the editor's own choice (a note's topic) over the rules too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import filterfalse
from typing import Literal

from .lemmas import lemmatize
from .models import OTHER, Article, Classification, Match, match_of
from .normalise import fold

Mode = Literal["contains", "prefix", "suffix", "exact", "phrase"]
TIER_WEIGHTS: Mapping[str, float] = {"strong": 3.0, "medium": 2.0, "weak": 1.0}
FIELDS = ("title", "kicker", "keywords", "lead", "teaser", "caption", "body", "section")

_INFLECTIONS = frozenset(
    # Endings after a term that still leave it the head: inflections, and -ung nouns made
    # from verb stems such as "unterzeichn" (Unterzeichnung).
    {
        "",
        "e",
        "en",
        "n",
        "s",
        "es",
        "er",
        "ern",
        "em",
        "est",
        "et",
        "t",
        "te",
        "ten",
        "ung",
        "ungen",
    }
)
_TOKEN = re.compile(r"\w+(?:-\w+)*")
_PHRASE_SPACE = re.compile(r"[\W_]+")


# What Classification.override says when the article itself carries the editor's topic.
EDITOR = "editor's choice"


# eq=False: a term is its own identity. The classifier keys its counts by term for every word
# of every article, and a field-by-field hash there cost a tenth of the classification.
@dataclass(frozen=True, slots=True, eq=False)
class Term:
    """One rule term: the folded text, how it matches, its points and the topic it votes for."""

    text: str
    mode: Mode
    weight: float
    topic: str
    spelling: str  # as written in the config, for explanations

    @classmethod
    def parse(cls, spelling: str, weight: float, topic: str) -> Term:
        """Read the config syntax: 'x', '=x', 'x*', '*x' or 'a phrase'."""
        raw = spelling.strip()
        mode: Mode = "contains"
        if " " in raw:
            mode = "phrase"
        elif raw.startswith("="):
            mode, raw = "exact", raw[1:]
        elif raw.endswith("*"):
            mode, raw = "prefix", raw[:-1]
        elif raw.startswith("*"):
            mode, raw = "suffix", raw[1:]
        text = fold(raw)
        if mode == "phrase":
            text = " ".join(_PHRASE_SPACE.sub(" ", text).split())
        if not text or not re.fullmatch(r"[\w -]+", text):
            raise ValueError(f"{spelling!r} is not a usable term (letters, digits, - and spaces)")
        return cls(text, mode, weight, topic, spelling.strip())


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic: its key, the German label shown to readers, and its terms."""

    key: str
    label: str
    terms: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class Rules:
    """Everything that decides topics; built from config.toml."""

    topics: tuple[Topic, ...]
    other_label: str = "Weitere Meldungen"
    threshold: float = 4.0
    field_weights: Mapping[str, float] = field(default_factory=dict)
    joint_kicker_topic: str | None = None
    joint_kicker_weight: float = 0.0
    modifier_factor: float = 0.5
    overrides: Mapping[str, str] = field(default_factory=dict)
    # Evidence that an item is none of the topics (a study, a product, a personnel change):
    # these terms score for "other", and a topic wins only with more points than that.
    other_terms: tuple[Term, ...] = ()

    def label(self, topic: str) -> str:
        """Return the reader-facing label of a topic key."""
        for t in self.topics:
            if t.key == topic:
                return t.label
        return self.other_label

    @property
    def order(self) -> tuple[str, ...]:
        return (*(t.key for t in self.topics), OTHER)

    def fingerprint(self) -> str:
        """Return a string that changes whenever the rules could give another result."""
        return repr(self)


class Classifier:
    """Classify articles by `Rules`; caches per-word matches, so reuse one for a whole run."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        terms = [term for topic in rules.topics for term in topic.terms]
        terms += rules.other_terms
        self._phrases: dict[str, list[Term]] = {}
        for t in terms:
            if t.mode == "phrase":
                self._phrases.setdefault(t.text, []).append(t)
        # Whole words only, any run of spaces or punctuation between them ("Open-Data-Portal").
        self._phrase_re = (
            re.compile(
                r"(?<![^\W_])("
                + "|".join(
                    r"[\W_]+".join(map(re.escape, p.split()))
                    for p in sorted(self._phrases, key=len, reverse=True)
                )
                + r")(?![^\W_])"
            )
            if self._phrases
            else None
        )
        self._rank = {key: i for i, key in enumerate(rules.order)}
        self._exact: dict[str, list[Term]] = {}
        for t in terms:
            if t.mode == "exact":
                self._exact.setdefault(t.text, []).append(t)
        self._affix = [t for t in terms if t.mode in ("prefix", "suffix")]
        contains = {t.text: t for t in terms if t.mode == "contains"}
        self._contains: dict[str, list[Term]] = {}
        for t in terms:
            if t.mode == "contains":
                self._contains.setdefault(t.text, []).append(t)
        # Longest first, so "partnerschaft" wins over "partner" inside "Städtepartnerschaft".
        alternatives = sorted(contains, key=lambda s: (-len(s), s))
        # A lookahead finds matches at every position, overlapping ones included.
        self._contains_re = (
            re.compile("(?=(" + "|".join(re.escape(a) for a in alternatives) + "))")
            if alternatives
            else None
        )
        self._word_cache: dict[str, tuple[tuple[Term, bool], ...]] = {}
        self._blank: set[str] = set()  # words of the cache that hold no term: most words
        self._phrase_starts = {p.split()[0] for p in self._phrases}
        self._starter_words: set[str] = set()  # words seen whose form starts some phrase

    def warm_up(self) -> None:
        """Load the lemma dictionary now (digest/lemmas.py), e.g. before forking workers."""
        self._word_terms("Vorbereitung")

    def classify(self, article: Article) -> Classification:
        """Score every topic for `article` and pick one (or the manual override)."""
        # (term, field) -> [occurrences, found as a compound's head at least once]
        counts: dict[tuple[Term, str], list[int]] = {}
        for name, text in _fields(article):
            if not text or not self.rules.field_weights.get(name, 0.0):
                continue
            cache = self._word_cache
            words = _TOKEN.findall(text)
            # Most words hold no term; filterfalse skips those known ones in C, in order.
            for word in filterfalse(self._blank.__contains__, words):
                found = cache.get(word)
                if found is None:
                    found = self._word_terms(word)
                for term, head in found:
                    seen = counts.setdefault((term, name), [0, 0])
                    seen[0] += 1
                    seen[1] |= head
            # The phrase pass needs the whole folded text; skip it unless a phrase can start here.
            if self._phrase_re is not None and not self._starter_words.isdisjoint(words):
                for phrase in self._phrase_re.findall(fold(text)):
                    for term in self._phrases[_PHRASE_SPACE.sub(" ", phrase)]:
                        seen = counts.setdefault((term, name), [0, 1])
                        seen[0] += 1
        weights, factor = self.rules.field_weights, self.rules.modifier_factor
        matches = [
            match_of(
                term.topic,
                term.spelling,
                name,
                n,
                term.weight * weights[name] * (1.0 if head else factor),
                not head,
            )
            for (term, name), (n, head) in counts.items()
        ]
        if (
            self.rules.joint_kicker_topic
            and article.kicker
            and " / " in article.kicker
            and self.rules.joint_kicker_weight
        ):
            matches.append(
                match_of(
                    self.rules.joint_kicker_topic,
                    "A / B",
                    "kicker",
                    1,
                    self.rules.joint_kicker_weight,
                )
            )
        return self._decide(article, matches)

    def _decide(self, article: Article, matches: list[Match]) -> Classification:
        rank = self._rank
        fields = {name: i for i, name in enumerate(FIELDS)}
        matches.sort(
            key=lambda m: (rank.get(m.topic, 99), fields.get(m.field, 99), -m.points, m.term)
        )
        scores = {t.key: 0.0 for t in self.rules.topics}
        if self.rules.other_terms:
            scores[OTHER] = 0.0
        for m in matches:
            scores[m.topic] = scores.get(m.topic, 0.0) + m.points
        score_list = tuple((key, round(value, 3)) for key, value in scores.items())
        override = self._override(article)
        if override:
            key, topic = override
            return Classification(topic, score_list, tuple(matches), override=key)
        topic = OTHER
        against = scores.get(OTHER, 0.0)
        topical = [kv for kv in score_list if kv[0] != OTHER]
        if topical:
            best = max(topical, key=lambda kv: (kv[1], -rank[kv[0]]))
            if best[1] >= self.rules.threshold and best[1] > against:
                topic = best[0]
        return Classification(topic, score_list, tuple(matches))

    def _override(self, article: Article) -> tuple[str, str] | None:
        overrides = self.rules.overrides
        if article.id in overrides:
            return article.id, overrides[article.id]
        for url in article.urls:
            if url in overrides:
                return url, overrides[url]
        if article.editor_topic:
            return EDITOR, article.editor_topic
        return None

    def _word_terms(self, word: str) -> tuple[tuple[Term, bool], ...]:
        """Return the terms found in a word, each with whether it is the compound's head."""
        if word.isdigit():  # no term is a number, and looking one up costs a lemma search
            self._word_cache[word] = ()
            self._blank.add(word)
            return ()
        forms = {fold(word)}
        lemma = lemmatize(word)
        if isinstance(lemma, str):
            forms.add(fold(lemma))
        if "-" in word:
            # The last part of a hyphenated compound is its head ("12-Punkte-Plan" is a Plan).
            for part in word.split("-"):
                if part:
                    forms.add(fold(part))
                    part_lemma = lemmatize(part)
                    if isinstance(part_lemma, str):
                        forms.add(fold(part_lemma))
        found: dict[Term, bool] = {}
        for form in sorted(forms):
            for term in self._exact.get(form, ()):
                found[term] = True
            for term in self._affix:
                hit = (
                    form.startswith(term.text)
                    if term.mode == "prefix"
                    else form.endswith(term.text)
                )
                if hit:
                    found[term] = True
            for start, text in self._compound_parts(form):
                # German compounds are right-headed: "Datenschutzgesetz" is a law, so a
                # term that is only a modifier ("Datenschutz-") counts for less.
                head = form[start + len(text) :] in _INFLECTIONS
                for term in self._contains[text]:
                    found[term] = found.get(term, False) or head
        result = tuple(found.items())
        self._word_cache[word] = result
        if not result:
            self._blank.add(word)
        if not forms.isdisjoint(self._phrase_starts):
            self._starter_words.add(word)
        return result

    def _compound_parts(self, form: str) -> list[tuple[int, str]]:
        """Find contained terms, preferring those nearer the end where matches overlap.

        "fachtagung" holds "fachtag" and "tagung"; the head "tagung" is kept. At one position
        only the longest term counts ("partnerschaft", not also "partner").
        """
        if self._contains_re is None:
            return []
        candidates = [(m.start(), m.group(1)) for m in self._contains_re.finditer(form)]
        kept: list[tuple[int, str]] = []
        for start, text in sorted(candidates, key=lambda c: (-(c[0] + len(c[1])), c[0])):
            end = start + len(text)
            if all(end <= s or start >= s + len(t) for s, t in kept):
                kept.append((start, text))
        return kept


def _fields(article: Article) -> Iterable[tuple[str, str | None]]:
    yield "title", article.title
    yield "kicker", article.kicker
    yield "keywords", " | ".join(article.keywords)
    yield "lead", article.lead
    yield "teaser", article.teaser
    yield "caption", article.caption
    yield "body", "\n".join(article.body)
    yield "section", article.section
