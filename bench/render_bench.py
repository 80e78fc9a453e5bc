"""Rendering cost per weekly email, and how much of it is spent outside the MJML compiler.

Builds synthetic weeks of 40 items (the size the email budget is designed for), renders each
week's email (Jinja2 → MJML → HTML, plain text, .eml) the way `digest build` does, and
reports the median time per week and the share spent outside mjml2html, measured in this run.

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

from digest import pipeline
from digest.config import load_config
from digest.grouping import issue_of
from digest.l10n import L10n
from digest.render import mjml as mjml_module
from digest.render.environment import make_environment
from digest.weeks import IsoWeek

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.issues import week_of_articles  # noqa: E402  (shared synthetic data)


@dataclass(frozen=True)
class RenderCost:
    weeks: int
    median: float  # seconds per week, the whole email (Jinja2, MJML, text part, .eml)
    median_mjml: float  # seconds per week inside mjml2html
    ratio: float  # total time / time inside mjml2html
    outside: float  # share of the time spent outside mjml2html
    parts: dict[str, float]  # median seconds per week in some of the steps (see PARTS)


# Steps timed on their own, for the breakdown: (module, function, label).
PARTS = (
    ("digest.render.email", "_view", "view (texts per item)"),
    ("digest.render.email", "_render_text", "text part (Jinja2)"),
    ("digest.pipeline.build", "encode_body", ".eml body (quoted-printable)"),
    ("digest.pipeline.build", "build_message", ".eml headers"),
)


def measure(weeks: int = 30, items: int = 40) -> RenderCost:
    """Render `weeks` synthetic weeks of `items` items and time them against mjml2html."""
    cfg = load_config(ROOT / "config.toml")
    env = make_environment(cfg.templates)
    l10n = L10n(cfg.site.locale)

    compile_time = 0.0
    original = mjml_module.mjml.mjml2html

    def timed(*a: object, **kw: object) -> str:
        nonlocal compile_time
        started = time.perf_counter()
        try:
            return original(*a, **kw)  # type: ignore[no-any-return]
        finally:
            compile_time += time.perf_counter() - started

    mjml_module.mjml.mjml2html = timed
    spent: dict[str, float] = {}
    originals = []
    for module_name, function, label in PARTS:
        module = sys.modules[module_name]
        originals.append((module, function, getattr(module, function)))
        setattr(module, function, _timing(getattr(module, function), label, spent))
    totals, compiles = [], []
    per_part: dict[str, list[float]] = {label: [] for _, _, label in PARTS}
    try:
        for n in range(weeks + 1):
            week = IsoWeek(2024 + n // 52, 1 + n % 52)
            issue = issue_of(week, week_of_articles(str(week), items, cfg.rules), cfg.rules)
            compile_time = 0.0
            spent.clear()
            started = time.perf_counter()
            pipeline.render_week_email(issue, cfg, env, l10n, {})
            elapsed = time.perf_counter() - started
            if n:  # the first week warms Jinja2's template cache
                totals.append(elapsed)
                compiles.append(compile_time)
                for label in per_part:
                    per_part[label].append(spent.get(label, 0.0))
    finally:
        mjml_module.mjml.mjml2html = original
        for module, function, saved in originals:
            setattr(module, function, saved)
    return RenderCost(
        len(totals),
        statistics.median(totals),
        statistics.median(compiles),
        sum(totals) / sum(compiles),
        1 - sum(compiles) / sum(totals),
        {label: statistics.median(times) for label, times in per_part.items()},
    )


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
    print(f"median per week:          {cost.median * 1000:7.2f} ms")
    print(f"median mjml2html:         {cost.median_mjml * 1000:7.2f} ms")
    print(f"share outside mjml2html:  {cost.outside:7.1%}")
    print(f"ratio total / mjml2html:  {cost.ratio:7.2f}x")
    print("median per week in some of the steps (the rest: Jinja2 for the MJML, the budget):")
    for label, seconds in cost.parts.items():
        print(f"  {label:28s} {seconds * 1000:7.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
