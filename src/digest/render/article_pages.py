"""A permanent page per published article: articles/<id>.html.

An article's id derives from its title and date, so its page keeps its address across builds;
a corrected version (new title) gets a new page and the old one is removed with the retracted
article. The page shows the whole text when its source allows it (`full_text`), else the lead
and a link to the original, plus the credit, Stichwörter, the article's links, its topic and
the issue it appeared in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import jinja2

from ..config import Config
from ..l10n import L10n
from ..models import Issue
from . import items, paths
from .archive import Page, _Archive

TEMPLATE = "web/article.html.j2"


def render_article_pages(
    issues: Sequence[Issue], cfg: Config, env: jinja2.Environment, l10n: L10n
) -> dict[str, bytes]:
    """Return {'articles/<id>.html': page} for every article of every issue."""
    archive = _Archive(issues, cfg, env, l10n)
    return {name: archive.render_page(name, page) for name, page in article_pages(archive)}


def article_pages(archive: _Archive) -> Iterator[tuple[str, Page]]:
    """Every article's page, to render with `archive.render_page`."""
    for issue in archive.issues:
        yield from article_pages_of(archive, issue)


def article_pages_of(archive: _Archive, issue: Issue) -> Iterator[tuple[str, Page]]:
    """The pages of one issue's articles."""
    topics = {key for key, _count in archive.topics}
    for section in issue.sections:
        for article in section.articles:
            page = paths.article_page(article.id)
            yield (
                page,
                Page(
                    TEMPLATE,
                    dict(
                        **archive.nav(page),
                        article=article,
                        week=archive.week_link(
                            page, issue, anchor=f"a-{article.id}", counted=False
                        ),
                        topic_label=section.label,
                        topic_href=(
                            paths.relative(page, paths.topic_page(section.topic))
                            if section.topic in topics
                            else None
                        ),
                        web_link=items.web_link,
                        body_html=items.body_html,
                        lead_in_text=items.lead_in_text,
                        original_url=items.original_url,
                        current_topic=section.topic,
                    ),
                ),
            )
