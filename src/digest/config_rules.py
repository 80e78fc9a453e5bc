"""The classification rules of config.toml: [classify], its [classify.field_weights], the
[topics.<key>] tables with their terms, and the manual [overrides]. Every mistake names its key
and line, so a typo in a term list does not silently change which topic an article gets."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .classify import FIELDS, TIER_WEIGHTS, Rules, Term, Topic
from .models import OTHER

if TYPE_CHECKING:
    from .config import _Reader

_TOPIC_KEY = re.compile(r"^[a-z][a-z0-9_-]*$")
_CLASSIFY_KEYS = {
    "threshold",
    "order",
    "other_label",
    "field_weights",
    "joint_kicker_topic",
    "joint_kicker_weight",
    "modifier_factor",
    "other",
}


def read_rules(r: _Reader, data: Mapping[str, Any]) -> Rules:
    cls_t = r.take(data, "", "classify", dict, {})
    r.only(cls_t, "classify", _CLASSIFY_KEYS)
    topics_t = r.take(data, "", "topics", dict, {})
    order = r.strings(cls_t, "classify", "order") or list(topics_t)
    for key in order:
        if key not in topics_t:
            raise r.fail("classify.order", f"topic {key!r} has no [topics.{key}] table")
    topics = []
    for key, table in topics_t.items():
        prefix = f"topics.{key}"
        if key not in order:
            raise r.fail(
                prefix, "topic missing from classify.order", f"add {key!r} to classify.order"
            )
        if key == OTHER or not _TOPIC_KEY.match(key):
            raise r.fail(prefix, "bad topic key", "use lower-case letters; 'other' is reserved")
        if not isinstance(table, dict):
            raise r.fail(prefix, "expected a table")
        r.only(table, prefix, {"label", *TIER_WEIGHTS})
        terms = _terms(r, table, prefix, key)
        topics.append(
            (order.index(key), Topic(key, r.take(table, prefix, "label", str), tuple(terms)))
        )
    other_t = r.take(cls_t, "classify", "other", dict, {})
    r.only(other_t, "classify.other", set(TIER_WEIGHTS))
    other_terms = _terms(r, other_t, "classify.other", OTHER)
    weights_t = r.take(cls_t, "classify", "field_weights", dict, {})
    r.only(weights_t, "classify.field_weights", set(FIELDS))
    weights = {
        name: r.number(weights_t, "classify.field_weights", name, float, 0.0, 0.0, 100.0)
        for name in FIELDS
    }
    joint = r.take(cls_t, "classify", "joint_kicker_topic", str, "") or None
    if joint and joint not in topics_t:
        raise r.fail("classify.joint_kicker_topic", f"unknown topic {joint!r}")
    overrides_t = r.take(data, "", "overrides", dict, {})
    overrides: dict[str, str] = {}
    for ref, topic in overrides_t.items():
        if not isinstance(topic, str) or (topic not in topics_t and topic != OTHER):
            raise r.fail(
                f"overrides.{ref}",
                f"expected a topic key, got {topic!r}",
                f"use one of: {', '.join([*order, OTHER])}",
            )
        overrides[ref] = topic
    return Rules(
        topics=tuple(t for _, t in sorted(topics, key=lambda pair: pair[0])),
        other_label=r.take(cls_t, "classify", "other_label", str, "Weitere Meldungen"),
        # At 0 every article would reach the first topic with no term found at all.
        threshold=r.number(cls_t, "classify", "threshold", float, 4.0, 0.1, 1000.0),
        field_weights=weights,
        joint_kicker_topic=joint,
        joint_kicker_weight=r.number(
            cls_t, "classify", "joint_kicker_weight", float, 0.0, 0.0, 100.0
        ),
        # A fraction of a term's points: more than 1 would make a modifier outweigh a head.
        modifier_factor=r.number(cls_t, "classify", "modifier_factor", float, 0.5, 0.0, 1.0),
        overrides=overrides,
        other_terms=tuple(other_terms),
    )


def _terms(r: _Reader, table: Mapping[str, Any], prefix: str, topic: str) -> list[Term]:
    terms: list[Term] = []
    for tier, weight in TIER_WEIGHTS.items():
        for spelling in r.strings(table, prefix, tier):
            try:
                terms.append(Term.parse(spelling, weight, topic))
            except ValueError as exc:
                raise r.fail(f"{prefix}.{tier}", str(exc)) from None
    return terms
