"""Property-based tests: whatever bytes arrive, ingest reports problems instead of raising,
stores only text every output can carry, and the build after it succeeds with outputs that
parse (HTML, Atom with lxml and feedparser, .eml without defects).

Bounded and derandomised (see the profile below), so the suite stays fast and CI
reproducible; raise DIGEST_HYPOTHESIS_EXAMPLES for a longer hunt.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.cli import main
from digest.ingest import parse_bytes
from digest.normalise import ILLEGAL_CHARS as UNSHOWABLE
from digest.normalise import clean_text as scrub

from .conftest import ROOT
from .pages import article_texts, k_page, p_release, teaser
from .test_build_hardening import every_output_parses

EXAMPLES = int(os.environ.get("DIGEST_HYPOTHESIS_EXAMPLES", "0")) or None
settings.register_profile(
    "digest",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("digest")

# The characters that poisoned stores before: C0 controls, NUL, DEL, C1, non-characters,
# line and paragraph separators, a BOM in the middle, and ordinary German text around them.
NASTY = [chr(c) for c in (*range(0, 32), 0x7F, 0x85, 0x9F, 0xFFFE, 0xFFFF, 0x2028, 0x2029)]
NASTY += ["\ufeff", "ä", "ß", "€", "„", "“", ":", "[", "]", "[0.0.0]", "[27.12.9999]"]
NASTY += ["[4.10.1017]", "Pressemitteilung vom ", "\n", "\n\n", "\r\n", " ", "\u00a0"]


def _pages() -> st.SearchStrategy[str]:
    pieces = st.sampled_from(["A", "b", " ", ":", "ü", *NASTY])
    titles = st.lists(pieces, max_size=12).map("".join)
    days = st.sampled_from(["3.11.2025", "29.12.2025", "0.0.0", "27.12.9999", "4.10.1017"])
    portal = st.builds(
        lambda t, d, tt: k_page(title=t or "T", day=d, teasers=teaser("Kiel", tt, d, "Text.")),
        titles,
        days,
        titles,
    )
    release = st.builds(lambda t: p_release(title=t or "T"), titles)
    return st.one_of(portal, release)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A real-looking page, with nasty characters spliced in, encoded some way, bytes cut."""
    text = draw(_pages())
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(NASTY)) + text[at:]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=8)) + data[at + draw(st.integers(0, 4)) :]
    return data


@settings(max_examples=EXAMPLES or 300)
@given(st.one_of(st.binary(max_size=600), mutated()))
def test_a_reader_never_raises_and_keeps_only_showable_text(data: bytes) -> None:
    result = parse_bytes(data, "probe.txt")
    for article in result.articles:
        assert article.title.strip(), article
        for text in article_texts(article):
            assert not UNSHOWABLE.search(text), (text, article)
        if article.date:
            assert 1990 <= article.date.year <= 9999
    for problem in result.problems:
        assert problem.path == "probe.txt" and problem.message


@settings(max_examples=EXAMPLES or 300)
@given(st.lists(st.sampled_from([*NASTY, "a", "ö", "\ud800", "\udfff"])).map("".join))
def test_scrubbing_leaves_nothing_unshowable_and_is_idempotent(text: str) -> None:
    cleaned, removed = scrub(text)
    assert not UNSHOWABLE.search(cleaned)
    assert removed == len(UNSHOWABLE.findall(text))
    assert scrub(cleaned) == (cleaned, 0)
    cleaned.encode("utf-8")  # no lone surrogate survives


def _config(folder: Path) -> Path:
    text = (ROOT / "config.toml").read_text("utf-8")
    text = text.replace('path = "var/digest.sqlite3"', 'path = "store.sqlite3"')
    text = text.replace('path = "samples/corpus"', 'path = "in"')
    text = text.replace('templates = "templates"', f'templates = "{ROOT / "templates"}"')
    (folder / "in").mkdir()
    path = folder / "config.toml"
    path.write_text(text, "utf-8")
    return path


@settings(max_examples=EXAMPLES or 12)
@given(st.lists(mutated(), min_size=1, max_size=4), mutated())
def test_ingest_then_build_always_succeeds_and_every_output_parses(
    first: list[bytes], later: bytes
) -> None:
    """Any files, then one more file and a second build: the store never gets into a state
    in which a build fails."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        config = _config(folder)
        for n, data in enumerate(first):
            (folder / "in" / f"{n}.txt").write_bytes(data)
        quiet = io.StringIO()
        with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            first_code = main(["--config", str(config), "build"])
            (folder / "in" / "later.txt").write_bytes(later)
            second_code = main(["--config", str(config), "build"])
        log = quiet.getvalue()
        assert "Traceback" not in log
        # 1: nothing at all could be read (every file bad) is reported, not a crash.
        assert first_code in (0, 1) and second_code in (0, 1), log
        if second_code == 0:
            every_output_parses(folder / "public")


@given(
    st.text(alphabet="abcdeinrstu 12", max_size=40),
    st.text(alphabet="abcdeinrstu 12", max_size=40),
)
def test_the_indel_screen_never_drops_a_pair_sequencematcher_accepts(a: str, b: str) -> None:
    # near_duplicates screens pairs with rapidfuzz's indel ratio before SequenceMatcher
    # decides; the screen is sound only if that ratio is never below SequenceMatcher's.
    from difflib import SequenceMatcher

    from rapidfuzz.distance import Indel

    if not a and not b:
        return
    exact = SequenceMatcher(None, b, a, autojunk=False).ratio()
    assert Indel.normalized_similarity(a, b) >= exact - 1e-12
    if exact >= 0.85:
        assert Indel.normalized_similarity(a, b, score_cutoff=0.85 - 1e-9) > 0
