"""The storylines of the four topics (one module each), and how many templates they hold."""

from __future__ import annotations

from . import congresses, other, partnerships, policy
from .story import Line

TOPICS = ("partnerships", "congresses", "policy", "other")
STORYLINES: dict[str, tuple[Line, ...]] = {
    "partnerships": partnerships.LINES,
    "congresses": congresses.LINES,
    "policy": policy.LINES,
    "other": other.LINES,
}
SHARED = {  # body sentences a topic's storylines share
    "partnerships": partnerships.SHARED,
    "congresses": congresses.SHARED,
    "policy": policy.SHARED,
    "other": other.SHARED,
}


def template_counts() -> dict[str, tuple[int, int]]:
    """Per topic: (title templates, text templates: leads, body sentences and captions)."""
    out = {}
    for topic, lines in STORYLINES.items():
        titles: dict[str, None] = {}
        texts: dict[str, None] = dict.fromkeys(SHARED[topic])
        for line in lines:
            titles.update(dict.fromkeys(line.titles))
            for group in (line.leads, line.sentences, line.captions, *(line.family or {}).values()):
                texts.update(dict.fromkeys(group))
        out[topic] = (len(titles), len(texts))
    return out
