"""generate(): the corpus folder, its files over the weeks, and the side file of intended
topics (intended_topics reads it back)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from .formats import _k_page, _p_release
from .storylines import TOPICS
from .util import _Random
from .writer import _Writer

SIDE_FILE = ".corpus.json"
P_SHARE = 1 / 7  # about one press release per six pages
CRLF_SHARE = 0.1


@dataclass(frozen=True)
class Corpus:
    """What `generate` wrote."""

    files: int
    articles: int
    topics: dict[str, int]  # intended topic mix: stories per topic
    first_day: date
    last_day: date


def generate(
    folder: Path, articles: int, weeks: int, seed: int = 1, *, end: date = date(2026, 1, 25)
) -> Corpus:
    """Write `articles` stories over the `weeks` ISO weeks ending with `end`'s into `folder`."""
    if articles < 1 or weeks < 1:
        raise ValueError("articles and weeks must be at least 1")
    folder.mkdir(parents=True, exist_ok=True)
    rng = _Random(seed)
    w = _Writer(rng)
    first = end - timedelta(days=end.weekday() + 7 * (weeks - 1))
    made = files = 0
    topics = dict.fromkeys(TOPICS, 0)
    index: list[list[str]] = []  # file, kind, date, title, topic
    first_day, last_day = end, first
    span = (end - first).days + 1
    while made < articles:
        remaining = articles - made
        # The day the stories made so far have reached: as many stories for every day. A
        # page's main article comes a few days later, its teasers (older news) before it.
        spot = first + timedelta(days=made * span // articles)
        files += 1
        if remaining == 1 or rng.random() < P_SHARE:
            day = min(end, spot + timedelta(days=rng.randint(0, 1)))
            story = w.story(day)
            name = f"p{files:06d}.txt"
            text = _p_release(w, story)
            stories = [(story, "main")]
        else:
            count = min(rng.randint(3, 6), remaining - 1)
            day = min(end, spot + timedelta(days=rng.randint(1, 6)))
            main = w.story(day)
            offsets = sorted(rng.sample(range(1, 7), count))
            teasers = [w.story(max(first, day - timedelta(days=o))) for o in offsets]
            name = f"k{files:06d}.txt"
            text = _k_page(w, main, teasers)
            stories = [(main, "main")] + [(t, "teaser") for t in teasers]
        if rng.random() < CRLF_SHARE:
            text = text.replace("\n", "\r\n")
        (folder / name).write_bytes(text.encode("utf-8"))
        for story, kind in stories:
            topics[story.topic] += 1
            index.append([name, kind, story.day.isoformat(), story.title, story.topic])
            first_day, last_day = min(first_day, story.day), max(last_day, story.day)
        made += len(stories)
    head = {
        "seed": seed,
        "articles": made,
        "weeks": weeks,
        "end": end.isoformat(),
        "fallback_titles": w.fallbacks,
        "fields": ["file", "kind", "date", "title", "topic"],
    }
    # One story a line, each dumped by the C encoder (an indented dump of 50,000 is slow).
    rows = ",\n".join(json.dumps(row, ensure_ascii=False) for row in index)
    side = json.dumps(head, ensure_ascii=False)[:-1] + f', "stories": [\n{rows}\n]}}\n'
    (folder / SIDE_FILE).write_text(side, "utf-8")
    return Corpus(files, made, topics, first_day, last_day)


def intended_topics(folder: Path) -> dict[str, str]:
    """{title: intended topic} of the stories `generate` wrote into `folder`."""
    side = json.loads((folder / SIDE_FILE).read_text("utf-8"))
    return {row[3]: row[4] for row in side["stories"]}
