"""The benchmark harness: one corpus, every figure the targets speak of, one table.

    python bench/harness.py                      # N = 50,000 articles over 261 weeks
    python bench/harness.py --quick              # 2,000 over 20 weeks: a smoke test
    python bench/harness.py --articles 10000 --weeks 52 --no-send

Steps, each `digest` step in a process of its own (bench/step.py), timed from outside with
start-up and imports, as a user sees it, and with its peak resident memory:

1. generate the corpus (bench/corpus/: deterministic, both raw formats with teasers);
2. ingest it into a fresh store: articles per second;
3. a full build into an empty output folder;
4. a build in which nothing changed (no-op);
5. a build after one new article (a press release in the newest week);
6. a build after that article changed;
7. the email render time per week against bare mjml2html on the same MJML (render_bench.py):
   the whole preview (HTML, text part and the .eml around them), and the HTML and text alone;
8. the send loop against a plain smtplib loop (send_bench.py; 5,000 subscribers, 3 rounds;
   --quick: 200 and 1), unless --no-send.

Each line of the table shows its target and PASS or FAIL; a figure without a target (the
full build) shows "-". Nothing here asserts: tests/test_bench.py only runs --quick to see
that the harness works.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from corpus import generate, press_release  # noqa: E402

INGEST_TARGET = 5000.0  # articles per second, fresh store
NOOP_TARGET = 1.0  # seconds
NEW_TARGET = 2.0  # seconds
# The outputs that show one new article of the newest week: its week's email preview
# (.eml, .mjml, .html, .txt) and page, its article page, its topic page, the index, the
# issue feed and its topic's feed.
NEW_FILES_TARGET = 10
RSS_TARGET = 300.0  # MiB
RENDER_TARGET = 3.0  # render time / bare mjml2html on the same MJML
SEND_TARGET = 0.8  # ours / plain loop


@dataclass
class Row:
    name: str
    value: str
    target: str
    ok: bool | None  # None: no target

    @property
    def verdict(self) -> str:
        return "-" if self.ok is None else "PASS" if self.ok else "FAIL"


@dataclass
class Step:
    wall: float
    out: dict[str, float]


def make_config(work: Path) -> Path:
    """The repository's config.toml with the store, outputs and one source inside `work`."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('path = "var/digest.sqlite3"', f'path = "{work / "store.sqlite3"}"')
    text = text.replace('out = "public"', f'out = "{work / "public"}"')
    text = text.replace('preview = "preview"', f'preview = "{work / "preview"}"')
    text = text.replace('templates = "templates"', f'templates = "{ROOT / "templates"}"')
    text = text.replace('folder = "editorial"', f'folder = "{work / "editorial"}"')
    text = text.replace('path = "samples/corpus"', f'path = "{work / "in"}"')
    start = text.index('[[sources]]\ntype = "feed"\npath = "samples/feeds')
    text = text[:start] + text[text.index("# A feed over HTTP") :]
    path = work / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def step(kind: str, config: Path, *extra: str) -> Step:
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, str(BENCH / "step.py"), kind, str(config), *extra],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    wall = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"step {kind} failed:\n{run.stderr}")
    return Step(wall, json.loads(run.stdout.strip().splitlines()[-1]))


def send_ratio(quick: bool) -> float | None:
    """The median ratio ours/plain of bench/send_bench.py, from its own output."""
    args = ["--subscribers", "200" if quick else "5000", "--rounds", "1" if quick else "3"]
    run = subprocess.run(
        [sys.executable, str(BENCH / "send_bench.py"), *args, "--no-memory"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if run.returncode != 0:
        raise SystemExit(f"bench/send_bench.py failed:\n{run.stderr}")
    found = re.findall(r"ratio ours/plain (\d+\.\d+)x", run.stdout)
    # Two lines per sink, min time and median: the median of the first sink (aiosmtpd).
    return float(found[1]) if len(found) >= 2 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50000)
    parser.add_argument("--weeks", type=int, default=261)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--quick", action="store_true", help="2,000 articles over 20 weeks, 200 subscribers"
    )
    parser.add_argument("--send", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    if args.quick:
        args.articles, args.weeks = 2000, 20
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="digest-bench-") as tmp:
        work = Path(tmp)
        folder = work / "in"
        folder.mkdir()
        started = time.perf_counter()
        corpus = generate(folder, args.articles, args.weeks, args.seed)
        made = time.perf_counter() - started
        print(
            f"corpus: {corpus.articles} articles in {corpus.files} files over {args.weeks} weeks "
            f"({corpus.first_day} … {corpus.last_day}), made in {made:.1f} s; "
            f"intended topics {corpus.topics}",
            flush=True,
        )
        config = make_config(work)

        ingest = step("ingest", config, str(folder))
        rate = corpus.articles / ingest.wall
        rows.append(
            Row(
                "ingest, fresh store",
                f"{rate:,.0f} articles/s ({ingest.wall:.1f} s)",
                f">= {INGEST_TARGET:,.0f}/s",
                rate >= INGEST_TARGET,
            )
        )
        full = step("build", config)
        rows.append(
            Row("full build", f"{full.wall:.1f} s, {full.out['written']:.0f} files", "-", None)
        )
        noop = step("build", config)
        rows.append(
            Row(
                "no-op build",
                f"{noop.wall:.2f} s, {noop.out['written']:.0f} files",
                f"< {NOOP_TARGET:g} s, 0 files",
                noop.wall < NOOP_TARGET and noop.out["written"] == 0,
            )
        )
        # One press release in the newest week, then one sentence of it changed.
        day = corpus.last_day - timedelta(days=1)
        for name, count in (
            ("build after 1 new article", "zwölf"),
            ("build after 1 changed article", "fünfzehn"),
        ):
            body = [
                "Die Stadt Musterhausen hat ihr neues Serviceportal freigeschaltet.",
                f"Bürgerinnen und Bürger können dort künftig {count} Anträge online stellen.",
            ]
            (folder / "zz-neu.txt").write_text(
                press_release(
                    "Musterhausen schaltet Serviceportal frei", day, "Musterhausen", body
                ),
                encoding="utf-8",
            )
            built = step("build", config)
            rows.append(
                Row(
                    name,
                    f"{built.wall:.2f} s, {built.out['written']:.0f} files",
                    f"< {NEW_TARGET:g} s, <= {NEW_FILES_TARGET} files",
                    built.wall < NEW_TARGET and built.out["written"] <= NEW_FILES_TARGET,
                )
            )
        for name, measured in (("ingest", ingest), ("full build", full), ("no-op build", noop)):
            peak = measured.out["peak_mb"]
            rows.append(
                Row(
                    f"peak RSS, {name}",
                    f"{peak:.0f} MiB",
                    f"< {RSS_TARGET:.0f} MiB",
                    peak < RSS_TARGET,
                )
            )

    from render_bench import measure

    cost = measure(weeks=5 if args.quick else 30, items=40)
    bare = f"bare mjml2html {cost.median_mjml * 1000:.2f} ms"
    rows += [
        Row(
            "email preview per week / mjml2html",
            f"{cost.ratio_total:.2f}x ({cost.median_total * 1000:.1f} ms; {bare}; "
            f"first runs {cost.ratio_total_first:.2f}x)",
            f"<= {RENDER_TARGET:g}x",
            cost.ratio_total <= RENDER_TARGET,
        ),
        Row(
            "email render, HTML + text only",
            f"{cost.ratio:.2f}x ({cost.median * 1000:.1f} ms)",
            f"<= {RENDER_TARGET:g}x",
            cost.ratio <= RENDER_TARGET,
        ),
    ]
    if args.send:
        ratio = send_ratio(args.quick)
        rows.append(
            Row(
                "send loop / plain smtplib loop",
                f"{ratio:.2f}x" if ratio is not None else "not measured",
                f">= {SEND_TARGET:g}x",
                ratio is not None and ratio >= SEND_TARGET,
            )
        )
    else:
        rows.append(
            Row(
                "send loop / plain smtplib loop",
                "not run (--no-send)",
                f">= {SEND_TARGET:g}x",
                None,
            )
        )
    print_table(rows, args)
    return 0


def print_table(rows: list[Row], args: argparse.Namespace) -> None:
    width = max(len(r.name) for r in rows)
    value_width = max(len(r.value) for r in rows)
    target_width = max(len(r.target) for r in rows)
    print(f"\nN = {args.articles:,} articles over {args.weeks} weeks, seed {args.seed}")
    print(f"{'measure':<{width}}  {'value':<{value_width}}  {'target':<{target_width}}  result")
    for r in rows:
        print(
            f"{r.name:<{width}}  {r.value:<{value_width}}  {r.target:<{target_width}}  {r.verdict}"
        )


if __name__ == "__main__":
    sys.exit(main())
