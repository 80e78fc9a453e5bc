"""The two records of the generator: a storyline (Line) and one story made from it (Story).

A storyline: where it happens ("places"), its titles, leads (one or two sentences), body
sentences, captions, Stichwörter, and rubrics (a kicker for a title that names its place
already). Its topic's shared sentences (SHARED) join the body sentences. Slots are filled from
the story's context (_Writer.context); a template uses only slots every context of its topic
has. A sentence starting with „ is a quote: a body has at most two.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Line:
    """A storyline (see above)."""

    name: str
    weight: int
    places: str  # "city", "local" (city or Landkreis), "land", "any", "company"
    titles: tuple[str, ...]
    leads: tuple[str, ...]
    sentences: tuple[str, ...]
    captions: tuple[str, ...]
    keywords: tuple[str, ...]
    rubrics: tuple[str, ...]
    joint: bool = False  # the kicker may name both places: "Ulm / Tampere"
    family: Mapping[str, tuple[str, ...]] | None = None  # extra sentences per event family


@dataclass(slots=True)
class Story:
    topic: str
    line: Line  # its storyline
    day: date
    title: str
    kicker: str
    ctx: dict[str, str]
    city: str  # where a press release is signed
