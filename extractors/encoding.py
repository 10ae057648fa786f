"""Bytes to text for fetched pages, and a content sniffer that says what a body really is.

Servers lie about charsets, omit them, or name ones Python spells differently; browsers
follow the WHATWG Encoding Standard, so labels are mapped the way they do. Pure functions.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

import charset_normalizer
from bs4.dammit import EncodingDetector

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Labels browsers accept that Python's codec registry does not know.
_EXTRA_LABELS = {
    "x-gbk": "gbk", "csgb2312": "gbk", "gb_2312-80": "gbk", "cn-big5": "big5", "x-x-big5": "big5",
    "windows-874": "cp874", "x-sjis": "shift_jis", "windows-31j": "cp932", "x-mac-roman": "mac-roman",
    "unicode-1-1-utf-8": "utf-8", "x-unicode20utf8": "utf-8", "x-cp1252": "cp1252",
}
# WHATWG decodes these labels with a superset codec (gb2312 pages routinely contain GBK-only
# characters such as 喆; "latin1" pages contain cp1252 quotes).
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs", "iso8859-1": "cp1252", "ascii": "cp1252",
    "iso8859-9": "cp1254", "tis-620": "cp874", "euc_kr": "cp949", "shift_jis": "cp932", "utf-16": "utf-16-le",
}
# ASCII-incompatible or script-injecting encodings a page may not switch to by label.
_REFUSED = {"utf-7", "utf-32", "utf-32-le", "utf-32-be"}
# The encodings of the WHATWG Encoding Standard (https://encoding.spec.whatwg.org/#names-and-labels),
# as `codec_for` names them: the only ones a browser decodes a page with, so the only ones a
# guess may pick. A detector's pick outside them (cp775, mac-latin2, cp850, cp1006, ...) is
# an artefact of too few non-ASCII bytes, not a page anyone wrote.
_WEB_CODECS = {
    "utf-8", "utf-16-le", "utf-16-be", "cp866", "koi8-r", "koi8-u", "mac-roman", "mac-cyrillic", "cp874",
    *(f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)),
    *(f"cp{n}" for n in range(1250, 1259)),
    "gb18030", "big5hkscs", "euc_jp", "iso2022_jp", "cp932", "cp949",
}

_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?([^\s;"']+)""", re.I)
_META_WINDOW = 4096

# Control bytes that never occur in text (WHATWG MIME sniffing's "binary data bytes").
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_ROOT = re.compile(rb"<(?:!doctype\s+)?(html|rss|feed|rdf:rdf|urlset|sitemapindex|opml)\b")
_HTML_TAG = re.compile(rb"<(?:head|body|div|p|a|table|title|meta|script|style|h[1-6]|br|article|iframe|font|b)[\s/>]|<!--")


def codec_for(label: str | None) -> str | None:
    """The Python codec a browser would decode `label` with; None for unknown or refused labels."""
    if not label:
        return None
    label = label.strip().lower()
    try:
        info = codecs.lookup(_EXTRA_LABELS.get(label, label))
    except (LookupError, ValueError):  # ValueError: a NUL inside the label
        return None
    if not info._is_text_encoding or info.name in _REFUSED:
        return None
    return _SUPERSETS.get(info.name, info.name)


@dataclass
class Decoded:
    """A decoded body: the text, the codec that read it, and what went wrong on the way (one line each)."""

    text: str
    codec: str
    warnings: list[str] = field(default_factory=list)


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """`decode_document(body, content_type).text`."""
    return decode_document(body, content_type).text


def decode_document(body: bytes, content_type: str | None = None) -> Decoded:
    """Decode a page: BOM, then valid multi-byte UTF-8, then declared charsets, then detection.

    Valid non-ASCII UTF-8 beats a legacy label because it is practically never accidental
    (a page labelled iso-8859-1 but written in UTF-8 must read 'Zürich', not 'ZÃ¼rich').
    A page's own multi-byte charset (BOM or `<meta>`) that decodes the bytes beats a
    single-byte one in the HTTP header (servers default to iso-8859-1). A declared codec that
    reads most of the bytes keeps them, with U+FFFD for the few stray ones, rather than
    letting detection pick another codec for the whole page. Every decode that needed
    replacement characters, that overrode every label, or that guessed a legacy charset
    nothing declared, says so in `warnings`. Never raises.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return _lenient(body[len(bom):], codec, [])
    utf8 = _strict(body, "utf-8")
    if utf8 is not None and not body.isascii():
        return Decoded(utf8, "utf-8")
    declared = _declared(body, content_type)
    for codec in declared:
        text = _strict(body, codec)
        if text is not None:
            return Decoded(text, codec)
    if utf8 is not None:
        return Decoded(utf8, "utf-8")
    for codec in declared:
        text, good, bad = _count_replacements(body, codec)
        if good > bad:  # the label is right; a few bytes are broken
            return Decoded(text, codec, [f"{bad} undecodable byte sequence(s) in {codec} replaced with U+FFFD"])
    detected = _detect(body)
    if declared:
        notes = [f"bytes do not match the declared charset ({', '.join(declared)}); decoded as {detected}"]
    else:
        notes = [f"no charset declared and the bytes are not UTF-8; guessed {detected}"]
    return _lenient(body, detected, notes)


def looks_binary(body: bytes) -> bool:
    """Over 5% of the first 4 KB are bytes text never holds (WHATWG's binary data bytes):
    image or compressed data. One stray NUL in a real page is not enough."""
    head = body[:_META_WINDOW]
    return len(_BINARY_BYTES.findall(head)) > len(head) // 20


def header_charset(content_type: str | None) -> str | None:
    """The charset label of a Content-Type header value, as written; None when it names none."""
    m = _CT_CHARSET.search(content_type or "")
    return m.group(1) if m else None


def sniff(body: bytes, content_type: str | None) -> str:
    """What a body is: "html", "feed" (XML or JSON), "text", "pdf", "binary" or "empty".

    Labels are trusted only where the bytes agree, so random bytes served as text/html are
    "binary" and an HTML page served as RSS is "html".
    """
    mime = (content_type or "").split(";")[0].strip().lower()
    if not body.strip():
        return "empty"
    head = body[:_META_WINDOW]
    if head.startswith(b"%PDF-") or mime == "application/pdf":
        return "pdf"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = decode_html(head).encode("utf-8", "replace")
    elif looks_binary(head):
        return "binary"
    head = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    root = _ROOT.search(head)
    if root:
        return "html" if root.group(1) == b"html" else "feed"
    if head.startswith(b"<?xml") or (head.startswith(b"{") and "json" in mime):
        return "feed"
    return "html" if _HTML_TAG.search(head) else "text"


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except UnicodeDecodeError:
        return None


def _count_replacements(body: bytes, codec: str) -> tuple[str, int, int]:
    """(text decoded with U+FFFD for bad bytes, non-ASCII characters read, replacements made)."""
    text = body.decode(codec, "replace")
    replaced = text.count("\ufffd")
    if codec == "utf-8":
        replaced -= body.count("\ufffd".encode())  # U+FFFD written in the page itself
    good = sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
    return text, good, replaced


def _lenient(body: bytes, codec: str, notes: list[str]) -> Decoded:
    text, _, bad = _count_replacements(body, codec)
    if bad:
        notes = [*notes, f"{bad} undecodable byte sequence(s) in {codec} replaced with U+FFFD"]
    return Decoded(text, codec, notes)


def _multibyte(codec: str) -> bool:
    """A codec that writes a CJK character in more than one byte (UTF-8, GBK, Big5, Shift_JIS, ...)."""
    return len("中".encode(codec, "ignore")) > 1


def _declared(body: bytes, content_type: str | None) -> list[str]:
    """Codecs the page is declared in, the one to try first first; unknown labels dropped.

    The HTTP header comes before the page's own `<meta>` (or XML declaration), except that a
    multi-byte `<meta>` charset goes first when the header names a single-byte one.
    """
    header = codec_for(header_charset(content_type))
    meta = codec_for(EncodingDetector.find_declared_encoding(body[:_META_WINDOW], is_html=True, search_entire_document=True))
    if meta and meta.startswith("utf-16"):
        meta = "utf-8"  # a page that could be read to find its meta is not UTF-16 (WHATWG)
    found = [header, meta]
    if header and meta and not _multibyte(header) and _multibyte(meta):
        found = [meta, header]
    return list(dict.fromkeys(c for c in found if c))


def _detect(body: bytes) -> str:
    """Guess the codec of legacy bytes: charset-normalizer's best guess among the encodings a
    browser knows (`_WEB_CODECS`); ties go to windows-1252, the web's default, which is also
    the answer when no such guess fits and it reads the bytes (else UTF-8, with replacements)."""
    results = [(codec_for(m.encoding), m) for m in charset_normalizer.from_bytes(body)]  # best first
    web = [(codec, m) for codec, m in results if codec in _WEB_CODECS]
    if not web:
        return "cp1252" if _strict(body, "cp1252") is not None else "utf-8"
    best_codec, best = web[0]
    for _, match in web:
        tied = match.chaos == best.chaos and match.coherence == best.coherence
        if tied and "cp1252" in match.could_be_from_charset:
            return "cp1252"
    return best_codec or "utf-8"
