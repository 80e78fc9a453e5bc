"""Score the classifier against the labelled evaluation set in tests/data/topics/.

The set: 181 German news items written for this purpose (items.jsonl), labelled from the
topic definitions alone by annotators who never saw the rules (labels.json; their notes on
the hard cases in labeller_notes.json). Odd ids are the development half (rules were tuned
looking at its errors only), even ids the held-out half. Run `python tests/topic_eval.py` for
the report; tests/test_topic_eval.py keeps the floor.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from digest.classify import Classifier, Rules
from digest.models import Article

DATA = Path(__file__).resolve().parent / "data" / "topics"
TOPICS = ("partnerships", "congresses", "policy", "other")


@dataclass(frozen=True)
class Scores:
    n: int
    accuracy: float
    macro_f1: float
    per_topic: dict[str, tuple[float, float, float]]  # precision, recall, F1
    wrong: list[tuple[str, str, str, str]]  # id, gold, predicted, title


def items(half: str | None = None) -> list[tuple[Article, str]]:
    """The labelled items as articles with their gold topic; `half`: "dev" or "test"."""
    labels: dict[str, str] = json.loads((DATA / "labels.json").read_text("utf-8"))
    out = []
    for line in (DATA / "items.jsonl").read_text("utf-8").splitlines():
        item = json.loads(line)
        odd = int(item["id"][1:]) % 2 == 1
        if half is not None and odd != (half == "dev"):
            continue
        article = Article(
            id=item["id"],
            kind="main",
            format="K",
            title=item["title"],
            date=None,
            kicker=item["kicker"],
            lead=item["lead"] or None,
            body=(item["body"],) if item["body"] else (),
        )
        out.append((article, labels[item["id"]]))
    return out


def evaluate(rules: Rules, half: str | None = None) -> Scores:
    """Classify every item and compare with its label."""
    classifier = Classifier(rules)
    pairs: Counter[tuple[str, str]] = Counter()
    wrong: list[tuple[str, str, str, str]] = []
    data = items(half)
    for article, gold in data:
        got = classifier.classify(article).topic
        pairs[(gold, got)] += 1
        if got != gold:
            wrong.append((article.id, gold, got, article.title))
    per_topic: dict[str, tuple[float, float, float]] = {}
    for t in TOPICS:
        tp = pairs[(t, t)]
        fp = sum(pairs[(g, t)] for g in TOPICS if g != t)
        fn = sum(pairs[(t, p)] for p in TOPICS if p != t)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_topic[t] = (precision, recall, f1)
    accuracy = sum(pairs[(t, t)] for t in TOPICS) / len(data)
    macro = sum(f for _, _, f in per_topic.values()) / len(TOPICS)
    return Scores(len(data), accuracy, macro, per_topic, wrong)


def main() -> None:
    from digest.config import load_config

    rules = load_config(Path(sys.argv[1] if len(sys.argv) > 1 else "config.toml")).rules
    for half in ("dev", "test", None):
        s = evaluate(rules, half)
        print(f"{half or 'all':>4}: n={s.n} accuracy={s.accuracy:.3f} macro-F1={s.macro_f1:.3f}")
    s = evaluate(rules)
    for t, (p, r, f) in s.per_topic.items():
        print(f"  {t:<13} precision={p:.2f} recall={r:.2f} F1={f:.2f}")
    for article_id, gold, got, title in s.wrong:
        print(f"  wrong: {article_id} gold={gold} got={got}  {title}")


if __name__ == "__main__":
    main()
