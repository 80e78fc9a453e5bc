"""Where each rendered file lives below the output folder, and links between them."""

from __future__ import annotations

import posixpath
from functools import lru_cache

from ..weeks import IsoWeek

INDEX = "index.html"
FEED = "feed.atom"


def week_page(week: IsoWeek) -> str:
    return f"weeks/{week}.html"


def article_page(article_id: str) -> str:
    """An article's permanent page: its id is derived from title and date, so it never moves."""
    return f"articles/{article_id}.html"


def topic_page(topic: str) -> str:
    return f"topics/{topic}.html"


def index_page(number: int) -> str:
    """Page `number` of the archive index: 0 is the front page, index.html, with the newest
    weeks; numbered pages count from 1, the oldest (see pagination)."""
    return INDEX if number == 0 else f"archive/{number}.html"


def topic_page_n(topic: str, number: int) -> str:
    """Page `number` of a topic's articles: 0 is the topic's page, with the newest weeks;
    numbered pages count from 1, the oldest (see pagination)."""
    return topic_page(topic) if number == 0 else f"topics/{topic}/{number}.html"


def topic_feed(topic: str) -> str:
    return f"topics/{topic}.atom"


def email_file(week: IsoWeek, suffix: str) -> str:
    """The email preview files of a week: suffix 'html', 'txt', 'mjml' or 'eml'."""
    return f"email/{week}.{suffix}"


def relative(from_file: str, to_file: str) -> str:
    """Link from one output file to another, so public/ works from disk and any base path."""
    return _relative(posixpath.dirname(from_file) or ".", to_file)


@lru_cache(maxsize=4096)
def _relative(folder: str, to_file: str) -> str:
    # Cached by folder: the 50,000 article pages of one folder link to the same few pages.
    return posixpath.relpath(to_file, folder)


def absolute(base_url: str, path: str) -> str:
    """Join the site's base URL (ending in '/') and an output path."""
    return base_url + path
