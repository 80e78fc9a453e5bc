"""Format M: an editor's Markdown note, one news item per file.

---
title: "Jena: KI-Leitlinien für die Verwaltung"
date: 2026-01-20                 also 20.01.2026 or 2026-01-20T09:30 (the date is taken)
kicker: Jena                     optional, and only ever explicit
topic: policy                    optional: a topic key or "other"
urls: [https://www.jena.de/ki]   optional: a list, or one address
keywords: [KI, Verwaltung]       optional: a list, or "KI, Verwaltung"
author: Stadt Jena               optional
---
Body in Markdown

The front matter is YAML, composed by PyYAML's safe loader into nodes whose marks give each
problem its line. Values are read as written, never constructed: `kicker: no` stays "no" and
`title: 2026` stays "2026" rather than becoming false or a number. The body is rendered by
markup.py (no raw HTML, no images, only http(s)/mailto links). A note without text is kept:
a title and a link are a news item too; only one with neither text nor urls is reported.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..models import OTHER, Article, Problem, Source
from ..normalise import (
    article_id,
    clean_line,
    decode_bytes,
    has_title_text,
    is_url,
    is_web_url,
    normalise_url,
)
from . import NOTE_FORMAT
from .dates import Years, implausible

KEYS = ("title", "date", "kicker", "topic", "urls", "keywords", "author")
_FENCE = "---"
_NULL = "tag:yaml.org,2002:null"
_SKIPPED = "the note was skipped"
_HEADER_HINT = (
    "start the file with a header: a line '---', 'title: …', 'date: 2026-01-20', "
    "optional kicker/topic/urls/keywords/author lines, a line '---', then the text"
)
_DATE_HINT = f"write the date as 2026-01-20 or 20.01.2026; {_SKIPPED}"
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|[ \t]+)(.*))?")
_TIME = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?[ \t]*(?:Z|[+-]\d{1,2}(?::?\d{2})?)?", re.IGNORECASE
)
_DMY_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def parse_note(
    data: bytes,
    shown_as: str,
    *,
    years: Years | None = None,
    topics: Collection[str] | None = None,
) -> tuple[list[Article], list[Problem]]:
    """Extract the one article of a Markdown note, named `shown_as` in problems.

    A note dated outside `years` is reported and left out (None accepts any calendar date);
    a topic not in `topics` is reported and ignored (None accepts any topic).
    """
    # The package imports this reader, so its helpers can only be looked up at call time.
    from . import _clean

    if not data.strip():
        return [], [Problem(shown_as, None, "is empty", "write the note, or remove the file")]
    decoded = decode_bytes(data, lone_surrogates=True)
    if decoded.text is None:
        hint = "save the note as UTF-8 text"
        return [], [Problem(shown_as, None, decoded.error or "is not text", hint)]
    text, problems = _clean(decoded.text, shown_as)
    # After _clean only CR, LF, CRLF, U+2028 and U+2029 break lines, as YAML and _clean count.
    note = _Note(shown_as, text.splitlines(), years, topics, problems)
    article = note.parse()
    # In the file's order, whatever order the fields were read in.
    ordered = sorted(note.problems, key=lambda p: p.line or 0)
    return ([article] if article is not None else []), ordered


@dataclass
class _Note:
    path: str
    lines: Sequence[str]
    years: Years | None
    topics: Collection[str] | None
    problems: list[Problem] = field(default_factory=list)

    def problem(self, line: int | None, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, line, message, hint))

    def parse(self) -> Article | None:
        """Read the front matter and the body; None (after reporting why) for a skipped note."""
        lines = self.lines
        if not lines or lines[0].rstrip() != _FENCE:
            self.problem(1, f"no front matter; {_SKIPPED}", _HEADER_HINT)
            return None
        close = next((i for i in range(1, len(lines)) if lines[i].rstrip() == _FENCE), None)
        if close is None:
            hint = f"end the front matter with a line '---' before the text; {_SKIPPED}"
            self.problem(1, "the front matter is not closed", hint)
            return None
        fields = self.front_matter(close)
        if fields is None:
            return None
        title = self.title(fields)
        day = self.date(fields)
        if title is None or day is None:
            return None
        body_start = close + 1
        rendered = self.body(body_start)
        html, body = rendered if rendered else (None, ())
        # The article starts where its text does; an empty body starts nowhere: the title.
        title_line = _line(fields["title"][0])
        first = next((i + 1 for i in range(body_start, len(lines)) if lines[i].strip()), None)
        urls = self.urls(fields.get("urls"))
        if not body and not urls:
            hint = "write the text below the front matter, or give the note urls"
            self.problem(title_line, "the note has neither text nor urls", hint)
        return Article(
            id=article_id(title, day),
            kind="main",
            format=NOTE_FORMAT,
            title=title,
            date=day,
            kicker=self.text("kicker", fields.get("kicker")),
            body=body,
            author=self.text("author", fields.get("author")),
            urls=urls,
            keywords=self.keywords(fields.get("keywords")),
            html=html,
            editor_topic=self.topic(fields.get("topic")),
            sources=(Source(self.path, first or title_line, "main"),),
        )

    def front_matter(self, close: int) -> dict[str, tuple[Node, Node]] | None:
        """Compose the YAML between the fences; return each known key's (key, value) nodes."""
        try:
            root = yaml.compose("\n".join(self.lines[1:close]), Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            # The marks count lines of the YAML from 0; it starts on the file's line 2.
            mark = exc.problem_mark or exc.context_mark
            line = min(mark.line + 2, close + 1) if mark else 1
            message = f"the front matter is not YAML: {exc.problem or exc}"
            if exc.context and exc.context_mark and exc.context_mark is not mark:
                message += f" ({exc.context} started on line {exc.context_mark.line + 2})"
            hint = (
                f"write 'key: value' lines; quote a value that holds ': ', '#' or '['; {_SKIPPED}"
            )
            self.problem(line, message, hint)
            return None
        except yaml.YAMLError as exc:  # no mark: an unreadable character, say
            self.problem(1, f"the front matter is not YAML: {exc}", _SKIPPED)
            return None
        if root is None or (isinstance(root, ScalarNode) and root.tag == _NULL):
            self.problem(1, f"the front matter is empty; {_SKIPPED}", _HEADER_HINT)
            return None
        if not isinstance(root, MappingNode):
            message = f"the front matter is not a set of 'key: value' lines; {_SKIPPED}"
            self.problem(_line(root), message, _HEADER_HINT)
            return None
        fields: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in root.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key not in KEYS:
                shown = repr(key) if isinstance(key, str) else f"(a {_kind(key_node)})"
                self.problem(_line(key_node), f"unknown key {shown}; ignored", _suggest(key, KEYS))
                continue
            if key in fields:  # YAML itself would silently keep the later one
                message = f"{key!r} given twice (first on line {_line(fields[key][0])})"
                self.problem(_line(key_node), message, "keep one of the two; the later is used")
            fields[key] = (key_node, value_node)
        return fields

    def title(self, fields: dict[str, tuple[Node, Node]]) -> str | None:
        nodes = fields.get("title")
        if nodes is not None and not isinstance(nodes[1], ScalarNode):
            message, line = f"the title is a {_kind(nodes[1])}, not text", _line(nodes[1])
        else:
            title = self.text("title", nodes)
            if title is not None and has_title_text(title):
                return title
            message, line = "the note has no title", _line(nodes[0]) if nodes else 1
        self.problem(line, message, f"write 'title: …' in the front matter; {_SKIPPED}")
        return None

    def date(self, fields: dict[str, tuple[Node, Node]]) -> date | None:
        nodes = fields.get("date")
        if nodes is None or _is_null(nodes[1]) or nodes[1].value == "":
            line = _line(nodes[0]) if nodes else 1
            hint = f"add 'date: 2026-01-20' to the front matter; {_SKIPPED}"
            self.problem(line, "the note has no date", hint)
            return None
        node = nodes[1]
        if isinstance(node, ScalarNode):
            found = _parse_date(node.value.strip())
        else:
            found = f"the date is a {_kind(node)}, not a date"
        if isinstance(found, str):
            self.problem(_line(node), found, _DATE_HINT)
            return None
        if problem := implausible(self.path, _line(node), found, self.years):
            self.problems.append(problem)
            return None
        return found

    def text(self, key: str, nodes: tuple[Node, Node] | None) -> str | None:
        """Return a one-line text value, or None if it is missing, blank or not text."""
        if nodes is None or _is_null(nodes[1]):
            return None
        node = nodes[1]
        if not isinstance(node, ScalarNode):
            self.problem(_line(node), f"{key} must be text, not a {_kind(node)}; ignored")
            return None
        # A YAML block value keeps its line breaks; a title or kicker has none.
        return clean_line(" ".join(node.value.split())) or None

    def topic(self, nodes: tuple[Node, Node] | None) -> str | None:
        topic = self.text("topic", nodes)
        if topic is None or self.topics is None:
            return topic
        known = {t.casefold(): t for t in (*self.topics, OTHER)}
        if topic.casefold() in known:
            return known[topic.casefold()]
        line = _line(nodes[1]) if nodes else None
        hint = _suggest(topic, list(known.values()), "topics")
        self.problem(line, f"unknown topic {topic!r}; ignored", hint)
        return None

    def urls(self, nodes: tuple[Node, Node] | None) -> tuple[str, ...]:
        items = self.items("urls", nodes, "write urls: [https://www.jena.de/seite, …]")
        urls: list[str] = []
        for node in items:
            value = node.value.strip()
            url = normalise_url(value) if is_url(value) else value
            if is_web_url(url):
                urls.append(url)
            elif value:
                hint = "write http(s) addresses such as https://www.jena.de/seite"
                self.problem(_line(node), f"{value!r} is not a web address; left out", hint)
        return tuple(dict.fromkeys(urls))

    def keywords(self, nodes: tuple[Node, Node] | None) -> tuple[str, ...]:
        items = self.items("keywords", nodes, "write keywords: [KI, Verwaltung]")
        if nodes is not None and items == [nodes[1]]:
            texts = items[0].value.split(",")  # one string: "KI, Verwaltung"
        else:
            texts = [node.value for node in items]  # a list item may hold a comma
        words = (clean_line(" ".join(text.split())) for text in texts)
        return tuple(dict.fromkeys(word for word in words if word))

    def items(self, key: str, nodes: tuple[Node, Node] | None, hint: str) -> list[ScalarNode]:
        """Return the scalar items of a list value, or the value itself if it is one scalar."""
        if nodes is None or _is_null(nodes[1]):
            return []
        node = nodes[1]
        if isinstance(node, ScalarNode):
            return [node]
        if not isinstance(node, SequenceNode):
            self.problem(_line(node), f"{key} must be a list, not a {_kind(node)}; ignored", hint)
            return []
        items: list[ScalarNode] = []
        for item in node.value:
            if isinstance(item, ScalarNode):
                if not _is_null(item):
                    items.append(item)
            else:
                message = f"{key}: an entry is a {_kind(item)}, not text; left out"
                self.problem(_line(item), message, hint)
        return items

    def body(self, start: int) -> tuple[str | None, tuple[str, ...]] | None:
        """Render the text from line index `start`: its HTML (None if empty) and paragraphs."""
        # Imported here: markdown_it costs every run 18 ms, a build that reads no note too.
        from ..markup import REFUSED_HINT, line_of_link, refused_message, render_markdown

        try:
            rendered = render_markdown("\n".join(self.lines[start:]))
        except Exception as exc:  # a parser bug on odd input must not stop the whole ingest
            hint = "simplify the Markdown, and report the file to the digest maintainers"
            self.problem(None, f"the text cannot be rendered ({exc!r}); kept without it", hint)
            return None
        for url in rendered.refused:
            line = line_of_link(self.lines, start, url)
            self.problem(line, refused_message(url), REFUSED_HINT)
        return rendered.html or None, rendered.blocks


def _parse_date(raw: str) -> date | str:
    """Parse 2026-01-20, a datetime starting so (its date is taken), or 20.01.2026.

    Return the date, or a message saying why `raw` is none.
    """
    iso = _ISO_DATE.fullmatch(raw)
    dmy = _DMY_DATE.fullmatch(raw)
    if iso and (iso.group(4) is None or _TIME.fullmatch(iso.group(4).strip())):
        year, month, day = (int(iso.group(n)) for n in (1, 2, 3))
    elif dmy:
        day, month, year = (int(dmy.group(n)) for n in (1, 2, 3))
    else:
        return f"{raw!r} is not a date"
    try:
        return date(year, month, day)
    except ValueError as exc:
        return f"{raw} is not a date ({exc})"


def _suggest(name: object, names: Sequence[str], what: str = "keys") -> str:
    """Say which of `names` was probably meant, or list them all."""
    close = difflib.get_close_matches(str(name).lower(), names, n=1)
    return f"did you mean {close[0]!r}?" if close else f"the {what} are {', '.join(names)}"


def _is_null(node: Node) -> bool:
    """Tell whether a value is left empty (`key:`, `key: ~`, `key: null`)."""
    return isinstance(node, ScalarNode) and node.tag == _NULL


def _kind(node: Node) -> str:
    return "list" if isinstance(node, SequenceNode) else "mapping"


def _line(node: Node) -> int:
    """The file's line of a front matter node: YAML counts from 0, from the file's line 2."""
    return int(node.start_mark.line) + 2 if node.start_mark else 1
