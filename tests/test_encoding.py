"""Charset decoding and content sniffing on the farm's hostile pages and on built bytes."""

from __future__ import annotations

import codecs

import httpx
import pytest

from extractors.encoding import codec_for, decode_document, decode_html, sniff
from extractors.page import parse_page
from flows.extract import extract_file

MOJIBAKE = ("Ã", "\ufffd")

# (path, strings the decoded page must contain): the manifest's must_contain / ideal_contains.
CHARSET_PAGES = [
    ("/hostile/charset-lies-latin1", ["Zürich", "São Paulo", "“twin cities”"]),
    ("/hostile/charset-lies-utf8", ["café", "Zürich", "São Paulo", "“"]),
    ("/hostile/charset-bogus-label", ["Zürich"]),
    ("/hostile/utf16-bom", ["Zürich"]),
    ("/hostile/gbk-header", ["签署经济合作协议", "陈喆"]),
    ("/hostile/gbk-meta", ["签署经济合作协议"]),
    ("/hostile/gbk-undeclared", ["签署经济合作协议"]),
    ("/hostile/gb2312-label-gbk-bytes", ["陈喆", "签署经济合作协议"]),
    ("/hostile/big5-meta", ["簽署經濟合作協議"]),
    ("/hostile/big5-undeclared", ["簽署經濟合作協議"]),
]


def _get(farm, path: str) -> tuple[bytes, str | None]:
    response = httpx.get(farm.url(path), timeout=10)
    return response.content, response.headers.get("content-type")


@pytest.mark.parametrize(("path", "expected"), CHARSET_PAGES)
def test_hostile_charset_pages_decode(farm, path, expected):
    body, content_type = _get(farm, path)
    text = decode_html(body, content_type)
    for needle in expected:
        assert needle in text
    assert not any(bad in text for bad in MOJIBAKE)
    assert sniff(body, content_type) == "html"


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("gb2312", "gb18030"), ("GBK", "gb18030"), ("x-gbk", "gb18030"), (" big5 ", "big5hkscs"),
        ("iso-8859-1", "cp1252"), ("latin1", "cp1252"), ("us-ascii", "cp1252"), ("utf8", "utf-8"),
        ("x-no-such-charset", None), ("utf-7", None), ("rot13", None), ("", None), (None, None),
    ],
)
def test_labels_map_like_browsers(label, codec):
    assert codec_for(label) == codec


def test_boms_win_over_labels():
    text = "Zürich ünd"
    assert decode_html(codecs.BOM_UTF8 + text.encode(), "text/html; charset=gbk") == text
    assert decode_html(codecs.BOM_UTF16_BE + text.encode("utf-16-be")) == text


def test_header_beats_meta_and_meta_utf16_means_utf8():
    body = '<meta charset="big5"><p>签署</p>'.encode("gbk")
    assert "签署" in decode_html(body, "text/html; charset=gbk")
    assert decode_html(b'<meta charset="utf-16"><p>plain</p>') == '<meta charset="utf-16"><p>plain</p>'


def test_http_equiv_meta_and_ascii_compatible_label():
    body = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><p>café</p>'.encode("cp1252")
    assert "café" in decode_html(body)
    jis = "日本語".encode("iso-2022-jp")  # pure ASCII bytes: the label must still be honoured
    assert decode_html(jis, "text/html; charset=iso-2022-jp") == "日本語"


def test_never_raises_on_junk():
    assert decode_html(b"") == ""
    junk = decode_html(bytes(range(256)) * 4, "text/html; charset=\x00bogus")  # a bogus label is ignored
    assert len(junk) == 1024 and junk.count("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 4 and "\ufffd" in junk  # one char a byte


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/hostile/binary-as-html", "binary"),
        ("/hostile/empty-200", "empty"),
        ("/hostile/pdf", "pdf"),
        ("/hostile/feed-not-xml", "html"),
        ("/hostile/malformed-rss", "feed"),
        ("/site0/rss.xml", "feed"),
        ("/site0/atom.xml", "feed"),
        ("/site0/feed.json", "feed"),
        ("/site0/article/0.html", "html"),
        ("/robots.txt", "text"),
    ],
)
def test_sniff_farm_bodies(farm, path, kind):
    assert sniff(*_get(farm, path)) == kind


def test_sniff_built_bodies():
    assert sniff(b"  \n ", "text/html") == "empty"
    assert sniff(b'<?xml version="1.0"?><!DOCTYPE html><html></html>', "application/xhtml+xml") == "html"
    assert sniff(b"<div>fragment</div>", "text/html") == "html"
    assert sniff(codecs.BOM_UTF16_LE + "<html><p>x</p></html>".encode("utf-16-le"), "text/html") == "html"
    assert sniff(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/html") == "binary"


def _german_page(stray: bytes = b"") -> bytes:
    text = "Die Bürgermeisterin von Zürich hat über die Größe des Hafens gesprochen, sagte ein Sprecher. "
    body = f'<html><head><meta charset="utf-8"><title>Hafen</title></head><body><article><p>{text * 6}</p></article></body></html>'
    raw = body.encode()
    return raw[:400] + stray + raw[400:]


def test_a_page_declared_utf8_keeps_utf8_with_replacements_and_says_so():
    decoded = decode_document(_german_page(b"\x81\x8d\xfe"), "text/html; charset=utf-8")
    assert decoded.codec == "utf-8" and decoded.text.count("\ufffd") == 3
    assert "Bürgermeisterin" in decoded.text and "Ã" not in decoded.text
    assert decoded.warnings == ["3 undecodable byte sequence(s) in utf-8 replaced with U+FFFD"]
    article = parse_page(_german_page(b"\x81\x8d\xfe"), "text/html; charset=utf-8")
    assert article.warnings == decoded.warnings


def test_a_clean_page_has_no_warning():
    assert decode_document(_german_page(), "text/html; charset=utf-8").warnings == []
    assert parse_page(_german_page(), "text/html; charset=utf-8").warnings == []


def test_the_pages_multibyte_charset_beats_a_single_byte_header():
    body = '<meta http-equiv="Content-Type" content="text/html; charset=gbk"><p>洋山港四期自动化码头</p>'.encode("gbk")
    assert "洋山港四期" in decode_html(body, "text/html; charset=ISO-8859-1")
    body = '<meta charset="windows-1252"><p>café</p>'.encode("cp1252")
    assert "café" in decode_html(body, "text/html; charset=iso-8859-1")  # both single-byte: the header's


def test_one_nul_byte_in_a_real_page_is_not_binary():
    page = _german_page(b"\x00")
    assert sniff(page, "text/html") == "html"
    assert "Zürich" in parse_page(page, "text/html").body


def test_decode_warnings_reach_newsflow_extract(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(_german_page(b"\x81\x8d\xfe"))
    record = extract_file(path)
    warnings = record["article"]["warnings"]
    assert warnings[0] == "3 undecodable byte sequence(s) in utf-8 replaced with U+FFFD"
    assert len(warnings) == 2 and warnings[1].startswith("analysis limited: the page is in 'de'")  # German: no English NER


_ENGLISH = ("<html><head><title>Café chain expands</title></head><body><article><p>The café chain signed a €20 million "
            "agreement in Zürich on Monday, officials said. The deal covers new cafés across the region.</p></article></body></html>")


@pytest.mark.parametrize(
    ("codec", "content_type", "warning"),
    [
        ("cp1252", "text/html", "no charset declared and the bytes are not UTF-8; guessed cp1252"),
        ("cp1252", None, "no charset declared and the bytes are not UTF-8; guessed cp1252"),
        ("cp1252", "text/html; charset=utf-8", "bytes do not match the declared charset (utf-8); decoded as cp1252"),
        ("latin-1", "text/html; charset=utf-8", "bytes do not match the declared charset (utf-8); decoded as cp1252"),
    ],
)
def test_mostly_ascii_western_pages_read_as_windows_1252_and_say_it_was_a_guess(codec, content_type, warning):
    page = _ENGLISH if codec == "cp1252" else _ENGLISH.replace("€20", "20")
    decoded = decode_document(page.encode(codec), content_type)
    assert "café" in decoded.text and "Zürich" in decoded.text and "cafés" in decoded.text
    assert codec == "latin-1" or "€20 million" in decoded.text
    assert decoded.codec == "cp1252" and decoded.warnings == [warning]


def test_a_guess_is_never_a_codepage_no_browser_knows_yet_other_scripts_keep_theirs():
    russian = "<p>Соглашение подписано в Москве в понедельник, сообщили официальные лица.</p>"
    greek = "<p>Η συμφωνία υπογράφηκε στην Αθήνα τη Δευτέρα, ανέφεραν αξιωματούχοι.</p>"
    assert decode_document(russian.encode("cp1251")).text == russian
    assert decode_document(greek.encode("cp1253")).text == greek


def test_a_windows_1252_page_without_charset_reaches_newsflow_extract_with_a_warning(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(_ENGLISH.encode("cp1252"))
    article = extract_file(path)["article"]
    assert "€20 million agreement in Zürich" in article["body"] and article["title"] == "Café chain expands"
    assert article["warnings"] == ["no charset declared and the bytes are not UTF-8; guessed cp1252"]
