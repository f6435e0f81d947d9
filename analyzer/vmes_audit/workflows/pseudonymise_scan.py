r"""Fail-closed pseudonymisation: every harvested name, and each of its parts, is searched for in
every output before anything is written; one survivor and the run writes nothing.

**What is searched for** (a *needle*): each name the harvest found
(``pseudonymise_harvest.py``, ``pseudonymise_names.py``) and its parts:

============================  ==================================================
name                          parts
============================  ==================================================
DNS name ``exbtp01.corp.fr``  every label but the last (``exbtp01``, ``corp``):
                              the top-level label (``fr``, ``local``) names nobody
``DOMAIN\account``            both sides
e-mail address                local part, its dot-separated pieces, the domain
canonical name ``a.fr/OU/x``  each segment
several words                 each word of 4 characters or more
(``Jean-Paul Durand``,        (``Jean-Paul``, ``Durand``)
``SG Direction Financière``)
IPv6 address                  its compressed form
============================  ==================================================

A needle is *strong* when it has at least 3 letters or digits (4 for a word
of a longer name) and is not one of the product's own words
(``pseudonymise_vocabulary.py``: the rule pack, the templates, the analyzer's
messages, Windows' names); addresses and SIDs are always strong. A strong
needle is a survivor wherever it appears as a whole word: not preceded or
followed by a letter or a digit (an underscore or a hyphen is a boundary:
``DOMAINE-7_vinci`` shows ``vinci``). A *weak* needle (« proxy »,
« Exchange », « Administrateurs », a two-letter host « DC ») is a survivor only
where it names something::

    DOMAINE\proxy   proxy\x   proxy@x   x@proxy   CN=proxy,   /proxy   SRV.proxy   proxy.corp   proxy:8080
    « proxy » (a name quoted alone, as the rules quote what they name)

(a hyphen continues a label: ``col.w-label`` names no host « w »; a name followed
by ``=`` is an attribute: ``/o=``; after a slash, a name of one or two characters
is a command's switch: ``dsacls /G``), and, when the customer wrote it in capitals
(a host « TEST », « PROXY »), wherever it appears in capitals, unless vmes-audit
itself writes it so (an acronym: « DC », « NOC », « MAPI »).
Parts shorter than 3 characters and numbers are not searched for; a name of one or two
characters is searched for where it names something (``CN=N,CN=Servers``). Comparison
is on folded text: case, accents, compatibility forms and every kind of space
are ignored (``Siège`` = ``SIEGE``; ``«\xa0Grand Ouest\xa0»`` = ``« Grand Ouest »``).
Tokens (``SERVEUR-1``) are never read as names.

**Where**: the JSON (every key and string), the CSV (every cell), the HTML
(its source with entities decoded, the ``<style>`` block of the product's CSS
apart, and its text without tags: a name split by a tag), the PDF (the text weasyprint laid out, page by page, lines joined with
and without a space — a name broken at the end of a line —, its metadata, link
targets and anchors), and the lines the console prints from the report.

The same needles replace the names in the report before it is rendered
(:meth:`NeedleSet.scrub`): what the check finds is what the replacement could
not reach (a renderer that adds text, a template that prints data itself).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from vmes_audit.base.errors import AuditError
from vmes_audit.workflows.pseudonymise_vocabulary import WORD_RE, fold_word

__all__ = ["Needle", "NeedleSet", "Survivor", "LeakError", "build_needles", "scan_outputs", "MIN_STRONG",
           "MIN_STRONG_WORD"]

MIN_STRONG = 3  # letters and digits of a strong name or part
MIN_STRONG_WORD = 4  # of a word cut out of a longer name
MAX_LISTED = 25  # survivors named in the error message
_MASK = "\u3007"  # stands for a token's characters: a letter for the patterns, never in a name
_WORD_CHAR = re.compile(r"[^\W_]")
_TOKEN_RE = re.compile(r"(?i)(?<![^\W_])(?:sid-domaine|groupe-admin|client|domaine|serveur|compte|groupe|"
                       r"organisation|uo|objet|ip|adresse|personne|profil|banque)-\d+(?!\d)")


class LeakError(AuditError):
    """Names of the customer would be written: nothing is. The message lists them, in French."""

    def __init__(self, survivors: list["Survivor"]) -> None:
        self.survivors = survivors
        lines = [f"  - « {s.needle.text} » ({s.needle.kind}"
                 + (f", partie de « {s.needle.name} »" if s.needle.name.casefold() != s.needle.text.casefold()
                    else "") + f") dans {s.output}, {s.where} : « … {s.context} … »"
                 for s in survivors[:MAX_LISTED]]
        if len(survivors) > MAX_LISTED:
            lines.append(f"  - et {len(survivors) - MAX_LISTED} autre(s)")
        super().__init__(
            "pseudonymisation incomplète, rapport non écrit : après remplacement, des noms du client restent "
            "lisibles dans les sorties :\n" + "\n".join(lines) + "\nAucun fichier n'a été écrit, ni le rapport "
            "ni la table de correspondance. Ne transmettez pas de rapport de cette collecte ; signalez ce cas "
            "(les lignes ci-dessus) à l'équipe vmes-audit. Sans --pseudonymise, le rapport complet reste "
            "possible pour un usage interne.")


@dataclass(frozen=True)
class Needle:
    text: str  # as harvested
    folded: str
    name: str  # the harvested name it is (part of)
    kind: str
    token: str
    strong: bool
    capitals: bool = False  # a weak whole name written in capitals: also searched for in capitals


@dataclass(frozen=True)
class Survivor:
    needle: Needle
    output: str  # file name, or « la console »
    where: str  # « page 3 », « ligne 12, colonne message », « findings[4].message »
    context: str


# -- folding ------------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch.isspace():
        return " "
    return fold_word(ch)


def fold_text(text: str) -> tuple[str, list[int] | None]:
    """The text folded (case, accents, compatibility forms, spaces), and for each of its characters
    the index of the original one (None: same length, same places)."""
    if text.isascii():
        return text.lower(), None
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        out.append(folded)
        index.extend([i] * len(folded))
    return "".join(out), index


def _masked(folded: str) -> str:
    return _TOKEN_RE.sub(lambda m: _MASK * len(m.group(0)), folded)


# -- needles ------------------------------------------------------------------------------------
def _core(folded: str) -> str:
    return "".join(ch for ch in folded if ch.isalnum())


def _parts(original: str, kind: str) -> list[tuple[str, int]]:
    """(part, minimum length to be strong) of a harvested name."""
    import ipaddress

    text = original.strip()
    parts: list[tuple[str, int]] = []
    if kind == "ip":
        try:
            compressed = str(ipaddress.IPv6Address(text.partition("%")[0]))
        except ValueError:
            return []
        return [(compressed, MIN_STRONG)] if compressed != text else []
    if kind == "sid":
        return []
    if "\\" in text:
        parts += [(p, MIN_STRONG) for p in text.split("\\") if p]
    if "@" in text:
        local, _, domain = text.rpartition("@")
        parts += [(local, MIN_STRONG), (domain, MIN_STRONG)]
        parts += [(p, MIN_STRONG) for p in local.split(".")]
        text = domain
    if "/" in text:
        parts += [(p, MIN_STRONG) for p in text.split("/") if p]
    if kind == "adresse":
        parts += [(p, MIN_STRONG) for p in text.split(".")]
    elif "." in text and " " not in text:
        labels = text.split(".")
        parts += [(label, MIN_STRONG) for label in labels[:-1]]
    if re.search(r"\s", text) or kind in ("personne", "client", "organisation"):
        parts += [(w, MIN_STRONG_WORD) for w in WORD_RE.findall(text)]
    return parts


@dataclass
class NeedleSet:
    needles: list[Needle]

    def __post_init__(self) -> None:
        strong = sorted({n.folded for n in self.needles if n.strong}, key=lambda s: (-len(s), s))
        weak = sorted({n.folded for n in self.needles if not n.strong}, key=lambda s: (-len(s), s))
        short = [w for w in weak if len(_core(w)) < MIN_STRONG]
        weak = [w for w in weak if w not in short]
        self.by_folded: dict[str, Needle] = {}
        for needle in self.needles:  # strong first, then the longest name: the first one found wins
            self.by_folded.setdefault(needle.folded, needle)
        self._strong = _alternation(strong, r"(?<![^\W_])", r"(?![^\W_])")
        # every occurrence, overlapping ones included, boundaries checked by the caller
        self._strong_anywhere = _alternation(strong, "(?=(", "))")
        # where a name names something; a hyphen continues a label (col.w-label is no host « w »), a name
        # followed by « = » is an attribute (/o=, CN=); after a slash, one or two letters are a command's
        # switch (dsacls /G), not a host
        self._weak = _contexts(weak, "\\\\@=/")
        self._short = _contexts(short, "\\\\@=")
        # a weak name written in capitals (a host « TEST », « PROXY »): also wherever it appears so,
        # the product writing these words in lower case
        capitals = sorted({n.text for n in self.needles if n.capitals}, key=lambda s: (-len(s), s))
        self._capitals = _alternation([re.escape(c) for c in capitals], r"(?<![^\W_])", r"(?![^\W_]|\s?=)",
                                      escaped=True)
        self._by_capitals = {n.text: n for n in self.needles if n.capitals}

    def hits(self, text: str, folded: str, index: list[int] | None) -> list[tuple[int, int, Needle]]:
        """(start, end, needle) in ``text``, the first, longest one where they overlap."""
        masked = _masked(folded)
        found: list[tuple[int, int, Needle]] = []
        for pattern in (self._strong, self._weak, self._short):
            if pattern is not None:
                for match in pattern.finditer(masked):
                    start, end = _span(index, match.start(), match.end())
                    found.append((start, end, self.needle(match)))
        if self._capitals is not None:
            for match in self._capitals.finditer(_TOKEN_RE.sub(lambda m: _MASK * len(m.group(0)), text)):
                found.append((match.start(), match.end(), self._by_capitals[match.group(0)]))
        found.sort(key=lambda hit: (hit[0], -hit[1]))
        kept, end = [], -1
        for hit in found:
            if hit[0] >= end:
                end = hit[1]
                kept.append(hit)
        return kept

    def needle(self, match: re.Match[str], group: int = 0) -> Needle:
        key = " ".join(match.group(group).split())
        return self.by_folded.get(key) or next(n for n in self.needles if _squeeze(n.folded) == _squeeze(key))

    def scrub(self, text: str) -> str:
        """``text`` with every needle the check would find replaced by its name's token."""
        if not text or not self.needles:
            return text
        folded, index = fold_text(text)
        out, last = [], 0
        for start, end, needle in self.hits(text, folded, index):
            out += [text[last:start], needle.token]
            last = end
        if not out:
            return text
        return "".join(out) + text[last:]

    def survivors(self, text: str, output: str, where: str, breaks: list[int] | None = None
                  ) -> Iterator[Survivor]:
        """``breaks``: offsets where lines were joined without a space (a PDF's lines); then only a
        strong name cut at one of them counts, a line's end being a boundary too (the rest is found
        in the text joined with spaces)."""
        folded, index = fold_text(text)
        hits = self.hits(text, folded, index) if breaks is None else self._across(folded, index, breaks)
        for start, end, needle in hits:
            context = " ".join(text[max(0, start - 45):end + 35].split())
            yield Survivor(needle, output, where, context)

    def _across(self, folded: str, index: list[int] | None, breaks: list[int]) -> list[tuple[int, int, Needle]]:
        if self._strong_anywhere is None:
            return []
        cuts = set(breaks) if index is None else {k for k, i in enumerate(index) if i in set(breaks)
                                                  and (k == 0 or index[k - 1] != i)}
        masked = _masked(folded)
        found, end = [], -1
        for match in self._strong_anywhere.finditer(masked):
            start, stop = match.start(1), match.end(1)
            if start < end or not any(start < cut < stop for cut in cuts):
                continue
            if (start == 0 or start in cuts or not _WORD_CHAR.match(masked[start - 1])) and (
                    stop == len(masked) or stop in cuts or not _WORD_CHAR.match(masked[stop])):
                end = stop
                found.append((*_span(index, start, stop), self.needle(match, 1)))
        return found


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _pattern(folded: str) -> str:
    return r"\s+".join(re.escape(word) for word in folded.split(" "))


def _alternation(items: list[str], before: str, after: str, escaped: bool = False,
                 flags: int = 0) -> re.Pattern[str] | None:
    if not items:
        return None
    return re.compile(before + "(?:" + "|".join(items if escaped else (_pattern(i) for i in items)) + ")" + after,
                      flags)


def _contexts(items: list[str], before: str) -> re.Pattern[str] | None:
    if not items:
        return None
    alternatives = "|".join(_pattern(i) for i in items)
    return re.compile(r"(?:(?<=[" + before + r"])|(?<=[^\W_]\.))(?:" + alternatives + r")(?![\w-]|\s?=)"
                      r"|(?<![\w-])(?:" + alternatives + r")(?=:\d|\.[^\W_]|[\\@])"
                      r"|(?:(?<=«)|(?<=«\s))(?:" + alternatives + r")(?=\s?»)")


def _span(index: list[int] | None, start: int, end: int) -> tuple[int, int]:
    if index is None:
        return start, end
    return index[start], index[end - 1] + 1


def build_needles(names: Iterable[tuple[str, str, str]], words: frozenset[str], phrases: str,
                  acronyms: frozenset[str] = frozenset()) -> NeedleSet:
    """``names``: (original, kind, token) of every harvested name; ``words``, ``phrases``, ``acronyms``:
    the product's (``pseudonymise_vocabulary.product_words``)."""
    found: dict[str, Needle] = {}

    def product(folded: str) -> bool:
        if WORD_RE.fullmatch(folded):
            return folded in words
        return re.search(r"(?<![^\W_])" + _pattern(folded) + r"(?![^\W_])", phrases) is not None

    ordered = sorted(names, key=lambda n: (-len(n[0]), n[0].casefold()))
    for original, kind, token in ordered:
        candidates = [(original, MIN_STRONG, True)] + [(p, m, False) for p, m in _parts(original, kind)]
        for text, minimum, whole in candidates:
            folded = " ".join(fold_word(text).split())
            core = _core(folded)
            if not core or (not whole and len(core) < MIN_STRONG):
                continue
            if core.isdigit() and kind not in ("ip", "sid"):
                continue  # a number is no name
            strong = kind in ("ip", "sid") or (len(core) >= minimum and not product(folded))
            capitals = (whole and not strong and len(core) >= 2 and text.strip().isupper()
                        and text.strip() not in acronyms)
            needle = Needle(text.strip(), folded, original, kind, token, strong, capitals)
            known = found.get(folded)
            # one needle per folded text: strong over weak, then a whole name over a part of another
            if known is None or (strong, whole) > (known.strong, known.name == known.text):
                found[folded] = needle
            elif capitals and not known.capitals:
                found[folded] = Needle(known.text, folded, known.name, known.kind, known.token, known.strong,
                                       True)
    return NeedleSet(sorted(found.values(), key=lambda n: (not n.strong, -len(n.folded), n.folded)))


# -- the outputs --------------------------------------------------------------------------------
_BLOCK_TAGS = re.compile(r"(?is)<(?:/?(?:p|div|td|th|tr|li|ul|ol|table|h\d|section|article|header|footer|br|"
                         r"dt|dd|dl|caption|thead|tbody|figure|figcaption|title|head|body|html|svg|text|g)\b)[^>]*>")
_TAG = re.compile(r"(?s)<[^>]*>")
_CLOSING_TAG = re.compile(r"</[A-Za-z][A-Za-z0-9]*\s*>")
_STYLE = re.compile(r"(?is)<style\b.*?</style>")


def _json_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path or "(racine)", value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}" if path else str(key), str(key)
            yield from _json_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for number, item in enumerate(value):
            yield from _json_strings(item, f"{path}[{number}]")


def _json_texts(data: bytes) -> Iterator[tuple[str, str]]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        yield "texte brut", data.decode("utf-8", "replace")
        return
    yield from _json_strings(document)


def _csv_texts(data: bytes) -> Iterator[tuple[str, str]]:
    text = data.decode("utf-8-sig", "replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    header = rows[0] if rows else []
    for number, row in enumerate(rows, start=1):
        for column, cell in enumerate(row):
            label = header[column] if column < len(header) and number > 1 else str(column + 1)
            yield f"ligne {number}, colonne « {label} »", cell


def _html_texts(data: bytes) -> Iterator[tuple[str, str]]:
    # the <style> block is the product's CSS file (table.kv, a.pageref), never data; its lines stay counted
    source = _STYLE.sub(lambda m: "\n" * m.group(0).count("\n"), data.decode("utf-8", "replace"))
    for number, line in enumerate(source.splitlines(), start=1):  # closing tags hold no data: </p> is no « /p »
        yield f"ligne {number}", html.unescape(_CLOSING_TAG.sub(lambda m: " " * len(m.group(0)), line))
    shown = _TAG.sub("", _BLOCK_TAGS.sub("\n", _STYLE.sub("\n", source)))
    for number, line in enumerate(html.unescape(shown).splitlines(), start=1):
        if line.strip():
            yield f"texte affiché, ligne {number}", line


def _pdf_texts(document: Any) -> Iterator[tuple[str, str] | tuple[str, str, list[int]]]:
    """The text weasyprint laid out (``weasyprint.Document``), page by page."""
    from weasyprint.formatting_structure import boxes

    def blocks(box: Any) -> Iterator[list[str]]:
        """The lines of each block (a paragraph, a table cell): a name can be cut only there."""
        children = getattr(box, "children", None) or []
        if any(isinstance(child, boxes.LineBox) for child in children):
            yield ["".join(b.text for b in child.descendants() if isinstance(b, boxes.TextBox))
                   for child in children if isinstance(child, boxes.LineBox)]
        for child in children:
            if not isinstance(child, boxes.LineBox):
                yield from blocks(child)

    for number, page in enumerate(document.pages, start=1):
        page_blocks = list(blocks(page._page_box))
        yield f"page {number}", "\n".join(" ".join(lines) for lines in page_blocks)
        joined, breaks = [], []
        length = 0
        for lines in page_blocks:
            for index, line in enumerate(lines):
                if index:
                    breaks.append(length)
                joined.append(line)
                length += len(line)
            joined.append("\n")
            length += 1
        yield f"page {number}, nom coupé en fin de ligne", "".join(joined), breaks
        targets = [str(link[1]) for link in page.links] + [str(name) for name in page.anchors]
        targets += [str(mark[1]) for mark in page.bookmarks]
        if targets:
            yield f"page {number} (liens, ancres et signets)", "\n".join(targets)
    metadata = document.metadata
    values = [metadata.title, metadata.description, metadata.generator, metadata.lang]
    values += list(metadata.authors or []) + list(metadata.keywords or [])
    values += [str(v) for v in (metadata.custom or {}).values()]
    yield "métadonnées", "\n".join(str(v) for v in values if v)


def scan_outputs(needles: NeedleSet, contents: dict[str, bytes], pdf_document: Any = None,
                 console: list[str] = ()) -> list[Survivor]:
    """Every survivor in the outputs about to be written (file name -> bytes), the PDF's laid-out
    document and the console lines; an empty list when the outputs are clean."""
    found: list[Survivor] = []
    seen: set[tuple[str, str, str]] = set()

    def add(texts: Iterable[tuple], output: str) -> None:
        for where, text, *breaks in texts:
            for survivor in needles.survivors(text, output, where, breaks[0] if breaks else None):
                key = (survivor.needle.folded, output, survivor.context)
                if key not in seen:
                    seen.add(key)
                    found.append(survivor)

    for name, data in contents.items():
        if name.endswith(".json"):
            add(_json_texts(data), name)
        elif name.endswith(".csv"):
            add(_csv_texts(data), name)
        elif name.endswith(".html"):
            add(_html_texts(data), name)
        elif name.endswith(".pdf"):
            if pdf_document is None:
                raise ValueError("the PDF's laid-out document is needed to read its text")
            add(_pdf_texts(pdf_document), name)
    add(((f"ligne {n}", line) for n, line in enumerate(console, start=1)), "la console")
    return found

