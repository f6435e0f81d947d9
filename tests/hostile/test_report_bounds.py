"""The report stays readable at scale: what no human reads is cut, and the report says so."""

from __future__ import annotations

import json
from pathlib import Path

from tests.hostile.conftest import analyse
from tests.hostile.kit import SampleZip, clone_server, rename_host
from vmes_audit.report.render import render_html, write_outputs


def test_many_conforming_per_server_cards_are_summarised_json_keeps_them_all(tmp_path: Path) -> None:
    sample = clone_server(SampleZip.open("vmes01-2003-conforme"), "EXCH01", [f"EXS{i:04d}" for i in range(29)])
    report = analyse([sample.write(tmp_path / "c.zip")]).report
    html = render_html(report)
    assert "B1 – " in html and "20 autres résultats « Conforme » ou « Non applicable » non détaillés ici" in html
    written = write_outputs(report, tmp_path / "out", {"json"})
    findings = json.loads(written["json"].read_text(encoding="utf-8"))["findings"]
    assert len([f for f in findings if f["rule_id"] == "b1-exchange-version"]) == 30


def test_manifest_annex_details_only_the_first_five_hosts(tmp_path: Path) -> None:
    paths = [rename_host(SampleZip.open("vmes01-2003-conforme"), f"VMES{i:02d}").write(tmp_path / f"{i}.zip")
             for i in range(7)]
    html = render_html(analyse(paths).report)
    assert html.count("non détaillé(s) ici au-delà du cinquième hôte") == 2


def test_a_forty_thousand_character_caption_is_cut(tmp_path: Path) -> None:
    sample = SampleZip.open("vmes01-2003-conforme").set_property("wmi_os", "Caption", "W" * 40000)
    html = render_html(analyse([sample.write(tmp_path / "c.zip")]).report)
    assert "W" * 40000 not in html and "texte tronqué\u00a0: 40\u202f000 caractères au total" in html
