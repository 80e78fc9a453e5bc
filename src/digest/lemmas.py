"""German lemmas for the classifier: simplemma's, looked up in a trie cached on disk.

The classifier looks each word up as its lemma too ("Verträge" -> "Vertrag"). simplemma's
default dictionary is decoded into a Python dict on first use: 1.5 s and well over 100 MB,
which a weekly run that reads one new press release should not pay. simplemma's
TrieDictionaryFactory holds the same dictionary as a MARISA trie, built once per machine and
simplemma version (about 2.5 s) into the user's cache folder (simplemma's own choice, under
~/.cache/simplemma) and loaded from there in a few milliseconds. The lemmas are the same:
same data, same strategy (tests/test_lemmas.py compares both on the test corpus).
"""

from __future__ import annotations

from typing import Any

LANGUAGE = "de"

_lemmatizer: Any = None


def lemmatize(word: str) -> str | None:
    """The word's lemma, or None if the lemmatiser gives no string."""
    global _lemmatizer
    if _lemmatizer is None:
        _lemmatizer = _make()
    found = _lemmatizer.lemmatize(word, lang=LANGUAGE)
    return found if isinstance(found, str) else None


def _make() -> Any:
    # Imported here: simplemma's import alone takes a tenth of a second.
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy
    from simplemma.strategies.dictionaries.trie_dictionary_factory import TrieDictionaryFactory

    strategy = DefaultStrategy(dictionary_factory=TrieDictionaryFactory())
    return Lemmatizer(lemmatization_strategy=strategy)
