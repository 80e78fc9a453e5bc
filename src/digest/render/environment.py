"""The Jinja2 environment: autoescape for HTML and MJML, StrictUndefined, clear errors."""

from __future__ import annotations

import re
import traceback
import unicodedata
from pathlib import Path
from typing import Any, cast

import jinja2
import markupsafe

from ..errors import RenderError

try:  # markupsafe's C escaping of a str: escape() without building a Markup around it
    from markupsafe._speedups import _escape_inner as _escape_str
except ImportError:  # pragma: no cover - a markupsafe without it: the public way, slower

    def _escape_str(s: str, /) -> str:
        return str(markupsafe.escape(s))


# Markup templates escape every value; .txt.j2 (plain text) does not. MJML is not among
# select_autoescape's defaults, so list it explicitly.
_ESCAPED = ("html.j2", "mjml.j2", "xml.j2")


def make_environment(templates: Path, *, reload: bool = True) -> jinja2.Environment:
    """Create the environment that loads templates from the folder `templates`.

    With `reload`, a template edited on disk is loaded again on its next use: for the web
    server, which runs for days. A build or a send passes False: each template is read once
    and every page and mail of the run comes from the same version of it (and the run does
    not stat the template file again for each of 50,000 pages).
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        auto_reload=reload,
        autoescape=lambda name: name is not None and name.endswith(_ESCAPED),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(),
    )
    env.template_class = _Template
    env.filters["wrap"] = wrap
    env.filters["attribute"] = attribute
    return env


def escape_output(value: Any, /) -> str:
    """What a markup template writes for `{{ value }}`: markupsafe.escape's text, as a str.

    escape() returns a Markup, and building one costs more than escaping a short string
    (a Python __new__ probing for __html__, and a copy): in the weekly email that was about half
    of the template's time. Jinja2 joins what a template writes into one str, and wraps what
    a macro or {% set %} block collects in Markup itself, so a written value needs none.
    Anything but a plain str (Markup, numbers, Undefined) takes escape() as before.
    """
    kind = type(value)
    if kind is str:
        return _escape_str(value)
    if kind is AttributeText:
        return cast(str, value)
    return markupsafe.escape(value)


class AttributeText(str):
    """What `attribute` returns: text already escaped for an attribute. A plain str subclass
    that escape_output passes through (a Markup costs a Python __new__ per value)."""

    __slots__ = ()

    def __html__(self) -> str:
        return self


def attribute(value: Any, /) -> AttributeText:
    """A value for a double-quoted attribute inside an MJML <mj-text>: escaped, and each
    character that mrml would mangle written as a character reference.

    mrml writes the attributes of the HTML in an <mj-text> with Rust's debug escaping: a
    backslash becomes two, a no-break space the six characters \\u{a0}, an emoji's variation
    selector \\u{fe0f}, and a screen reader reads them out. Those characters (see _mangled)
    go in as "&#N;", which HTML reads as the character itself: the attribute then says what
    the template meant, and says it the same whether mrml compiled this text or
    render/mjml.py filled it into a kept skeleton.
    """
    escaped = escape_output(value)
    plain = escaped.isascii() and escaped.isprintable() and "\\" not in escaped
    # Only a character outside printable ASCII, the Latin-1 letters and the usual typography
    # (of which mrml garbles none) is looked at, one by one: German text has none.
    if not plain and _SUSPECT.search(escaped) is not None:
        escaped = _SUSPECT.sub(_mangled, escaped)
    return AttributeText(escaped)


_SUSPECT = re.compile(r"[^ -\[\]-~À-ÖØ-öø-ÿ„“”‚‘’–—…·€«»‹›§°²³×÷]")
# Rust's debug escaping leaves a character as it is when it is printable (Python's
# str.isprintable has the same categories; an older Unicode only makes it stricter) and does
# not extend the one before it (Grapheme_Extend: the marks, and these).
_EXTENDING = frozenset(
    "\uff9e\uff9f"
    + "".join(map(chr, range(0x1F3FB, 0x1F400)))
    + "".join(map(chr, range(0xE0020, 0xE0080)))
)


def _mangled(match: re.Match[str]) -> str:
    char = match[0]
    kept = char.isprintable() and char != "\\" and char not in _EXTENDING
    if kept and not unicodedata.category(char).startswith("M"):
        return char
    return f"&#{ord(char)};"


class _Template(jinja2.Template):
    """A template whose written values go through escape_output.

    Jinja2's compiled code calls the module global `escape` (from jinja2.runtime) for each
    value a markup template writes; that global is swapped here. Should a later Jinja2 name
    it otherwise, nothing is swapped and templates render as before, only slower
    (tests/test_environment.py checks the swap holds).
    """

    @classmethod
    def from_code(
        cls,
        environment: jinja2.Environment,
        code: Any,
        globals: Any,
        uptodate: Any = None,
    ) -> jinja2.Template:
        template = super().from_code(environment, code, globals, uptodate)
        namespace = template.root_render_func.__globals__
        if namespace.get("escape") is markupsafe.escape:
            namespace["escape"] = escape_output
        return template


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the user's cache folder: compiling them costs every run
    about 0.1 s. Jinja checks each template's source against its entry and writes entries
    atomically, so an edited template is compiled again; no cache folder, no cache."""
    from platformdirs import user_cache_dir

    folder = Path(user_cache_dir("digest")) / f"jinja-{jinja2.__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def wrap(text: str, width: int = 72) -> str:
    """Wrap plain text at spaces to `width` columns; a longer word (a URL) stays whole.

    Each line is the longest run of at most `width` characters that a space or tab (or the
    end) follows, else one whole word; the spaces and tabs after it give way to the break.
    """
    if len(text) <= width and "\n" not in text:
        return text  # one line that fits: the rule keeps it whole
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if not _wrap_paragraph(paragraph, width, lines):
            # a character no line can start at (a space before a word that cannot break,
            # a word ending in a no-break space) stays where it is, as the regex keeps it
            pattern = _WRAPS.get(width)
            if pattern is None:
                pattern = _WRAPS[width] = re.compile(rf"(.{{1,{width}}}|\S+)(?:[ \t]+|$)")
            lines.append(pattern.sub("\\1\n", paragraph).rstrip("\n"))
    return "\n".join(lines)


def _wrap_paragraph(paragraph: str, width: int, lines: list[str]) -> bool:
    """Append the paragraph's lines under the rule of `wrap`, found with rfind rather than a
    backtracking regex (a third of the plain-text email's time went there); return False,
    having appended nothing, where the rule leaves a character to no line."""
    tabs = "\t" in paragraph
    rfind = paragraph.rfind
    start, end = 0, len(paragraph)
    found: list[str] = []
    while end - start > width:
        cut = rfind(" ", start + 1, start + width + 1)
        if tabs:
            cut = max(cut, rfind("\t", start + 1, start + width + 1))
        if cut == -1:  # no break within reach: one whole word, up to a space or tab
            space = _SPACE.search(paragraph, start)
            cut = end if space is None else space.start()
            if cut == start or (cut < end and paragraph[cut] not in " \t"):
                return False
        found.append(paragraph[start:cut])
        start = cut + 1
        while start < end and paragraph[start] in " \t":
            start += 1
    if start < end or not found:
        found.append(paragraph[start:])  # the rest, or an empty paragraph
    lines += found
    return True


_SPACE = re.compile(r"\s")
_WRAPS: dict[int, re.Pattern[str]] = {}


def render_template(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render one template; raise RenderError naming the template file and line on failure."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or name}:{exc.lineno}"
        raise RenderError(
            f"template {where}: syntax error: {exc.message}",
            "fix the template; nothing was written",
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise RenderError(
            f"template not found: {exc.name}",
            "check [render] templates in config.toml points at the templates folder",
        ) from None
    except jinja2.UndefinedError as exc:
        raise RenderError(
            f"template {_template_line(exc, env, name)}: {exc.message}",
            "the template uses a name the renderer does not provide; nothing was written",
        ) from None


def _template_line(exc: BaseException, env: jinja2.Environment, name: str) -> str:
    """Find the template file and line in the traceback of a render error."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and frame.filename.endswith(".j2"):
            return f"{frame.filename}:{frame.lineno}"
    return name
