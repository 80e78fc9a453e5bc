"""The file-system side of ingest: which files a folder offers, how a file is opened safely,
and how a file name that is not valid UTF-8 is shown.

Reading is defensive because source folders are shared drives: a FIFO would block `open()`
forever, `/dev/zero` would fill the memory, a 2 GB export would stall the run. So only regular
files are read, checked before and after opening, and never more than the size limit + 1 byte.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

# Formats an editor may drop into a source folder expecting them to be read; each one found
# in a folder is reported ("skipped: not a supported format"), and each one named on the
# command line is refused with what to do instead of being read as (garbled) text.
# Everything else that is not a text dump is skipped silently: a page saved "complete" comes
# with a folder of images, stylesheets and scripts; dumps travel with side-car data such as
# expected.json; and folders collect litter (.DS_Store and other dot files, Thumbs.db,
# desktop.ini, *.tmp, *.bak, *~ backups, ~$x.docx Office locks). A short list to report keeps
# the run's problems about the news, not about the folder's housekeeping.
DOCUMENTS = {
    ".htm": "a web page (HTML)",
    ".html": "a web page (HTML)",
    ".xhtml": "a web page (HTML)",
    ".shtml": "a web page (HTML)",
    ".mht": "a saved web archive (MHTML)",
    ".mhtml": "a saved web archive (MHTML)",
    ".pdf": "a PDF document",
    ".doc": "a Word document",
    ".docx": "a Word document",
    ".odt": "an OpenDocument text",
    ".rtf": "a rich-text (RTF) document",
    ".pages": "a Pages document",
    ".eml": "an e-mail file",
    ".msg": "an Outlook message",
}
_OFFICE_LOCK = "~$"


def document_kind(path: Path) -> str | None:
    """Name the unsupported document format of `path` ('a Word document'), if it is one."""
    if path.name.startswith((".", _OFFICE_LOCK)):
        return None
    return DOCUMENTS.get(path.suffix.lower())


@dataclass(frozen=True, slots=True)
class Refused:
    """Why a file was not read, and what to do about it."""

    message: str
    hint: str


def read_regular(path: str | os.PathLike[str], max_bytes: int | None) -> bytes | Refused:
    """Read a regular file of at most `max_bytes`; refuse anything else without blocking."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return _not_regular(info.st_mode)
        if max_bytes is not None and info.st_size > max_bytes:
            return _too_big(info.st_size, max_bytes)
        # O_NONBLOCK: should the file have become a FIFO since the stat, open() still returns
        # at once and the fstat below refuses it. It changes nothing for regular files.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as file:
            mode = os.fstat(file.fileno()).st_mode
            if not stat.S_ISREG(mode):
                return _not_regular(mode)
            if max_bytes is None:
                data = file.read()
            else:
                # What the stat promised and a byte more: asking for limit + 1 at once would
                # allocate that much for every file (read(n) sizes its buffer by n), a quarter
                # of the time it takes to read a page. A file that grew since the stat is read
                # on up to limit + 1, so growing past the limit is caught, not read whole.
                data = file.read(min(info.st_size, max_bytes) + 1)
                if len(data) > info.st_size:
                    data += file.read(max_bytes + 1 - len(data))
    except OSError as exc:
        return Refused(f"cannot be read ({exc.strerror or exc})", "check the path")
    if max_bytes is not None and len(data) > max_bytes:
        return _too_big(None, max_bytes)
    return data


def _not_regular(mode: int) -> Refused:
    kind = (
        "a named pipe"
        if stat.S_ISFIFO(mode)
        else "a character device"
        if stat.S_ISCHR(mode)
        else "a block device"
        if stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a folder"
        if stat.S_ISDIR(mode)
        else "a special file"
    )
    return Refused(
        f"not a regular file ({kind}), skipped",
        "only regular text files are read; remove it from the source folder or config.toml",
    )


def _too_big(size: int | None, limit: int) -> Refused:
    mb = 1024 * 1024
    what = f"is {size / mb:.1f} MB" if size is not None else "grew while being read"
    return Refused(
        f"{what}, more than the limit of {limit / mb:g} MB; not read",
        "raise [ingest] max_file_mb in config.toml, or split the file",
    )


# ---- file names ---------------------------------------------------------------------------

# What a shown file name escapes: the backslash itself, control characters (a name could
# otherwise move the cursor or recolour the terminal it is printed on) and the surrogates by
# which Python carries bytes that are not UTF-8 (os.fsdecode's surrogateescape).
_UNSHOWN = re.compile("[\\\\\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_ESCAPE = re.compile(r"\\(\\|x[0-9a-f]{2}|u[0-9a-f]{4})")


def printable_name(name: str) -> str:
    """Show a file name as printable text that still names exactly one file.

    The scheme: valid UTF-8 stays as it is; each byte that is not part of printable UTF-8
    text is written `\\xNN` (lower-case hex), so 'M<0xFC>nchen' shows as 'M\\xfcnchen'; a
    literal backslash is doubled. Hence the shown form is plain printable text (safe to print,
    store in SQLite and put in XML) and decodes back to the original bytes (`name_bytes`).
    Names without a backslash or such bytes, nearly all of them, come back unchanged.
    """
    if not _UNSHOWN.search(name):
        return name
    return _UNSHOWN.sub(_escape, name)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, carried by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if 0xD800 <= code <= 0xDFFF:  # a lone surrogate (possible in Windows names): not bytes
        return f"\\u{code:04x}"
    return "".join(f"\\x{byte:02x}" for byte in char.encode("utf-8"))


def name_bytes(shown: str) -> bytes:
    """Turn a name shown by `printable_name` back into the file name's bytes."""
    out = bytearray()
    pos = 0
    for match in _ESCAPE.finditer(shown):
        out += shown[pos : match.start()].encode("utf-8")
        escape = match.group(1)
        if escape == "\\":
            out += b"\\"
        elif escape[0] == "x":
            out.append(int(escape[1:], 16))
        else:
            out += chr(int(escape[1:], 16)).encode("utf-8", "surrogatepass")
        pos = match.end()
    out += shown[pos:].encode("utf-8")
    return bytes(out)


def shown_path(path: Path, base: Path) -> str:
    """Name a file relative to `base` when it lies inside it, else by its absolute path.

    The name is printable (ingest.files.printable_name): a byte that is not UTF-8 shows as
    `\\xNN`, so it can be printed, stored with the article and put into a feed.
    """
    absolute = path.resolve()
    try:
        shown = absolute.relative_to(base).as_posix()
    except ValueError:
        shown = absolute.as_posix()
    return printable_name(shown)
