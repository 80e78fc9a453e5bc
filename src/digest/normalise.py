"""Turn raw bytes and strings from real page dumps into clean text, dates, URLs and ids."""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit, urlunsplit

# Bytes 0x80-0x9F that cp1252 leaves undefined; real Windows-1252 text never contains them.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
# Characters a German text may plausibly contain beyond ASCII.
_PLAUSIBLE = frozenset(
    "äöüÄÖÜßéèêáàâíìóòôúùçñÉÈÁÀÓÍÚëïÿœŒæÆøØåÅ"
    "„“”‚‘’«»‹›–—…•·°§€£¥©®™±×÷²³¹½¼¾µ¶¡¿¨´¸ªº¬¯"
    "\u00a0\u00ad\u2009\u200b\u202f\ufeff"  # NBSP, soft hyphen, thin and zero-width spaces
)
_INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
# Characters no output may carry: those XML 1.0 forbids (C0 controls except tab, newline and
# carriage return; lone surrogates; U+FFFE and U+FFFF), which make lxml, feedgen and MJML
# fail, plus DEL and the C1 controls, which XML allows but mail clients and terminals show
# as garbage or act on (U+009B starts a terminal escape sequence).
ILLEGAL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Of those, the ones that stand between words (vertical tab is Word's manual line break, form
# feed a page break, U+001C-U+001F field separators, U+0085 next line): a space, not nothing.
_SPACE_LIKE = frozenset("\x0b\x0c\x1c\x1d\x1e\x1f\x85")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HIGH = re.compile(r"[^\x00-\x7f]")
# Spaces of other kinds than the plain one: tab, NBSP, the typographic spaces, narrow NBSP,
# medium mathematical space, ideographic space.
_ODD_SPACES = "\t\u00a0" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
_DATE_RE = re.compile(r"\[\s*(\d{1,2})\s*\.\s*(\d{1,2})\s*\.\s*(\d{4})\s*\]")
_FOLD = str.maketrans({"é": "e", "è": "e", "ê": "e", "á": "a", "à": "a", "ß": "ss"})
_NON_WORD = re.compile(r"[^0-9a-z]+")
_URL_RE = re.compile(
    r"^(?:https?://)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?::\d+)?(?:[/?#]\S*)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from bytes, the encoding it was in, or why it is not text."""

    text: str | None
    encoding: str | None
    error: str | None = None


def decode_bytes(data: bytes, *, lone_surrogates: bool = False) -> Decoded:
    """Detect the encoding of a text dump (UTF-8 with or without BOM, UTF-16, cp1252, Latin-1).

    With `lone_surrogates`, a UTF-16 file with an unpaired surrogate still decodes (the
    surrogate stays in the text, for clean_text to remove) instead of being refused whole.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            errors = "surrogatepass" if lone_surrogates else "strict"
            return Decoded(data.decode("utf-16", errors), "utf-16")
        except UnicodeDecodeError:
            return Decoded(None, None, "starts with a UTF-16 mark but is not valid UTF-16")
    if b"\x00" in data:
        return Decoded(None, None, "is a binary file (it contains NUL bytes), not a text dump")
    try:
        text = data.decode("utf-8-sig")
        encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    except UnicodeDecodeError:
        # Not UTF-8. Decide between the two single-byte encodings German dumps really come in:
        # bytes 0x80-0x9F are typographic characters („ “ – €) in cp1252 and control codes in
        # Latin-1, so their presence means cp1252; without them both decode identically.
        high_c1 = {b for b in data if 0x80 <= b <= 0x9F}
        if high_c1 & _CP1252_UNDEFINED:
            return Decoded(None, None, "is neither UTF-8 nor Windows-1252/Latin-1 text")
        encoding = "cp1252" if high_c1 else "iso-8859-1"
        text = data.decode(encoding)
    if not _looks_like_text(text, utf8=encoding.startswith("utf-8")):
        return Decoded(None, None, f"does not look like text (decoded as {encoding})")
    return Decoded(text, encoding)


def _looks_like_text(text: str, *, utf8: bool = False) -> bool:
    """Tell text from binary decoded as text. Valid UTF-8 is good evidence already, so
    there any letter counts as plausible (a press release may name Varaždin or Łódź); a
    single-byte decoding is held to the characters a German text plausibly contains."""
    sample = text[:20000]
    if not sample:
        return True
    if len(_CONTROL.findall(sample)) > len(sample) // 100:
        return False
    high = _HIGH.findall(sample)
    odd = sum(1 for c in high if c not in _PLAUSIBLE and not (utf8 and c.isalpha()))
    return odd <= max(3, len(high) // 5)


def clean_text(text: str) -> tuple[str, int]:
    """Remove the characters in ILLEGAL_CHARS; return the clean text and how many went.

    Tab, newline and carriage return stay (the line splitting deals with them). A separator
    control (vertical tab, form feed, U+001C-U+001F, U+0085) becomes a space, so the words
    on either side stay apart; every other one is dropped. Ingest calls this on every file
    before it looks at lines; a renderer may call it on anything that did not come through
    ingest. Clean text comes back unchanged (the same object), cheaply.
    """
    if not ILLEGAL_CHARS.search(text):
        return text, 0
    return ILLEGAL_CHARS.subn(_replace_illegal, text)


def _replace_illegal(match: re.Match[str]) -> str:
    return " " if match.group() in _SPACE_LIKE else ""


def describe_chars(text: str) -> str:
    """Name the distinct ILLEGAL_CHARS in `text` as code points, e.g. 'U+0001, U+FFFE'."""
    return ", ".join(sorted({f"U+{ord(c):04X}" for c in ILLEGAL_CHARS.findall(text)}))


def has_title_text(title: str) -> bool:
    """Tell whether a title has a letter or digit: ':' or '–' alone names nothing."""
    return any(c.isalnum() for c in title)


def clean_line(line: str) -> str:
    """Fold NBSP and other spaces to one space, drop invisible characters, strip the ends."""
    if not line.isascii():
        # Six substring searches take a tenth of the time of one regex pass over the text.
        if any(char in line for char in _INVISIBLE_CHARS):
            line = _INVISIBLE.sub("", line)
        if not unicodedata.is_normalized("NFC", line):
            line = unicodedata.normalize("NFC", line)
    return _one_space(line).strip()


def _one_space(line: str) -> str:
    """Make each run of spaces of any kind (_ODD_SPACES and the plain one) one plain space.

    Substring searches and replaces: a regular expression for the runs scans a text with
    characters beyond Latin-1 (German quotes and dashes) at about 30 ns a character, six times
    slower, and most text has nothing to fold."""
    for char in _ODD_SPACES if not line.isascii() else "\t":
        if char in line:
            line = line.replace(char, " ")
    while "  " in line:
        line = line.replace("  ", " ")
    return line


def split_lines(text: str) -> list[str]:
    """Split text on any line ending (CRLF, CR, LF) into cleaned lines."""
    # One pass over the whole text is several times faster than cleaning line by line.
    return [line.strip() for line in clean_line(text).splitlines()]


class BadDate(ValueError):
    """A [D.M.YYYY] marker whose numbers are not a calendar date."""


def find_date(line: str) -> tuple[date, str] | None:
    """Parse a leading `[D.M.YYYY]` marker; return the date and the rest of the line."""
    match = _DATE_RE.match(line)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        found = date(year, month, day)
    except ValueError as exc:
        raise BadDate(f"[{day}.{month}.{year}] is not a calendar date ({exc})") from None
    return found, line[match.end() :].strip()


# A bracketed date marker in any shape: [0.0.0], [3.11.25], [3/11/2025], [2025-11-03].
_ANY_DATE_RE = re.compile(r"\[\s*\d{1,4}\s*[./-]\s*\d{1,4}\s*[./-]\s*\d{1,4}\s*\]")


def find_malformed_date(line: str) -> str | None:
    """Return a leading date marker that is not in [D.M.YYYY] form, such as '[0.0.0]'."""
    if _DATE_RE.match(line):
        return None
    match = _ANY_DATE_RE.match(line)
    return match.group() if match else None


def parse_dmy(text: str) -> date:
    """Parse 'DD.MM.YYYY' (leading zeros optional); raise BadDate for impossible dates."""
    parts = text.strip().split(".")
    try:
        day, month, year = (int(p) for p in parts)
        return date(year, month, day)
    except ValueError as exc:
        raise BadDate(f"{text.strip()} is not a calendar date ({exc})") from None


def fold(text: str) -> str:
    """Lower-case and spell out umlauts, so 'Städte', 'Staedte' and 'STÄDTE' compare equal."""
    text = text.casefold()  # also turns ß into ss
    if text.isascii():
        return text
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    # Most German text is ASCII now, and str.translate looks each character of a text that
    # is not up in the table: a title took microseconds.
    return text if text.isascii() else text.translate(_FOLD)


def fold_words(text: str) -> str:
    """Folded words separated by single spaces: 'Kaiserslautern:' and 'kaiserslautern' match."""
    folded = fold(text)
    # Words of letters and digits between single spaces are already that: the regex, which
    # took most of the time, only for the rest (punctuation, runs of spaces, other scripts).
    words = folded.replace(" ", "")
    if words.isascii() and words.isalnum() and "  " not in folded and folded.strip(" ") == folded:
        return folded
    return _NON_WORD.sub(" ", folded).strip()


def article_id(title: str, day: date | None) -> str:
    """Derive a stable id from the story's normalised title and date (not from its source)."""
    return keyed_id(fold_words(title), day)


def keyed_id(words: str, day: date | None) -> str:
    """article_id of a title already folded into words (fold_words): for one title on
    several days, fold it once."""
    key = f"{day.isoformat() if day else 'undated'}|{words}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def is_url(line: str) -> bool:
    """Tell whether a whole line is a web address, with or without scheme."""
    # \S in the pattern would let a control character through into a link.
    return " " not in line and bool(_URL_RE.match(line)) and not ILLEGAL_CHARS.search(line)


_WEB_URL = re.compile(r"^https?://[^\s<>\"'`\x00-\x1f\x7f-\x9f]+$", re.IGNORECASE)


def is_web_url(text: str) -> bool:
    """Tell whether `text` is a plain http(s) address, the only kind that may become a link
    (a javascript: or data: URL from a source must stay text)."""
    return bool(_WEB_URL.match(text))


def normalise_url(line: str) -> str:
    """Give a bare host like 'www.x.de' the https scheme; leave full URLs as they are."""
    if re.match(r"^https?://", line, re.IGNORECASE):
        return line
    return "https://" + line


# Query parameters that only say where a click came from; the same story carries them or not.
_TRACKING = re.compile(r"^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|wt_mc|at_medium|at_campaign)$")


def canonical_url(url: str) -> str:
    """Reduce a web address to what identifies the page: lower-case scheme and host without
    "www." and default port, no fragment, no tracking parameters, no trailing slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").rstrip(".")
    host = host[4:] if host.startswith("www.") else host
    port = parts.port if parts.port not in (None, 80, 443) else None
    query = "&".join(
        p for p in parts.query.split("&") if p and not _TRACKING.match(p.split("=", 1)[0].lower())
    )
    path = parts.path.rstrip("/")
    return urlunsplit(("https", f"{host}:{port}" if port else host, path, query, ""))
