"""Web addresses written inside running text, as press releases mention them.

"Weitere Informationen unter www.jena.de/ki." or "(https://www.x.de/a?b=1)": the address is
taken without the sentence's punctuation. Only what is clearly a web address counts: one
with a scheme, one starting with `www.`, or a host under a well-known top-level domain
followed by a path. So "z.B.", "ca.", "1.000", "KL.digital" and e-mail addresses stay text.
"""

from __future__ import annotations

import re

from ..normalise import ILLEGAL_CHARS, is_web_url, normalise_url

# The top-level domains a bare host with a path may end in (no scheme, no `www.`): German text
# has "Std.pro/Tag" and "Kap.ab/S.3", which are not pages, so not any letters will do.
KNOWN_TLDS = frozenset(
    {
        "de", "at", "ch", "li", "lu", "eu", "com", "org", "net", "info", "biz", "io",
        "gov", "edu", "int", "nl", "be", "fr", "dk", "pl", "cz", "it", "es", "uk",
        "berlin", "hamburg", "bayern", "nrw", "koeln", "cologne", "ruhr", "saarland",
        "digital", "online", "social", "city", "app",
    }
)  # fmt: skip
# Where an address may begin: at a scheme, at `www.`, or at a dotted host followed by a slash;
# never inside a word, a host ("stadt-jena.de/ki" is one) or an e-mail address (the "www." of
# "presse@www.jena.de" is the mail domain's).
_START = re.compile(
    r"(?<![\w@./%+-])(?:https?://|www\.|(?=(?:[^\W_][\w-]*\.)+[a-z]{2,}/))",
    re.IGNORECASE,
)
# The characters of an address: up to a space, an angle bracket or a quotation mark.
_BODY = re.compile(r"[^\s<>\"'`„“”‚‘’«»‹›]+")
_HOST = re.compile(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+([^\W\d_]{2,})(?::\d{1,5})?", re.IGNORECASE)
_SCHEME = re.compile(r"https?://", re.IGNORECASE)
_TRAILING = ".,;:!?…"
_PAIRS = {")": "(", "]": "["}


def find_urls(text: str) -> list[str]:
    """Return the web addresses in `text`, with the https scheme if none, each once, in order."""
    found: list[str] = []
    end = 0
    for start in _START.finditer(text):
        if start.start() < end:
            continue  # inside the address before, such as ?next=www.y.de in its query
        body = _BODY.match(text, start.start())
        if body is None:
            continue
        end = body.end()
        url = _normalised(_trimmed(body.group()))
        if url is not None:
            found.append(url)
    return list(dict.fromkeys(found))


def _trimmed(candidate: str) -> str:
    """Strip the sentence's punctuation after an address, and a bracket closing around it."""
    while candidate:
        last = candidate[-1]
        opening = _PAIRS.get(last)
        if last in _TRAILING or (opening and candidate.count(last) > candidate.count(opening)):
            candidate = candidate[:-1]
        else:
            break
    return candidate


def _normalised(candidate: str) -> str | None:
    """Give the address a lower-case scheme and host; None if it is not a web address."""
    scheme = _SCHEME.match(candidate)
    rest = candidate[scheme.end() :] if scheme else candidate
    split = re.search(r"[/?#]", rest)
    host, path = (rest[: split.start()], rest[split.start() :]) if split else (rest, "")
    match = _HOST.fullmatch(host)
    if match is None or ILLEGAL_CHARS.search(candidate):
        return None  # "https://" alone, a user name (x@host), a port without a host ...
    # A bare host needs a well-known domain and a path: "jena.de" in a sentence may be part
    # of an e-mail address or a name, "jena.de/ki" is a page.
    bare = not scheme and not host.lower().startswith("www.")
    if bare and (match.group(1).lower() not in KNOWN_TLDS or not path):
        return None
    prefix = scheme.group().lower() if scheme else ""
    url = normalise_url(prefix + host.lower() + path)
    return url if is_web_url(url) else None
