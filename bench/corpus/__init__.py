"""A deterministic synthetic German news corpus in digest's two raw formats, for benchmarks.

    corpus = generate(folder, articles=50_000, weeks=261, seed=1)

Writes format-K portal page dumps (one main article and three to six teasers each, with the
page chrome of the real portal around them) and format-P press releases (about one for six
pages) into `folder`; some files have CRLF line ends, some numbers a no-break space. Every
story is told once: `articles` distinct stories in all, each with a title no other story has
(compared the way digest compares titles: folded, words and digits only), so a fresh ingest
stores exactly `articles` new articles and folds none together (pipeline/dedup.py).

The stories are grammatical German made from templates with slots (real cities, Landkreise
and Länder; invented firms, products and people). A quarter of them per topic: partnerships
(twinning, inter-municipal cooperation, shared IT services), congresses (congresses, fairs,
hackathons, Digitaltage), policy (strategies, laws, funding programmes, council decisions)
and other (online services, product news, studies, broadband, personnel). Each topic has
storylines; a story's title, lead and body sentences all come from its storyline (and from
sentences its topic shares), so they tell one story. A page's main article and a press release
have a lead and two to five paragraphs; a teaser has a text of one or two sentences. A title
holds what makes it unique: places, a number that means something ("4. Digitaltag", "für 40
Schulen"), a name.

Dates: the stories are spread evenly over the days of the `weeks` ISO weeks that end with the
week of `end`, none after `end` (a last week cut short by `end` gets fewer); a page's teasers
are dated one to six days before its main article, never before the first week.

Each story's intended topic is written to `folder/.corpus.json` (digest's folder reader skips
dot files); `intended_topics(folder)` reads it back as {title: topic}.

Same arguments, same bytes: the only randomness is random.Random(seed), and no output depends
on the iteration order of a set or on str hashing.

The package, by job: places (Länder, cities, Landkreise, foreign towns), vocab (people, firms
and things), story (the Line and Story records), one module of storylines per topic
(partnerships, congresses, policy, other) gathered by storylines, util (the random source and
German number and date forms), writer (fills the slots, makes stories and their texts),
formats (format-K pages and format-P releases) and generator (generate, intended_topics).
"""

from __future__ import annotations

from .formats import press_release
from .generator import SIDE_FILE, Corpus, generate, intended_topics
from .storylines import template_counts

__all__ = [
    "SIDE_FILE",
    "Corpus",
    "generate",
    "intended_topics",
    "press_release",
    "template_counts",
]
