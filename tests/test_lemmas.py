"""The classifier's lemmas come from simplemma's dictionary as a trie cached on disk; they
must be the lemmas of simplemma's default dictionary, word for word."""

from __future__ import annotations

import json
import re
from pathlib import Path

import simplemma

from digest import lemmas

ROOT = Path(__file__).resolve().parent.parent
WORD = re.compile(r"\w+(?:-\w+)*")


def corpus_words() -> set[str]:
    """Every word of the labelled topic set and the sample corpus, as written, lower- and
    upper-cased: nouns, verbs, compounds, hyphenated compounds, numbers."""
    words: set[str] = set()
    for path in sorted((ROOT / "tests" / "data" / "topics").glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                words.update(WORD.findall(json.dumps(json.loads(line), ensure_ascii=False)))
    for path in sorted((ROOT / "samples" / "corpus").rglob("*")):
        if path.is_file():
            words.update(WORD.findall(path.read_text("utf-8", errors="replace")))
    return words | {w.lower() for w in words} | {w.upper() for w in words}


def test_the_trie_gives_the_default_dictionarys_lemmas() -> None:
    words = corpus_words()
    assert len(words) > 3000
    different = {
        w: (lemmas.lemmatize(w), simplemma.lemmatize(w, lang="de"))
        for w in sorted(words)
        if lemmas.lemmatize(w) != simplemma.lemmatize(w, lang="de")
    }
    assert different == {}


def test_known_lemmas() -> None:
    assert lemmas.lemmatize("Verträge") == "Vertrag"
    assert lemmas.lemmatize("Städtepartnerschaften") == simplemma.lemmatize(
        "Städtepartnerschaften", lang="de"
    )
