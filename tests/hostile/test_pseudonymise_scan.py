"""The rule of the pseudonymisation's final check (``workflows/pseudonymise_scan.py``): what counts
as a surviving name, its parts, the minimum lengths, the product's words that count only where they
name something; and the invariant that makes the check fail closed without refusing every report:
whatever the check finds, the replacement removes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vmes_audit.workflows.pseudonymise_scan import build_needles, scan_outputs
from vmes_audit.workflows.pseudonymise_vocabulary import product_words

WORDS = frozenset({"proxy", "exchange", "administrateurs", "service", "comptes", "le", "demande", "une", "serveur",
                   "domaine", "de", "du", "les", "messagerie", "exemple"})
PHRASES = "le proxy demande une authentification ; comptes de service ; microsoft exchange server"
NAMES = [
    ("exbtp01", "serveur", "SERVEUR-1"), ("exemple-btp.fr", "domaine", "DOMAINE-1"), ("BTP", "domaine", "DOMAINE-1"),
    ("proxy", "serveur", "SERVEUR-2"), ("DC", "serveur", "SERVEUR-3"), ("Jean-Baptiste Poquelin", "profil", "PROFIL-1"),
    ("gérard.léveillé", "adresse", "ADRESSE-1"), ("Siège Lyon", "uo", "UO-1"), ("Comptes de service", "uo", "UO-2"),
    ("2001:db8:4b1:0::1e", "ip", "IP-1"), ("10.5.0.25", "ip", "IP-2"), ("SERVEUR", "serveur", "SERVEUR-4"),
    ("Projet 2026", "uo", "UO-3"), ("corp.intra.lan", "domaine", "DOMAINE-2"),
]
NEEDLES = build_needles(NAMES, WORDS, PHRASES, frozenset({"DC"}))


def survivors(text: str) -> list[str]:
    return [s.needle.text for s in NEEDLES.survivors(text, "x", "y")]


@pytest.mark.parametrize("text,expected", [
    # strong names: anywhere as a whole word, whatever the case, accents and spaces
    ("Le serveur EXBTP01 répond", ["exbtp01"]),
    ("le serveur EXBTP012 répond", []),  # another word
    ("DC=DOMAINE-7_exbtp01,DC=fr", ["exbtp01"]),  # an underscore is a boundary
    ("siege\u00a0lyon et SIÈGE LYON", ["Siège Lyon", "Siège Lyon"]),
    ("partie : Poquelin", ["Poquelin"]),  # a word of 4 letters or more of a longer name
    ("le poste de Jean-Baptiste", ["Jean-Baptiste"]),
    ("de gérard, pour GERARD", ["gérard", "gérard"]),  # a dot-separated piece of an e-mail's local part
    ("sur exemple-btp.fr et sur exemple-btp", ["exemple-btp.fr", "exemple-btp"]),  # a DNS label
    ("hôte intra et corp", ["intra", "corp"]),  # every label but the last
    ("le TLD fr et lan", []),
    ("adresse 2001:db8:4b1::1e (compressée)", ["2001:db8:4b1::1e"]),
    ("10.5.0.25 mais pas 10.5.0.250", ["10.5.0.25"]),
    # product words and short names: only where they name something
    ("Le proxy demande une authentification (proxy : oui).", []),
    ("le profil « proxy » et «\u00a0PROXY\u00a0», pas « le proxy »", ["proxy", "proxy"]),
    ("X\\proxy, proxy.zone.lan, proxy:8080, CN=proxy,OU=x, x@proxy, http://proxy/", ["proxy"] * 6),
    ("un DC de secours ; DC=DOMAINE-1", []),
    ("DC.DOMAINE-1 et \\\\DC", ["DC", "DC"]),
    ("les comptes de service du domaine", []),  # a phrase of the product's texts
    ("OU=Comptes de service,DC=x", ["Comptes de service"]),
    ("Projet 2026", ["Projet 2026"]),  # the numbers alone are not searched for
    ("version 2026", []),
    # tokens are never names, even when a customer calls a host « SERVEUR »
    ("SERVEUR-1.DOMAINE-1 et SERVEUR-4", []),
    ("le serveur SERVEUR\\x", ["SERVEUR"]),
    # a weak name the customer wrote in capitals: also wherever it is written so, unless it is an acronym
    ("le proxy SERVEUR répond ; le serveur répond", ["SERVEUR"]),
])
def test_what_counts_as_a_surviving_name(text: str, expected: list[str]) -> None:
    assert survivors(text) == expected


def test_the_product_words_are_the_packs_the_templates_and_the_analyzers() -> None:
    from vmes_audit.engine.pack import load_pack

    words, phrases, acronyms = product_words(load_pack())
    assert {"DC", "NOC", "MAPI"} <= acronyms
    for word in ("exchange", "administrateurs", "proxy", "service", "serveur", "conforme", "messagerie", "wpad"):
        assert word in words, word
    for name in ("exbtp01", "chantiers", "poquelin", "vinci", "corp"):  # sample or random names are not
        assert name not in words, name
    assert "microsoft exchange server" in phrases


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([n[0] for n in NAMES] + ["le", "proxy", "BTP\\", ".", ":8080", "@", "CN=", ",",
                                                          "/", " ", "_", "-", "é", "SERVEUR-3", "\u00a0", "«", "»"]),
                max_size=30))
def test_the_replacement_removes_whatever_the_check_finds(parts: list[str]) -> None:
    text = "".join(parts)
    assert survivors(NEEDLES.scrub(text)) == [], (text, NEEDLES.scrub(text))


@pytest.mark.slow
def test_a_name_cut_at_the_end_of_a_pdf_line_is_found() -> None:
    import weasyprint

    html = ("<html><body><p style='width:2.6em; overflow-wrap: anywhere'>exbtp01</p>"
            "<p>le proxy demande</p></body></html>")
    document = weasyprint.HTML(string=html).render()
    found = scan_outputs(NEEDLES, {"rapport-vmes.pdf": b""}, document)
    assert [(s.needle.text, s.where) for s in found] == [("exbtp01", "page 1, nom coupé en fin de ligne")]


def test_console_lines_are_searched() -> None:
    found = scan_outputs(NEEDLES, {}, None, ["Évolution : 2 corrigé(s)", "Avertissement : exbtp01 injoignable"])
    assert [(s.needle.text, s.output, s.where) for s in found] == [("exbtp01", "la console", "ligne 2")]


def test_only_the_strings_of_the_json_are_read(tmp_path: Path) -> None:
    data = '{"a": "\\u00e9 g\\u00e9rard", "gerard": 1, "b": ["EXBTP01"]}'.encode()
    found = scan_outputs(NEEDLES, {"resultats.json": data})
    assert sorted((s.needle.text, s.where) for s in found) == [("exbtp01", "b[0]"), ("gérard", "a"),
                                                               ("gérard", "gerard")]
