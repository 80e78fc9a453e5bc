"""What goes out: the stored articles as the editor wants them published, grouped into issues.

Build and send both start here, so an email sent is the email previewed: the live articles of
the store (not dropped, not retracted by a correction), vetted, minus the [exclude] entries,
each credited to its [[sources]] entry, grouped by week, with the week's editorial attached.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..config import Config, SourceConfig, key_lines
from ..editorial import read_editorials
from ..grouping import group_by_week
from ..models import Article, Editorial, Issue, Origin, Problem
from ..store import Query, Store
from ..vet import vet
from ..weeks import IsoWeek
from . import open_store
from .reading import location, within


@dataclass
class Edition:
    """The articles fit to publish, the editorials by week, and what was wrong on the way."""

    articles: list[Article]
    editorials: dict[IsoWeek, Editorial]
    problems: list[Problem] = field(default_factory=list)


def load_edition(cfg: Config, week: IsoWeek | None = None) -> Edition:
    """Load what is to be published (of one week, or all), with a problem for each thing the
    editor should know: a repaired or left-out article, an [exclude] or [overrides] entry
    that matches nothing, an article no [[sources]] entry credits, a bad editorial file."""
    problems: list[Problem] = []
    with open_store(cfg) as store:
        stored = store.articles(Query(iso_week=str(week) if week else None))
        if week is None:
            problems += entry_problems(cfg, store)
    articles, bad, outside = prepared(stored, cfg)
    problems += bad + outside_problems(outside)

    def week_of(pinned: Collection[str]) -> dict[str, IsoWeek]:
        return {a.id: a.iso_week for a in articles if a.id in pinned and a.iso_week}

    weeks = {a.iso_week for a in articles if a.iso_week is not None}
    editorials, wrong = editorials_for(cfg, [a.id for a in articles], week_of, weeks)
    if week is not None:
        wrong = [p for p in wrong if _about_week(p, week)]
        editorials = {w: e for w, e in editorials.items() if w == week}
    problems += wrong
    return Edition(articles, dict(editorials), problems)


def prepared(
    stored: Iterable[Article], cfg: Config
) -> tuple[list[Article], list[Problem], dict[str, int]]:
    """Stored articles as published: vetted, without the [exclude] entries, credited. Also
    the vetting problems, and how many articles each file outside every source gave."""
    articles, problems = vet(stored, cfg.ingest.plausible_years())
    articles = [a for a in articles if not excluded(a, cfg.exclude)]
    credited, outside = credit(articles, cfg)
    return credited, problems, outside


def entry_problems(cfg: Config, store: Store) -> list[Problem]:
    """An [overrides] or [exclude] entry that matches no stored article. Only the whole
    store can tell; a dropped article is still matched (its entry is not a typo)."""
    if not (cfg.rules.overrides or cfg.exclude):
        return []
    known = store.known_refs([*cfg.rules.overrides, *cfg.exclude])
    return [
        *unmatched_entries(cfg, known, cfg.rules.overrides, "overrides"),
        *unmatched_entries(cfg, known, cfg.exclude, "exclude"),
    ]


def editorials_for(
    cfg: Config,
    published: Sequence[str],
    week_of: Callable[[Collection[str]], Mapping[str, IsoWeek]],
    weeks: Collection[IsoWeek],
) -> tuple[dict[IsoWeek, Editorial], list[Problem]]:
    """The editorials, their pins resolved against the `published` ids and kept only in
    their own week (`week_of` gives the week of the pinned ids), with a problem for each
    bad file, misplaced pin, and editorial of a week without articles (`weeks` have some)."""
    editorials, wrong = read_editorials(cfg.editorial.folder, published, cfg.path.resolve().parent)
    pinned = {i for editorial in editorials.values() for i in editorial.top}
    editorials, misplaced = _pins_of_their_week(editorials, week_of(pinned) if pinned else {})
    wrong += misplaced
    for found in sorted(editorials):
        if found not in weeks:
            wrong.append(
                Problem(
                    editorials[found].path,
                    None,
                    f"{found} has no articles to publish: this editorial is not shown",
                    "check the week in the file name",
                )
            )
    return editorials, wrong


def with_editorials(
    issues: Sequence[Issue], editorials: Mapping[IsoWeek, Editorial]
) -> list[Issue]:
    """Attach each week's editorial to its issue."""
    return [
        replace(issue, editorial=editorials[issue.week]) if issue.week in editorials else issue
        for issue in issues
    ]


def issues_of(
    edition: Edition, cfg: Config, articles: Iterable[Article] | None = None
) -> list[Issue]:
    """Group the edition's articles (or a subset) into issues with their editorials."""
    grouped = group_by_week(edition.articles if articles is None else articles, cfg.rules)
    return with_editorials(grouped, edition.editorials)


def excluded(article: Article, exclude: Mapping[str, str]) -> bool:
    """Tell whether an [exclude] entry names the article's id or one of its URLs."""
    return bool(exclude) and (article.id in exclude or any(u in exclude for u in article.urls))


def unmatched_entries(
    cfg: Config, known: Collection[str], entries: Iterable[str], table: str
) -> list[Problem]:
    """An [overrides] or [exclude] entry whose id or URL no stored article has: a typo.
    `known` holds those of the entries that some stored article has (store.known_refs)."""
    refs = list(entries)
    if not refs:
        return []
    lines = key_lines(cfg.path)
    return [
        Problem(
            str(cfg.path),
            lines.get(f"{table}.{ref}") or lines.get(f'{table}."{ref}"'),
            f"[{table}] {ref!r} matches no stored article",
            "check the id (`digest articles` lists them) or the URL, or remove the entry",
        )
        for ref in refs
        if ref not in known
    ]


def credit(articles: Iterable[Article], cfg: Config) -> tuple[list[Article], dict[str, int]]:
    """Credit each article to the [[sources]] entry its files lie in; also return how many
    articles each file outside every entry gave.

    A story seen in several files (a teaser on one page, the full article on another) is
    credited where its main version was found, else to the first source in config order;
    the other sources that told it are named after it ("Quelle: Kommune21, Stadt Jena").
    An article from a file outside every source (ingested by hand with `digest ingest`) is
    published without a credit, and each such file is reported once (`outside_problems`).
    """
    base = cfg.path.resolve().parent
    roots = [(location(s, base), s) for s in cfg.sources]
    credited: list[Article] = []
    outside: dict[str, int] = {}
    for article in articles:
        source = _source_of(article, roots)
        if source is None:
            for s in article.sources[:1]:
                outside[s.path] = outside.get(s.path, 0) + 1
            credited.append(article)
            continue
        also = tuple(s.name for s in _sources_of(article, roots) if s is not source)
        origin = Origin(source.name, source.url, source.full_text, source.link, also)
        credited.append(replace(article, origin=origin))
    return credited, outside


def outside_problems(outside: Mapping[str, int]) -> list[Problem]:
    """One problem per file outside every [[sources]] entry, by path."""
    return [
        Problem(
            path,
            None,
            f"{count} article{'s' if count != 1 else ''} from this file "
            f"{'lie' if count != 1 else 'lies'} outside every [[sources]] entry: "
            "published without a credit (Quelle)",
            "add the file's folder to [[sources]] with a name, or `digest drop` the articles",
        )
        for path, count in sorted(outside.items())
    ]


def _source_of(article: Article, roots: list[tuple[str, SourceConfig]]) -> SourceConfig | None:
    """The source whose version of the story is the one published: a version of the article's
    own kind (main article or teaser) and from a source of its own type (feed or files);
    among equals the main version, then config order."""
    fetched = article.format == "F"
    found = [
        (seen.kind != article.kind, seen.kind != "main", (source.type == "feed") != fetched, i)
        for seen in article.sources
        for i, (root, source) in enumerate(roots)
        if within(seen.path, root)
    ]
    return roots[min(found)[3]][1] if found else None


def _sources_of(article: Article, roots: list[tuple[str, SourceConfig]]) -> list[SourceConfig]:
    """Every [[sources]] entry the article was seen in, in config order."""
    return [source for root, source in roots if any(within(s.path, root) for s in article.sources)]


def _pins_of_their_week(
    editorials: Mapping[IsoWeek, Editorial], week_of: Mapping[str, IsoWeek]
) -> tuple[dict[IsoWeek, Editorial], list[Problem]]:
    """Keep only the pinned Top-Meldungen that appear in the editorial's own week;
    `week_of` is the week of every published article that has one."""
    kept: dict[IsoWeek, Editorial] = {}
    problems = []
    for week, editorial in editorials.items():
        elsewhere = [i for i in editorial.top if week_of.get(i) != week]
        for article_id in elsewhere:
            problems.append(
                Problem(
                    editorial.path,
                    None,
                    f"top: {article_id} is an article of {week_of.get(article_id)}, not of {week};"
                    " not pinned",
                    "pin only articles of the editorial's own week (`digest articles --week`)",
                )
            )
        top = tuple(i for i in editorial.top if i not in elsewhere)
        kept[week] = replace(editorial, top=top) if elsewhere else editorial
    return kept, problems


def _about_week(problem: Problem, week: IsoWeek) -> bool:
    return Path(problem.path).stem == str(week)
