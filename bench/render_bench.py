"""Rendering cost per weekly email against bare mjml2html on the same MJML.

Builds synthetic weeks of 40 items (the size the email budget is designed for), renders each
week's email the way `digest build` does, and reports, measured in this run, the median time
per week and its ratio to bare mjml2html on the same MJML (see measure), for two spans:

- the render (render/email.py render_email): the view, Jinja2 for the MJML, its HTML (the
  kept skeleton filled in, or mjml2html), the size budget and the plain-text part;
- the whole preview (pipeline render_week_email): the render, then the .eml around it, i.e. the
  MIME body (both parts quoted-printable) and headers that delivery/message.py composes.

Both sides are timed alike: each week is rendered RUNS times and its MJML compiled RUNS
times, and each side's fastest run counts. (Timing the render once against the fastest of
three compiles made the ratio 15 to 25% higher than either side timed alike: a first call
runs with cold caches, on both sides, and a busy host's bursts hit only the single timing.)
The first runs alone give the "first run" ratio, printed too.

    python bench/render_bench.py [--weeks 30] [--items 40]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digest import models, pipeline
from digest.config import load_config
from digest.delivery import message as message_module
from digest.grouping import issue_of
from digest.l10n import L10n
from digest.render import email as email_module
from digest.render import mjml as mjml_module
from digest.render.environment import make_environment
from digest.weeks import IsoWeek

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.issues import week_of_articles  # noqa: E402  (shared synthetic data)


@dataclass(frozen=True)
class RenderCost:
    weeks: int
    median: float  # seconds per week, the render (view, Jinja2, MJML, budget, text part)
    median_mjml: float  # seconds per week, bare mjml2html on the same MJML
    ratio: float  # render time / bare mjml2html time
    median_total: float  # seconds per week, the render and the .eml around it
    ratio_total: float  # (render + .eml) / bare mjml2html time
    ratio_total_first: float  # the same, each side's first run only
    median_inside: float  # seconds per week in the render's own mjml2html call(s)
    parts: dict[str, float]  # median seconds per week in some of the steps (see PARTS)


# Steps timed on their own, for the breakdown: (module, function, label).
RENDER = "render (HTML and text)"
PARTS = (
    ("digest.pipeline.build", "render_email", RENDER),
    ("digest.render.email", "_view", "view (texts per item)"),
    ("digest.render.email", "_render_text", "text part (Jinja2)"),
    ("digest.pipeline.build", "encode_body", ".eml body (quoted-printable)"),
    ("digest.pipeline.build", "build_message", ".eml headers"),
)
RUNS = 3  # each week's render, and each compile of its MJML: the fastest of this many


def measure(weeks: int = 30, items: int = 40) -> RenderCost:
    """Render `weeks` synthetic weeks of `items` items and time them against mjml2html.

    The yardstick is bare mjml2html: after each week's renders, each MJML text it made is
    compiled on its own (a fresh copy of the string each time). The render itself compiles
    a week's MJML only while its skeleton is new (render/mjml.py compile_pieces): the
    warm-up week learns the skeleton, as a build's first week does, and the time the
    measured weeks spend in mjml2html is shown (0 when every week reuses it). Each run of a
    week starts without what an earlier run of the same week left behind: L10n's texts of
    its dates and of its range, the subject's encoding, the kickers' check.
    """
    cfg = load_config(ROOT / "config.toml")
    env = make_environment(cfg.templates, reload=False)  # as digest build has it
    l10n = L10n(cfg.site.locale)  # one for all weeks, as a build has

    compile_time = 0.0
    sources: list[tuple[str, dict[str, object]]] = []
    original = mjml_module.mjml.mjml2html
    original_compile = email_module.compile_pieces

    def built(source: str, name: str, **kw: Any) -> Any:
        sources.append((source, {"fonts": {}, "disable_comments": True}))
        return original_compile(source, name, **kw)

    def timed(source: str, **kw: object) -> str:
        nonlocal compile_time
        started = time.perf_counter()
        try:
            return original(source, **kw)  # type: ignore[no-any-return]
        finally:
            compile_time += time.perf_counter() - started

    mjml_module.mjml.mjml2html = timed
    email_module.compile_pieces = built
    mjml_module.forget_skeletons()  # the warm-up week compiles its skeleton, as a build's first
    spent: dict[str, float] = {}
    originals = []
    for module_name, function, label in PARTS:
        module = sys.modules[module_name]
        originals.append((module, function, getattr(module, function)))
        setattr(module, function, _timing(getattr(module, function), label, spent))
    totals, renders, inside, bare, firsts, bare_firsts = [], [], [], [], [], []
    per_part: dict[str, list[float]] = {label: [] for _, _, label in PARTS}
    try:
        for n in range(weeks + 1):
            week = IsoWeek(2024 + n // 52, 1 + n % 52)
            issue = issue_of(week, week_of_articles(str(week), items, cfg.rules), cfg.rules)
            runs = []  # (total, the parts, the time in mjml2html) of each run
            for _ in range(RUNS):
                # What a run of this week remembered for the next: its dates, its range.
                l10n._long_dates.clear()
                l10n._ranges.clear()
                message_module._encoded.cache_clear()
                models._stutters.cache_clear()
                compile_time = 0.0
                sources.clear()
                spent.clear()
                started = time.perf_counter()
                pipeline.render_week_email(issue, cfg, env, l10n, {})
                runs.append((time.perf_counter() - started, dict(spent), compile_time))
            if n:  # the first week warms Jinja2's template cache and learns the skeleton
                fastest = min(runs, key=lambda run: run[0])
                totals.append(fastest[0])
                renders.append(fastest[1][RENDER])
                inside.append(fastest[2])
                for label in per_part:
                    per_part[label].append(fastest[1].get(label, 0.0))
                firsts.append(runs[0][0])
                times = [_bare(original, source, kw) for source, kw in sources]
                bare.append(sum(min(t) for t in times))
                bare_firsts.append(sum(t[0] for t in times))
    finally:
        mjml_module.mjml.mjml2html = original
        email_module.compile_pieces = original_compile
        for module, function, saved in originals:
            setattr(module, function, saved)
    return RenderCost(
        weeks=len(totals),
        median=statistics.median(renders),
        median_mjml=statistics.median(bare),
        ratio=sum(renders) / sum(bare),
        median_total=statistics.median(totals),
        ratio_total=sum(totals) / sum(bare),
        ratio_total_first=sum(firsts) / sum(bare_firsts),
        median_inside=statistics.median(inside),
        parts={label: statistics.median(times) for label, times in per_part.items()},
    )


def _bare(compile_: Any, source: str, kw: dict[str, object]) -> list[float]:
    """The times of RUNS calls of mjml2html, each on a fresh copy of `source`."""
    times = []
    for _ in range(RUNS):
        copy = source.encode("utf-8").decode("utf-8")  # no cached UTF-8 form to reuse
        started = time.perf_counter()
        compile_(copy, **kw)
        times.append(time.perf_counter() - started)
    return times


def _timing(function: Any, label: str, spent: dict[str, float]) -> Any:
    def timed(*a: object, **kw: object) -> object:
        started = time.perf_counter()
        try:
            return function(*a, **kw)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - started

    return timed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=30)
    parser.add_argument("--items", type=int, default=40)
    args = parser.parse_args()
    cost = measure(args.weeks, args.items)
    print(f"weeks: {cost.weeks} of {args.items} items each")
    print(f"median bare mjml2html:             {cost.median_mjml * 1000:7.2f} ms")
    print(f"median render (HTML and text):     {cost.median * 1000:7.2f} ms")
    print(f"  in mjml2html itself:             {cost.median_inside * 1000:7.2f} ms")
    print(f"  ratio render / bare mjml2html:   {cost.ratio:7.2f}x")
    print(f"median render and .eml:            {cost.median_total * 1000:7.2f} ms")
    print(f"  ratio (render + .eml) / bare:    {cost.ratio_total:7.2f}x")
    print(f"  the same, first runs only:       {cost.ratio_total_first:7.2f}x")
    print("median per week in some of the steps (the rest: Jinja2 for the MJML, the budget):")
    for label, seconds in cost.parts.items():
        print(f"  {label:28s} {seconds * 1000:7.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
