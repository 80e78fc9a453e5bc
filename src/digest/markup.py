"""Editor-written Markdown (editorials, notes) as a safe HTML fragment and as plain text.

CommonMark (markdown-it-py) with raw HTML off, so whatever an editor types ends up as text,
never as markup in a subscriber's mail; no images; links only to absolute http(s) and mailto
addresses. The plain-text version is a list of blocks (paragraphs, headings, lists, quotes,
code), each a string, to be joined by blank lines for a mail's text part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

# A link in a mail must work without a base URL and must not run anything when clicked.
_SCHEMES = ("http://", "https://", "mailto:")
REFUSED_HINT = "write links like [text](https://example.de/seite); it is shown as plain text"


@dataclass(frozen=True, slots=True)
class Rendered:
    """Markdown rendered: the HTML fragment, the plain-text blocks, the link targets refused."""

    html: str
    blocks: tuple[str, ...]
    refused: tuple[str, ...]  # as markdown-it saw them (normalised), each once, in order

    @property
    def text(self) -> str:
        """The plain text: the blocks separated by blank lines."""
        return "\n\n".join(self.blocks)


def render_markdown(text: str) -> Rendered:
    """Render Markdown as a safe HTML fragment and as plain-text blocks.

    The text must already be clean of control characters (normalise.clean_text). A parser
    bug on odd input raises; callers report it as a problem with the file.
    """
    md = SafeMarkdown()
    tokens = md.parse(text)
    html = md.renderer.render(tokens, md.options, {}).strip()
    blocks = _blocks(SyntaxTreeNode(tokens).children, md)
    # The parser may try one link more than once.
    return Rendered(html, tuple(blocks), tuple(dict.fromkeys(md.refused)))


def refused_message(url: str) -> str:
    """Say that a link target was refused, in the words both editorials and notes use."""
    return f"link target {url!r} is not an absolute http(s) or mailto address"


def line_of_link(lines: Sequence[str], start: int, url: str) -> int | None:
    """Return the 1-based number of the first line from index `start` that holds `url`."""
    # markdown-it hands over the normalised (percent-encoded) URL; the file has it as typed.
    pattern = re.compile(f"{re.escape(url)}|{re.escape(unquote(url))}")
    return next((n + 1 for n in range(start, len(lines)) if pattern.search(lines[n])), None)


class SafeMarkdown(MarkdownIt):
    """CommonMark without raw HTML, whose links may only be absolute http(s) or mailto."""

    def __init__(self) -> None:
        super().__init__("commonmark", {"html": False})
        # No images: an <img> from a remote server in a mail tells that server who read it
        # and when (DESIGN.md section 7); `![alt](url)` then reads as a link to the picture.
        self.disable("image")
        self.refused: list[str] = []

    def validateLink(self, url: str) -> bool:
        """Allow only absolute web and mail links; remember the others to report them."""
        lowered = url.strip().lower()
        if any(lowered.startswith(s) and len(lowered) > len(s) for s in _SCHEMES):
            return True
        self.refused.append(url)
        return False


def _blocks(nodes: Sequence[SyntaxTreeNode], md: MarkdownIt) -> list[str]:
    """Render block nodes as plain-text blocks (to be joined by blank lines)."""
    blocks: list[str] = []
    for node in nodes:
        if node.type in ("paragraph", "heading"):
            blocks.append(_inline(node.children[0].children, md) if node.children else "")
        elif node.type in ("bullet_list", "ordered_list"):
            blocks.append(_list(node, md))
        elif node.type == "blockquote":
            quoted = "\n\n".join(_blocks(node.children, md)).split("\n")
            blocks.append("\n".join(f"> {line}".rstrip() for line in quoted))
        elif node.type in ("code_block", "fence"):
            blocks.append(node.content.rstrip("\n"))
        elif node.type == "hr":
            blocks.append("* * *")
    return [block for block in blocks if block]


def _list(node: SyntaxTreeNode, md: MarkdownIt) -> str:
    # A tight list (no blank lines between items) hides its items' paragraphs; keep it tight.
    tight = any(p.hidden for item in node.children for p in item.children if p.type == "paragraph")
    number = int(node.attrs.get("start", 1))
    items: list[str] = []
    for item in node.children:
        marker = f"{number}. " if node.type == "ordered_list" else "- "
        number += 1
        lines = ("\n" if tight else "\n\n").join(_blocks(item.children, md)).split("\n")
        pad = " " * len(marker)  # continuation lines line up under the item's text
        rest = (pad + ln if ln else "" for ln in lines[1:])
        items.append("\n".join([(marker + lines[0]).rstrip(), *rest]))
    return ("\n" if tight else "\n\n").join(items)


def _inline(nodes: Sequence[SyntaxTreeNode], md: MarkdownIt) -> str:
    """Render inline nodes as text: markers dropped, links as 'text (url)'."""
    parts: list[str] = []
    for node in nodes:
        if node.type in ("text", "code_inline"):
            parts.append(node.content)
        elif node.type == "softbreak":  # a line break in the source: the text part rewraps
            parts.append(" ")
        elif node.type == "hardbreak":
            parts.append("\n")
        elif node.type == "link":
            label, href = _inline(node.children, md), str(node.attrs["href"])
            # Autolinks (<https://…>, <a@b.de>) show their address already; don't repeat it.
            same = label in (href, md.normalizeLinkText(href), href.removeprefix("mailto:"))
            parts.append(label if same else f"{label} ({href})")
        else:  # em, strong, image (its children are the alt text)
            parts.append(_inline(node.children, md))
    return "".join(parts)
