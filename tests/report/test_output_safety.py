"""Writing the report safely (issue 13): never through a planted link, whole or not at all, nothing left behind."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vmes_audit.cli.main import app
from vmes_audit.report import render
from vmes_audit.base.output_folder import OutputError, OutputFolder, scratch_directory
from vmes_audit.report.render import OUTPUT_NAMES, PdfUnavailable, write_outputs

runner = CliRunner()
ALL = set(OUTPUT_NAMES)


def _victims(tmp_path: Path) -> dict[str, Path]:
    """One file per output name, outside the output folder, that an attacker wants overwritten."""
    victims = {}
    for name in OUTPUT_NAMES.values():
        victim = tmp_path / "ailleurs" / f"cible-{name}"
        victim.parent.mkdir(exist_ok=True)
        victim.write_text("contenu à protéger\n", encoding="utf-8")
        victims[name] = victim
    return victims


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_link_at_every_output_name_leaves_its_target_untouched(report, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victims = _victims(tmp_path)
    for name, victim in victims.items():
        (out / name).symlink_to(victim)
    with pytest.raises(OutputError) as err:
        write_outputs(report, out, ALL)
    message = str(err.value)
    for name, victim in victims.items():
        assert f"{out / name}" in message and "lien symbolique" in message
        assert victim.read_text(encoding="utf-8") == "contenu à protéger\n"
        assert (out / name).is_symlink() and os.readlink(out / name) == str(victim)
    assert _leftovers(out) == []


def test_the_cli_says_why_and_exits_3(samples_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victims = _victims(tmp_path)
    for name, victim in victims.items():
        (out / name).symlink_to(victim)
    result = runner.invoke(app, ["analyze", str(samples_dir / "vmes01-2003-conforme.zip"), "-o", str(out),
                                 "--format", "pdf,html,json,csv,questionnaire"])
    assert result.exit_code == 3, result.output
    assert "Erreur : rapport non écrit, pour ne pas écraser un autre fichier" in result.output
    for name, victim in victims.items():
        assert f"« {out / name} » est un lien symbolique (vers « {victim} »)" in result.output
        assert victim.read_text(encoding="utf-8") == "contenu à protéger\n"
    assert _leftovers(out) == []


def test_a_link_on_one_name_only_refuses_the_whole_run(report, tmp_path: Path) -> None:
    """No mixed folder: the JSON of this run next to the HTML of another."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "resultats.json").write_text("ancien", encoding="utf-8")
    victim = _victims(tmp_path)["rapport-vmes.html"]
    (out / "rapport-vmes.html").symlink_to(victim)
    with pytest.raises(OutputError):
        write_outputs(report, out, {"json", "html"})
    assert (out / "resultats.json").read_text(encoding="utf-8") == "ancien"
    assert victim.read_text(encoding="utf-8") == "contenu à protéger\n"


def test_an_output_folder_that_is_a_link_is_reported(report, tmp_path: Path) -> None:
    real = tmp_path / "partage"
    real.mkdir()
    link = tmp_path / "out"
    link.symlink_to(real)
    with pytest.raises(OutputError) as err:
        write_outputs(report, link, {"json"})
    assert f"le dossier de sortie « {link} » est un lien symbolique (vers « {real} »)" in str(err.value)
    assert list(real.iterdir()) == []


def test_a_folder_or_device_at_an_output_name_is_refused(report, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "resultats.json").mkdir(parents=True)
    with pytest.raises(OutputError) as err:
        write_outputs(report, out, {"json"})
    assert "existe et n'est pas un fichier ordinaire" in str(err.value)


def test_a_hard_link_is_replaced_not_written_through(report, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = _victims(tmp_path)["resultats.json"]
    os.link(victim, out / "resultats.json")
    write_outputs(report, out, {"json"}, force=True)  # an unknown resultats.json: replaced with --force only
    assert victim.read_text(encoding="utf-8") == "contenu à protéger\n"
    assert (out / "resultats.json").read_text(encoding="utf-8").startswith("{")


def test_a_link_planted_during_the_run_is_refused_at_the_move(report, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = _victims(tmp_path)["resultats.json"]
    real_render = render.render_html

    def render_and_plant(rep, *args, **kwargs):
        (out / "resultats.json").symlink_to(victim)  # after the first check, before the move
        return real_render(rep, *args, **kwargs)

    monkeypatch.setattr(render, "render_html", render_and_plant)
    with pytest.raises(OutputError) as err:
        write_outputs(report, out, {"json", "html"})
    assert "resultats.json" in str(err.value)
    assert victim.read_text(encoding="utf-8") == "contenu à protéger\n"
    assert not (out / "rapport-vmes.html").exists() and _leftovers(out) == []


def test_an_interrupted_run_changes_no_report_and_leaves_no_temporary_file(report, tmp_path: Path,
                                                                           monkeypatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "resultats.json").write_text("rapport précédent", encoding="utf-8")

    def interrupted(rep, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(render, "render_html", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(report, out, {"json", "csv", "html"}, force=True)
    assert sorted(p.name for p in out.iterdir()) == ["resultats.json"]
    assert (out / "resultats.json").read_text(encoding="utf-8") == "rapport précédent"


def test_ctrl_c_gives_a_french_message_exit_130_and_an_empty_temp_dir(samples_dir: Path, tmp_path: Path,
                                                                       monkeypatch) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    out = tmp_path / "out"

    def interrupted(html, target):
        (Path(tempfile.mkdtemp(prefix="weasyprint-")) / "font").write_bytes(b"x")  # what weasyprint leaves
        raise KeyboardInterrupt

    monkeypatch.setattr(render, "_write_pdf", interrupted)
    result = runner.invoke(app, ["analyze", str(samples_dir / "vmes01-2003-conforme.zip"), "-o", str(out),
                                 "--format", "json,pdf"])
    assert result.exit_code == 130, result.output
    assert "Erreur : analyse interrompue : les fichiers temporaires sont supprimés" in result.output
    assert list(temp.iterdir()) == []
    assert list(out.iterdir()) == []


def test_scratch_directory_is_removed_on_every_exit_path(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for failure in (None, RuntimeError("boom"), KeyboardInterrupt()):
        try:
            with scratch_directory() as folder:
                assert tempfile.gettempdir() == str(folder)
                (Path(tempfile.mkdtemp()) / "f").write_text("x")
                if failure:
                    raise failure
        except (RuntimeError, KeyboardInterrupt):
            pass
        assert not folder.exists()
        assert tempfile.tempdir == str(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_staged_files_are_hidden_until_commit(tmp_path: Path) -> None:
    with OutputFolder(tmp_path, ["a.txt"]) as folder:
        with folder.staged("a.txt") as handle:
            handle.write(b"data")
        assert not (tmp_path / "a.txt").exists()
        (hidden,) = _leftovers(tmp_path)
        assert hidden.startswith(".a.txt.")
        folder.commit()
    assert (tmp_path / "a.txt").read_bytes() == b"data" and _leftovers(tmp_path) == []


def _no_weasyprint(monkeypatch, error: type[Exception]) -> None:
    class Missing:
        def find_spec(self, name, path=None, target=None):
            if name == "weasyprint":
                raise error("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")
            return None

    monkeypatch.delitem(__import__("sys").modules, "weasyprint", raising=False)
    monkeypatch.setattr(__import__("sys"), "meta_path", [Missing(), *__import__("sys").meta_path])


@pytest.mark.parametrize("error", [OSError, ImportError])
def test_without_the_pdf_libraries_html_and_json_are_still_written(report, tmp_path: Path, monkeypatch,
                                                                   error) -> None:
    _no_weasyprint(monkeypatch, error)
    (tmp_path / "rapport-vmes.pdf").write_bytes(b"%PDF- ancien")
    with pytest.raises(PdfUnavailable) as err:
        write_outputs(report, tmp_path, {"pdf", "html", "json"}, force=True)
    assert set(err.value.written) == {"html", "json"}
    assert (tmp_path / "rapport-vmes.html").is_file() and (tmp_path / "resultats.json").is_file()
    assert not (tmp_path / "rapport-vmes.pdf").exists()  # a stale PDF would look like this run's
    assert "PDF non produit" in str(err.value) and "libpango" in str(err.value)
    assert "L'ancien rapport-vmes.pdf du dossier" in str(err.value)


def test_the_cli_without_pdf_libraries_writes_the_rest_and_exits_4(samples_dir: Path, tmp_path: Path,
                                                                  monkeypatch) -> None:
    _no_weasyprint(monkeypatch, OSError)
    result = runner.invoke(app, ["analyze", str(samples_dir / "vmes01-2003-conforme.zip"), "-o", str(tmp_path)])
    assert result.exit_code == 4, result.output
    assert "Erreur : PDF non produit : weasyprint ne peut pas charger ses bibliothèques" in result.output
    assert "sudo apt-get install libpango-1.0-0" in result.output and "-----" not in result.output
    assert {p.name for p in tmp_path.iterdir()} == {"rapport-vmes.html", "resultats.json", "resultats.csv",
                                                    "questionnaire.yaml", ".vmes-audit-rapport.json"}


# ---- issue 20: never a file of another customer's report next to this one -------------------------

def _run(samples_dir: Path, sample: str, out: Path, *args: str):
    return runner.invoke(app, ["analyze", str(samples_dir / sample), "-o", str(out), "--date", "2026-12-06",
                               *args], env={"VMES_AUDIT_SETTINGS": "off", "VMES_AUDIT_PDF_PROCESS": "off"})


def test_another_customer_s_report_is_refused_without_force(samples_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "rapport"
    assert _run(samples_dir, "vmes05-echecs-2003.zip", out, "--client", "BTP", "--format", "json,csv,html").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    result = _run(samples_dir, "vmes01-2003-conforme.zip", out, "--client", "Assurances", "--format", "json")
    assert result.exit_code == 3, result.output
    assert "contient déjà le rapport du client « BTP »" in result.output and "--force" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing written, nothing removed


def test_other_inputs_of_the_same_client_are_another_report(samples_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "rapport"
    assert _run(samples_dir, "vmes05-echecs-2003.zip", out, "--client", "X", "--format", "json").exit_code == 0
    result = _run(samples_dir, "vmes01-2003-conforme.zip", out, "--client", "X", "--format", "json")
    assert result.exit_code == 3 and "le rapport d'autres collectes" in result.output, result.output


def test_force_replaces_it_and_removes_what_is_not_rewritten(samples_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "rapport"
    assert _run(samples_dir, "vmes05-echecs-2003.zip", out, "--client", "BTP", "--format", "json,csv,html").exit_code == 0
    result = _run(samples_dir, "vmes01-2003-conforme.zip", out, "--client", "Assurances", "--format", "json", "--force")
    assert result.exit_code == 0, result.output
    assert "Le dossier contenait le rapport du client « BTP » : remplacé (--force)" in result.output
    assert "supprimés car non régénérés : rapport-vmes.html, resultats.csv" in result.output
    assert sorted(p.name for p in out.iterdir()) == [".vmes-audit-rapport.json", "resultats.json"]
    assert json.loads((out / "resultats.json").read_text(encoding="utf-8"))["client"] == "Assurances"


def test_the_same_report_again_keeps_its_other_formats_and_says_so(samples_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "rapport"
    assert _run(samples_dir, "vmes01-2003-conforme.zip", out, "--client", "A", "--format", "json,csv").exit_code == 0
    result = _run(samples_dir, "vmes01-2003-conforme.zip", out, "--client", "A", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "resultats.csv : laissé par une analyse précédente des mêmes collectes" in result.output
    assert (out / "resultats.csv").is_file()


def test_a_report_of_unknown_origin_is_not_mixed_with_this_one(samples_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "rapport"
    out.mkdir()
    (out / "rapport-vmes.pdf").write_bytes(b"%PDF- d'une version sans fichier d'identite")
    result = _run(samples_dir, "vmes01-2003-conforme.zip", out, "--format", "json")
    assert result.exit_code == 3 and "dont l'origine n'est pas connue" in result.output, result.output


def test_the_identity_file_alone_tells_the_same_report(samples_dir: Path, tmp_path: Path) -> None:
    """Without resultats.json (--format csv), the hidden identity file says whose report it is."""
    out = tmp_path / "rapport"
    for _ in range(2):
        result = _run(samples_dir, "vmes01-2003-conforme.zip", out, "--client", "A", "--format", "csv")
        assert result.exit_code == 0, result.output
    assert _run(samples_dir, "vmes05-echecs-2003.zip", out, "--client", "B", "--format", "csv").exit_code == 3
