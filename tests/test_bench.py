"""The benchmark harness runs (bench/harness.py --quick, send benchmark included): a smoke
test with no timing assertion. The figures of a 2,000-article run mean little; that every
benchmark still runs and the table is complete does."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT

ROWS = (
    "ingest, fresh store",
    "full build",
    "no-op build",
    "build after 1 new article",
    "build after 1 changed article",
    "peak RSS, ingest",
    "peak RSS, full build",
    "peak RSS, no-op build",
    "email preview per week / mjml2html",
    "email render, HTML + text only",
    "send loop / plain smtplib loop",
)


def test_the_quick_harness_prints_every_row_with_its_verdict() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "harness.py"), "--quick"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("corpus: 2000 articles in ")
    table = lines[lines.index(next(x for x in lines if x.startswith("measure"))) + 1 :]
    assert [line.split("  ")[0] for line in table] == list(ROWS)
    for line in table:
        assert line.rstrip().endswith(("PASS", "FAIL", "-")), line
    assert "articles/s" in table[0]
    assert table[-1].split("  ")[-1].strip() in ("PASS", "FAIL")  # the send benchmark ran
