from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from digest.ingest import parse_bytes
from digest.normalise import (
    BadDate,
    article_id,
    clean_line,
    decode_bytes,
    find_date,
    fold,
    fold_words,
    is_url,
    normalise_url,
)

PAGE = (
    "Ulm:\nGemeinsame Plattform für Bürgerdienste\n\n\n"
    "[3.11.2025] Die Städte Ulm und Neu-Ulm betreiben künftig ein gemeinsames Serviceportal.\n\n"
    "Für die Bürgerinnen und Bürger ändert sich zunächst wenig. Die Zusammenarbeit soll "
    "Kosten sparen und Wissen bündeln. „Wir schaffen das gemeinsam“, sagt der "
    "Bürgermeister. (ve)\n\n"
    "www.ulm.de\n\nStichwörter: Ulm, Neu-Ulm\n"
)


def test_utf8_with_and_without_bom_give_the_same_text() -> None:
    plain = decode_bytes(PAGE.encode("utf-8"))
    bom = decode_bytes(b"\xef\xbb\xbf" + PAGE.encode("utf-8"))
    assert plain.text == bom.text == PAGE
    assert (plain.encoding, bom.encoding) == ("utf-8", "utf-8-sig")


def test_windows_1252_is_detected_by_its_quote_bytes() -> None:
    decoded = decode_bytes(PAGE.encode("cp1252"))
    assert decoded.encoding == "cp1252"
    assert decoded.text == PAGE


def test_latin1_without_cp1252_bytes_decodes_identically() -> None:
    text = PAGE.replace("„", '"').replace("“", '"')
    decoded = decode_bytes(text.encode("latin-1"))
    assert decoded.encoding == "iso-8859-1"
    assert decoded.text == text


def test_utf16_with_bom() -> None:
    assert decode_bytes(PAGE.encode("utf-16")).text == PAGE


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 4,  # NUL bytes
        b"\x89PNG\r\n\x1a\n" + bytes([7, 3, 9, 200, 14, 15, 16, 17]) * 100,
        bytes([0x81, 0x8D, 0x41, 0x42]) * 50,  # bytes undefined in cp1252, not UTF-8
    ],
)
def test_binary_data_is_refused(data: bytes) -> None:
    decoded = decode_bytes(data)
    assert decoded.text is None and decoded.error


def test_crlf_nbsp_and_stray_spaces_parse_like_clean_text() -> None:
    messy = PAGE.replace("\n", "\r\n").replace("[3.11.2025]", "[ 3.11.2025 ]")
    messy = messy.replace("Die Städte", "Die\u00a0Städte")
    clean = parse_bytes(PAGE.encode(), "a.txt").articles[0]
    dirty = parse_bytes(messy.encode("cp1252"), "a.txt").articles[0]
    assert dirty.lead == clean.lead
    assert dirty.date == clean.date == date(2025, 11, 3)
    assert dirty.id == clean.id
    assert dirty.body == clean.body


def test_clean_line_folds_spaces_and_drops_invisibles() -> None:
    assert clean_line("  a\u00a0\u00a0b\tc\u00adde\u200b ") == "a b cde"


def test_find_date_variants() -> None:
    assert find_date("[4.10.2017] Lead") == (date(2017, 10, 4), "Lead")
    assert find_date("[ 3.10.2018 ] Lead") == (date(2018, 10, 3), "Lead")
    assert find_date("Lead [4.10.2017]") is None
    with pytest.raises(BadDate, match=r"31\.2\.2019"):
        find_date("[31.2.2019] Lead")


def test_fold_umlaut_variants() -> None:
    assert fold("Städtepartnerschaft") == fold("Staedtepartnerschaft") == "staedtepartnerschaft"
    assert fold("STRASSE") == fold("Straße")


def test_article_id_ignores_case_punctuation_and_spacing() -> None:
    day = date(2020, 2, 12)
    assert article_id("Kommt die föderale Verwaltungscloud?", day) == article_id(
        "kommt die  Föderale Verwaltungscloud", day
    )
    assert article_id("A", day) != article_id("A", date(2020, 2, 13))
    assert len(article_id("A", None)) == 16


def test_urls() -> None:
    assert is_url("www.heidelberg.de") and is_url("https://smartesrostock.de/x?y=1")
    assert not is_url("Stichwörter: a, b") and not is_url("Hallo Welt.")
    assert normalise_url("www.x.de") == "https://www.x.de"
    assert normalise_url("http://x.de/a") == "http://x.de/a"


def test_utf8_text_naming_slavic_places_is_text() -> None:
    text = "Partnerschaft mit Varaždin, Łódź, Plzeň und Košice. " * 5
    decoded = decode_bytes(text.encode("utf-8"))
    assert decoded.text == text and decoded.encoding == "utf-8"
    # The same letters do not make binary look like text in a single-byte decoding.
    assert decode_bytes(bytes(range(0xA0, 0x100)) * 8).text is None


_ANY_SPACE_RUN = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


@settings(max_examples=500, deadline=None, derandomize=True)
@given(
    st.lists(
        st.sampled_from(
            list("aü„ \t\u00a0\u2009\u200a\u202f\u205f\u3000\u00ad\u200b\ufeff\n\u200c\u2060")
        )
        | st.sampled_from(["  ", "e\u0301"]),
        max_size=30,
    ).map("".join)
)
def test_clean_line_makes_every_run_of_spaces_one_space(text: str) -> None:
    # The rule, written as one substitution: drop the invisibles, compose, one space a run.
    want = re.sub("[\u00ad\u200b\u200c\u200d\u2060\ufeff]", "", text)
    want = _ANY_SPACE_RUN.sub(" ", unicodedata.normalize("NFC", want)).strip()
    assert clean_line(text) == want


_WORDS_ALPHABET = (
    st.sampled_from(list("abcXYZ019 äöüßÄÖÜéèêáàłØ:–-.,\t\n\u00a0„“'")) | st.characters()
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_WORDS_ALPHABET | st.characters(), max_size=40).map("".join))
@example("Stadt Ulm")
@example("zwei  Leerzeichen")
@example(" vorn und hinten ")
@example("Łódź und Straße")
@example("")
def test_fold_words_is_the_folded_text_with_every_non_word_run_one_space(text: str) -> None:
    """fold_words takes a short cut for text that is already words between single spaces;
    it must give what the rule gives for any text: fold, every run of characters other than
    a-z and 0-9 one space, no space at either end."""
    assert fold_words(text) == re.sub(r"[^0-9a-z]+", " ", fold(text)).strip()
