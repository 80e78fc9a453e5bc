"""Ingest-and-classify throughput on a synthetic 50,000-article archive.

Writes format-K pages (one main article and five teasers each) and format-P releases into a
temporary folder, ingests them into a fresh store with the repository's config.toml rules, and
prints articles per second and the share of time per stage, all measured in this one run.
Target (issue 2): at least 5,000 articles per second on a 2-core machine.

    python bench/ingest_bench.py [--articles 50000] [--seed 1]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from digest import pipeline
from digest.config import load_config

ROOT = Path(__file__).resolve().parent.parent
TARGET = 5000.0
PLACES = [
    "Ulm",
    "Kassel",
    "Jena",
    "Fulda",
    "Trier",
    "Görlitz",
    "Bamberg",
    "Lübeck",
    "Kiel",
    "Hessen",
    "Bayern",
    "Sachsen",
    "Kreis Lippe",
    "Rhein-Kreis Neuss",
    "Bund",
]
NOUNS = [
    "Städtepartnerschaft",
    "Kooperationsvereinbarung",
    "Digitalstrategie",
    "Fachkongress",
    "Bürgerportal",
    "Ladesäule",
    "Sensornetz",
    "Datenschutzgesetz",
    "Regionalkonferenz",
    "Verwaltungscloud",
    "Open-Data-Portal",
    "Schulnetz",
    "Förderprogramm",
    "Glasfaser",
    "Smart-City-Kongress",
    "Haushaltsplan",
    "Zweckverband",
    "Bürgerbüro",
    "Fachmesse",
]
WORDS = [
    "die",
    "der",
    "das",
    "und",
    "mit",
    "für",
    "im",
    "zur",
    "von",
    "auf",
    "Stadt",
    "Kommune",
    "Verwaltung",
    "Bürgerinnen",
    "Bürger",
    "digital",
    "neue",
    "künftig",
    "gemeinsam",
    "Projekt",
    "Daten",
    "Dienst",
    "Angebot",
    "Land",
    "Rat",
    "Jahr",
    "Woche",
    "Umsetzung",
    "schnell",
    "sicher",
    "offen",
    "Zusammenarbeit",
    "Einführung",
    "Plattform",
    "Leistungen",
]


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n - 2)] + [rng.choice(NOUNS), rng.choice(WORDS)]
    rng.shuffle(words)
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng, rng.randint(8, 18)) for _ in range(sentences))


def dmy(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def k_page(rng: random.Random, day: date, serial: int) -> str:
    title = f"{rng.choice(NOUNS)} Nummer {serial}"
    lines = [f"{rng.choice(PLACES)}:", title, "", "", f"[{dmy(day)}] {paragraph(rng, 2)}", ""]
    lines += [paragraph(rng, 6) for _ in range(3)]
    lines[-1] += " (ve)"
    lines += [
        "",
        "www.example.de",
        "",
        "Stichwörter: Politik, Smart City",
        "",
        "Druckversion\u00a0\u00a0 PDF \u00a0\u00a0 Link mailen",
        "",
        "",
        "Weitere Meldungen und Beiträge aus dem Bereich Politik",
    ]
    for t in range(5):
        teaser_day = day - timedelta(days=t + 1)
        lines += [
            f"{rng.choice(PLACES)}: {rng.choice(NOUNS)} {serial}-{t}",
            f"[{dmy(teaser_day)}] {paragraph(rng, 2)} mehr...",
            sentence(rng, 10),
        ]
    lines += [
        "Suchen...",
        "",
        "\u00a0Anzeige",
        "",
        "Muster GmbH",
        "12345 Musterstadt",
        "Aktuelle Meldungen",
    ]
    return "\n".join(lines)


def p_release(rng: random.Random, day: date, serial: int) -> str:
    stamp = f"{day:%d.%m.%Y}"
    body = "\n\n".join(paragraph(rng, 5) for _ in range(4))
    return (
        f"Achtung! Diese archivierte Pressemitteilung könnte veraltet sein\n\n"
        f"Pressemitteilung vom {stamp}\n\n{rng.choice(NOUNS)} Meldung {serial}\n\n{body}\n\n\n"
        f"Autor/in: Pressestelle\n\n{rng.choice(PLACES)}, {stamp}"
    )


def generate(folder: Path, articles: int, seed: int) -> int:
    rng = random.Random(seed)
    start = date(2019, 1, 7)
    made, serial = 0, 0
    while made < articles:
        serial += 1
        day = start + timedelta(days=serial % 2500)
        if serial % 7:
            (folder / f"k{serial:06d}.txt").write_text(k_page(rng, day, serial), encoding="utf-8")
            made += 6
        else:
            (folder / f"p{serial:06d}.txt").write_text(
                p_release(rng, day, serial), encoding="utf-8"
            )
            made += 1
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="print the top functions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        made = generate(folder, args.articles, args.seed)
        cfg = replace(load_config(ROOT / "config.toml"), store_path=Path(tmp) / "bench.sqlite3")
        profiler = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        summary = pipeline.ingest(cfg, [folder])
        if profiler:
            profiler.disable()
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = pipeline.ingest(cfg, [folder])
        second = time.perf_counter() - started
    # Every generated article is a different story: all new at first, all unchanged again.
    assert summary.new == made and again.unchanged == made and again.duplicate == 0, (
        summary,
        again,
    )
    rate = made / first
    print(f"articles: {made} in {summary.files_read} files")
    print(f"first ingest (all new):      {first:6.2f} s  {rate:8.0f} articles/s")
    print(f"second ingest (all known):   {second:6.2f} s  {made / second:8.0f} articles/s")
    print(f"ratio to the 5,000/s target: {rate / TARGET:.2f}x")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
