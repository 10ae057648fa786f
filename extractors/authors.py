"""The people who wrote an article, from its structured data and its byline.

Sources, first that names a person wins: JSON-LD `author` (Person objects and strings; an
Organization is the source, not an author), `<meta name="author">`-style tags, then the
page's markup: `rel="author"` and `itemprop="author"` elements, byline-classed elements,
links to author pages, and labelled lines ("By ...", "Von ...", "Autorin/Autor ...").

Every value is cleaned the same way: labels ("By"), roles ("reporter", "기자"), agencies
(the reference list: they are the source, kept apart), the site's own name, profile URLs,
e-mail addresses and dates go; lists are split on commas, "and" and their equivalents
(word lists in `schemas/reference/bylines.tsv`); names are de-duplicated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from extractors.agencies import agency_name
from extractors.dates import date_label
from extractors.markup import HOOKS, attrs, clean, role_names, squash
from extractors.publishers import alternatives
from schemas.names import name_key
from schemas.reference import alternation, known_place, limit, pattern, word_lists

_MAX_NAME = limit("author_name_max_chars")
_MAX_EDITOR_LINE = limit("editor_line_max_chars")
_MAX_CLOSING_NAME = limit("closing_name_max_chars")
# "Reporting by", "Writing by" in a wire sign-off, the names in group "names" (the `writer_credit` hook of
# `extractors.publishers`); "Additional reporting by" credits helpers, not the writer.
_WRITER_CREDIT = re.compile(alternatives("writer_credit"), re.I)
_MAX_WORDS = limit("author_name_max_words")
_BYLINE_CLASS = pattern("byline")
_NOT_BYLINE_CLASS = pattern("not_byline")
_AUTHOR_PATH = pattern("author_path")
_PARTICLES = frozenset(word_lists("bylines.tsv")["particle"])  # "von der", "da": lower-case words inside a name
# Degrees and suffixes after a comma: "Ilana Muhlstein, MS, RDN" is one person.
_CREDENTIAL = re.compile(r"[A-Z]{2,4}|Ph\.?\s?D|M\.?D|Jr|Sr|I{2,3}|IV")
_EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|\S+\.(?:com|org|net|de|at|ch|fr|es|it|uk|no|se|dk)\b", re.I)
_NOT_IN_NAME = re.compile(r"[\d_?!@#:=+<>{}]")  # digits, a question ("Forget password?"), a handle, markup
_PAREN = re.compile(r"\s*[(\[][^)\]]*(?:[)\]]|$)")
_SCRIPT_AUTHOR = re.compile(
    r"""["']?(?:author_?name|authors?|byline|writer)["']?\s*[:=]\s*(?:\[\s*)?["'](?P<name>[^"'\\<>{}\n]{3,80})["']"""
    r'|"credits"\s*:\s*\{\s*"by"\s*:\s*\[\s*\{[^{}]*?"name"\s*:\s*"(?P<arc>[^"\\]{3,80})"', re.I)
# Parts of a byline that hold something else than a name.
_NOT_NAME_PART = pattern("not_name_part")


@dataclass(frozen=True)
class _Words:
    label: re.Pattern[str]
    split: re.Pattern[str]
    role: re.Pattern[str]
    junk: re.Pattern[str]
    tail: re.Pattern[str]
    editor: re.Pattern[str]  # "Edited by", "Editing by", "Editor:": the names after it edited, not wrote
    job_words: frozenset[str]  # words that qualify a job ("senior", "political"): with a role, a title


@cache
def _words() -> _Words:
    table = word_lists("bylines.tsv")

    def words(kind: str) -> str:
        return alternation(table[kind])

    return _Words(
        label=re.compile(rf"^(?:{words('label')})\s*[:：]?(?:\s+|$)", re.I),
        split=re.compile(rf"\s*(?:[;|/&·•，、]|\s(?:{words('separator')})\s)\s*", re.I),
        role=re.compile(rf"(?:^|\s)(?:{words('role')})(?=\s|$)", re.I),
        junk=re.compile(rf"(?:^|\b)(?:{words('junk')})(?:\b|$)", re.I),
        tail=re.compile(rf"(?<=\w)\s+(?:{words('tail')})\s+\S.*$|(?<=\w)\s+(?:{words('tail')})$"),
        job_words=frozenset(table["job"]),
        editor=re.compile(rf"(?:^|[;(]\s*)(?:{words('editor')})\s*[:：]?\s+(?P<names>[^;()]+)", re.I),
    )


@dataclass
class Authors:
    """Names found, and the agencies a byline named (they are the article's source, not authors)."""

    names: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)


def find_authors(
    doc: etree._Element, ld: dict[str, Any], meta_values: list[str], publishers: set[str | None], url: str | None
) -> Authors:
    """The article's authors: the first source that names a person (see the module docstring)."""
    bad = _publisher_keys(publishers, url)
    found = Authors()
    sources: tuple[Callable[[], list[tuple[bool, list[str]]]], ...] = (
        lambda: [(True, _ld_people(ld))],
        lambda: [(False, meta_values)],
        lambda: [(False, _marked_authors(doc))],
        lambda: [(False, group) for group in _byline_elements(doc)],
        lambda: [(False, _author_links(doc))],
        lambda: [(False, group) for group in _labelled_lines(doc)],
        lambda: [(False, _script_authors(doc))],
    )
    for source in sources:
        for structured, values in source():
            names = clean_authors(values, bad, found.agencies, structured)
            if names and (editors := _edited(doc, names)):
                names = [n for n in names if name_key(n) not in editors]
            if names:
                found.names = names
                return found
    return found


def clean_authors(
    values: list[str], bad: AbstractSet[str] = frozenset(), agencies: list[str] | None = None, structured: bool = False
) -> list[str]:
    """Person names from byline strings: labels, roles, agencies (appended to `agencies`), the
    publisher (`bad`: word keys) and junk dropped, lists split, "Last, First" kept whole.
    `structured` values (JSON-LD Person names) are trusted to be names as written, so their
    case is not judged."""
    out: list[str] = []
    seen: set[str] = set()
    hosts = {b for b in bad if "." in b}
    for value in values:
        for h in hosts:  # "Deutsche Welle (www.dw.com)": the publisher, naming itself by its address
            value = re.sub(rf"[^,;|]*\([^)]*{re.escape(h)}[^)]*\)", " ", value, flags=re.I)
        for k, name in enumerate(_names_in(value)):
            if agency := agency_name(name):
                if agencies is not None and agency not in agencies:
                    agencies.append(agency)
                continue
            if not _is_name(name, bad, structured) or k and known_place(name):
                continue  # "Jane Doe | New Delhi": a place after the name is the desk's
            key = name_key(name)
            if key not in seen:
                seen.add(key)
                out.append(_uncapped(name))
    return out


def signed_by(lines: list[str]) -> list[str]:
    """The writers a wire sign-off names ("(Reporting by Jane Doe in London; Editing by John Roe)"
    gives Jane Doe): reporters and writers, not editors or additional reporters."""
    out: list[str] = []
    for line in lines:
        for m in _WRITER_CREDIT.finditer(line):
            out += [n for n in clean_authors([m["names"]]) if n not in out]
    return out


def closing_name(paragraph: str) -> str | None:
    """The author's name when a story's last paragraph is only that ("Lê Phương", "— Jane Doe",
    "By Jane Doe"), else None."""
    text = _words().label.sub("", paragraph.strip(" —–-*")).strip()
    if text == paragraph.strip() and not paragraph.strip().startswith(("—", "–", "-")) and len(text.split()) < 2:
        return None
    names = _names_in(text)
    name = names[0] if len(names) == 1 else None
    return name if name and name == text and len(name) <= _MAX_CLOSING_NAME and _is_name(name, set(), False) else None


def reads_as_byline(text: str) -> bool:
    """A line that credits the writer, not a picture: "Von Eileen Wagner 10.09.2025", "By Jane Doe",
    a bare job title ("Redakteur")."""
    w = _words()
    text = squash(text)
    return bool(w.label.match(text + " ")) or (len(text.split()) <= 3 and not w.role.sub("", " " + text).strip())


def _names_in(value: str) -> list[str]:
    """The name candidates of one byline string."""
    w = _words()
    value = squash(_EMAIL_OR_URL.sub(" ", _PAREN.sub(" ", value or "")))
    value = w.label.sub("", value.strip(" .,;:|-–—*•·"))  # "By" before the list is split; the rest per name
    out = []
    for part in w.split.split(value):
        for name in _split_commas(part) if "," in part else [part]:
            name = _strip(name)
            if name:
                out.append(name)
    return out


def _strip(text: str) -> str:
    """A candidate without its label ("By"), parentheses ("(obe)", "(dpa)"), roles and edge punctuation."""
    w = _words()
    prev = None
    while prev != text:
        prev = text
        text = _PAREN.sub(" ", text)
        text = w.label.sub("", text.strip(" .,;:|-–—*•·"))
        unroled = squash(w.role.sub(" ", text))
        if unroled != text and unroled and all(word.lower() in w.job_words for word in unroled.split()):
            return ""  # "Senior Political Reporter": a job title whole, no name in it
        text = squash(w.tail.sub("", unroled))
    return text.strip(" .,;:|-–—*•·'\"“”‘’")


def _split_commas(part: str) -> list[str]:
    """"Smith, John" is one person; "John Smith, Jane Doe" is two; "Rachel Lind, MS, RDN" is one."""
    pieces = [p.strip() for p in part.split(",") if p.strip()]
    if len(pieces) == 2 and all(len(p.split()) == 1 for p in pieces) and not _CREDENTIAL.fullmatch(pieces[1]):
        return [part.strip()]
    people = [p for p in pieces if not _CREDENTIAL.fullmatch(p)]
    people = people[:1] + [p for p in (_job_source(p) for p in people[1:]) if p]
    # "Seb Dumitru, Lille", "Jane Doe, Washington": a lone word after a full name is a place or a desk
    if len(people) >= 2 and len(people[0].split()) >= 2 and all(len(p.split()) == 1 and p.isascii() for p in people[1:]):
        return people[:1] + [p for p in people[1:] if agency_name(p)]  # an agency is kept as the source
    return people


def _job_source(piece: str) -> str:
    """What is left of a piece after a name that ends on a job word: the agency it opens with
    ("AP Auto Writer" -> "AP"), else nothing ("Senior Political Correspondent"); other pieces stay."""
    words = piece.split()
    if len(words) < 2 or not _words().role.search(" " + words[-1]) and not _words().role.search(" " + " ".join(words[-2:])):
        return piece
    return next((w for w in words[:2] if agency_name(w)), "")


def _is_name(name: str, bad: AbstractSet[str], structured: bool) -> bool:
    words = name.replace(",", " ").split()
    if not (2 <= len(name) < _MAX_NAME and 1 <= len(words) <= _MAX_WORDS) or _NOT_IN_NAME.search(name):
        return False
    if _words().junk.search(name) or _CREDENTIAL.fullmatch(name) or date_label(name) or words[0].lower() == "the":
        return False  # a desk, a credential, a date label, a publication ("The Daily Ledger")
    key = name_key(name)
    if any(key == b or (len(b) > 2 and f" {b} " in f" {key} ") for b in bad if "." not in b):
        return False
    if structured:
        return True
    if len(words) == 1 and name.isascii():  # a lone Latin word is a nickname, a desk or a place
        return False
    return all(not w[0].islower() or w.lower() in _PARTICLES for w in words)


def _uncapped(name: str) -> str:
    """"LISA MASCARO" (a wire byline in capitals) as "Lisa Mascaro"; mixed case is kept as written."""
    return name.title() if name.isupper() and len(name) > 3 else name


def _publisher_keys(publishers: set[str | None], url: str | None) -> set[str]:
    """Word keys of the publisher's names and of its host's words ("mdr", "kicker")."""
    keys = {name_key(p).removeprefix("the ") for p in publishers if p}
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.") if url else ""
    keys |= {w for w in re.split(r"[.\-]", host) if len(w) > 3} - {"news", "online"}
    if "." in host:
        keys.add(host)  # the site's own address, as some pages name themselves the author
    return {k for k in keys if k}


def _ld_people(ld: dict[str, Any]) -> list[str]:
    """Names of JSON-LD authors (then creators) that are not organizations."""
    for key in ("author", "creator"):
        value = ld.get(key)
        items = value if isinstance(value, list) else [value]
        names = []
        for item in items:
            if isinstance(item, dict):
                kind = str(item.get("@type") or "").lower()
                if "organization" in kind or "organisation" in kind:
                    continue
                item = item.get("name")
                if isinstance(item, list):
                    item = item[0] if item else None
            if isinstance(item, str) and (text := clean(item)):
                names.append(text)
        if names:
            return names
    return []


def _marked_authors(doc: etree._Element) -> list[str]:
    """Elements the page marks as its author: rel="author" links and itemprop="author" (their
    itemprop="name" when they have one)."""
    out = []
    for el in doc.xpath('//*[@rel="author" or @itemprop="author"]')[:6]:
        if el.tag == "link" or el.tag == "meta":
            continue
        for target in el.xpath('.//*[@itemprop="name"]') or [el]:  # one author element may name several people
            text = target.get("content") if target.tag == "meta" else target.text_content()
            if text and len(text) < 150:
                out.append(squash(text))
    return out


def _byline_elements(doc: etree._Element) -> list[list[str]]:
    """Byline-classed elements in page order, each as its text pieces; an element's siblings of
    the same class join it (one author per <span class="author">)."""
    groups: list[list[str]] = []
    seen: set[etree._Element] = set()
    for el in doc.iter("div", "span", "p", "a", "address", "li", "strong", "b", "small", "section", "header"):
        if el in seen or not _is_byline(el):
            continue
        if any(_is_byline(p) for p in el.iterancestors()):
            continue  # its byline ancestor is read whole
        parent = el.getparent()
        mark = _mark(el)
        family = [el] + ([s for s in parent if s is not el and any(mark) and _mark(s) == mark] if parent is not None else [])
        seen.update(family)
        pieces = [p for member in family if _short(member) for p in _pieces(member)]
        if pieces:
            groups.append(pieces)
        if len(groups) == 4:
            break
    return groups


def _mark(el: etree._Element) -> tuple[str | None, ...]:
    """What names an element as a byline: its class and its script hooks."""
    return (el.get("class"), *(el.get(k) for k in HOOKS)) if isinstance(el.tag, str) else (None,)


def _is_byline(el: etree._Element) -> bool:
    """Named a byline by its class or id, or by the test and component hooks of script-built pages
    (`data-testid="byline-contributors"`, `data-component="byline-block"`, `data-qa="author-name"`)."""
    if not isinstance(el.tag, str):
        return False
    return _byline_named(role_names(el))


@lru_cache(maxsize=4096)
def _byline_named(names: str) -> bool:
    """Class, id or hook words naming a byline (pages repeat their class strings: cached)."""
    return bool(names) and bool(_BYLINE_CLASS.search(names)) and not _NOT_BYLINE_CLASS.search(names)


def _short(el: etree._Element) -> bool:
    text = el.text_content()
    return bool(text.strip()) and len(squash(text)) <= 200 and not (el.find(".//p") is not None and len(text) > 120)


def _pieces(el: etree._Element) -> list[str]:
    """Every text node of `el` on its own, but those of parts the byline marks as something else
    than a name (the publication, the job, the date: "<span class="publication">Argus Leader</span>")."""
    out: list[str] = []
    aside = None
    for event, node in etree.iterwalk(el, events=("start", "end")):
        if aside is None and event == "start" and isinstance(node.tag, str):
            if node is not el and _NOT_NAME_PART.search(attrs(node)):
                aside = node
            else:
                out.append(node.text or "")
        elif event == "end":
            if node is aside:
                aside = None
            if aside is None and node is not el:
                out.append(node.tail or "")
    return [t for t in (squash(t) for t in out) if t]


def _author_links(doc: etree._Element) -> list[str]:
    """Links to an author's page ("/author/jane-doe", "/autoren/name/max-kolter") among the first of the page."""
    out = []
    for a in doc.iter("a"):
        href = a.get("href") or ""
        if _AUTHOR_PATH.search(urlsplit(href).path if "://" in href else href.split("?")[0]):
            text = squash(a.text_content())
            if 2 < len(text) < 60:
                out.append(text)
        if len(out) == 4:
            break
    return out


def _edited(doc: etree._Element, names: list[str]) -> set[str]:
    """Word keys of those of `names` the page labels as editors ("Editor: Jane Doe", "Editing by
    Jane Doe") in a short line: structured data sometimes names the editor as the author. One
    XPath finds the texts holding any of the names."""
    variables = {f"n{k}": name for k, name in enumerate(names)}
    query = ("//text()[not(parent::script or parent::style)][" + " or ".join(f"contains(., ${v})" for v in variables) + "]")
    keys = {name_key(n) for n in names}
    out: set[str] = set()
    seen: set[etree._Element] = set()
    for t in doc.xpath(query, **variables):
        el = t.getparent() if t.is_text else t.getparent().getparent()
        for box in (el, el.getparent() if el is not None else None):
            if box is None or box in seen:
                continue
            seen.add(box)
            line = squash(box.text_content())
            if len(line) <= _MAX_EDITOR_LINE:
                out |= keys & {name_key(n) for m in _words().editor.finditer(line)
                               for n in clean_authors([m["names"]], structured=True)}
    return out


def _script_authors(doc: etree._Element) -> list[str]:
    """Author names a page's scripts carry (`authorName: "By Jane Doe"`, `"byline":"..."`, Arc XP's
    `"credits":{"by":[{"name":"..."}]}`) when its markup shows no byline: the last source."""
    out: list[str] = []
    for script in doc.iter("script"):
        if not script.text or "ld+json" in (script.get("type") or "").lower():
            continue
        out += [squash(m["name"] or m["arc"]) for m in _SCRIPT_AUTHOR.finditer(script.text)]
        if len(out) >= 4:
            break
    return out[:4]


def _labelled_lines(doc: etree._Element) -> list[list[str]]:
    """Short elements whose own text opens with a byline label: "By Jane Doe",
    "<strong>Autorin/Autor</strong> Roman Goncharenko"; each as its text pieces."""
    label = _words().label
    out = []
    for el in doc.iter("p", "div", "span", "li", "dd", "address"):
        first = squash(el.text or "")
        if not first and len(el) and el[0].tag in ("strong", "b", "em", "span", "small", "label"):
            first = squash(el[0].text_content())
        if not first or not label.match(first + " ") or len(squash(el.text_content())) > 150:
            continue
        out.append(_pieces(el))
        if len(out) == 3:
            break
    return out
