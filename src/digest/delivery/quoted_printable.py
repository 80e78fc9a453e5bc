"""Quoted-printable encoding (RFC 2045 §6.7) of a whole part, with C-speed bytes operations.

binascii.b2a_qp walks the data a byte at a time, twice: for the 40 KB HTML of a weekly
email it costs more than compiling the email's MJML. Email HTML is nearly all printable ASCII,
so here every byte that needs an escape is replaced with bytes.replace, one pass per distinct
such byte ("=" and the handful of UTF-8 bytes of German text), and the soft line breaks are
put in by one regex over each line that needs them.

The rules kept, and tested against the stdlib decoders in tests/test_qp.py:
- printable ASCII but "=" stands for itself, and so do space and tab inside a line;
- "=" and every other byte become "=XX" (upper-case hex), CR included: a line break is LF in
  the data and CRLF in the encoding, so a CR in the data is content, not part of a line end;
- a space or tab that would end a line (before a line break or at the end of the data)
  is escaped, since transports may strip trailing whitespace;
- no encoded line is longer than 76 characters: a longer one is cut into pieces of at most
  75 that end in a soft break "=", never inside an "=XX" escape.
"""

from __future__ import annotations

import re

LINE = 76  # RFC 2045 §6.7: encoded lines of at most 76 characters
_LITERAL = bytes(range(33, 127)).replace(b"=", b"") + b" \t\n"
_ESCAPES = {byte: b"=%02X" % byte for byte in range(256)}
# The pieces of a line longer than LINE: each but the last is 75 characters, or 74 or 73
# where an escape would otherwise straddle the cut ("=" only ever starts an escape once the
# data is encoded), and gets a soft break; the last is what is left, fewer than 75. (So a
# line of 76 becomes 75 and 1: a look-ahead that kept it whole cost a fifth more.)
_PIECES = re.compile(rb".{%d}(?:[^=]{2}|[^=](?==)|(?==))|.+" % (LINE - 3))


def encode(data: bytes) -> bytes:
    """`data` quoted-printable, with CRLF line ends; LF in the data is the line break."""
    encoded = data.replace(b"=", b"=3D")
    for byte in set(data.translate(None, _LITERAL)):
        if byte != 0x3D:
            encoded = encoded.replace(bytes((byte,)), _ESCAPES[byte])
    # White space that ends a line: escaping the last character is enough, what comes
    # before it no longer ends the line. (A search for " \n" costs a nanosecond a byte, so
    # not in a single line, an <mj-text>'s HTML as the email has it.)
    if encoded.endswith((b" ", b"\t")):
        encoded = encoded[:-1] + _ESCAPES[encoded[-1]]
    if b"\n" not in encoded:
        return b"=\r\n".join(_PIECES.findall(encoded)) if len(encoded) > LINE else encoded
    encoded = encoded.replace(b" \n", b"=20\n")
    if b"\t" in encoded:  # a search for one byte is a memchr, for two a loop in Python's C
        encoded = encoded.replace(b"\t\n", b"=09\n")
    # re.findall and join, not re.sub: in Python 3.11 a replacement template is expanded in
    # Python for every match, which made the soft breaks cost four times as much. Only the
    # lines that need them are looked at: most of a plain-text part's are short.
    lines = encoded.split(b"\n")
    for index in [i for i, length in enumerate(map(len, lines)) if length > LINE]:
        lines[index] = b"=\r\n".join(_PIECES.findall(lines[index]))
    return b"\r\n".join(lines)
