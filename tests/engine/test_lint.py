"""The lint reports every problem of a broken pack at once, in French."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from vmes_audit.engine.pack import default_pack_dir, load_pack
from vmes_audit.base.errors import PackError


@pytest.fixture()
def pack_copy(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(default_pack_dir(), target)
    return target


def test_all_problems_reported_together(pack_copy: Path) -> None:
    # 1. an unknown key in a rule
    rule = yaml.safe_load((pack_copy / "c2-memory.yaml").read_text(encoding="utf-8"))
    rule["colour"] = "red"
    (pack_copy / "c2-memory.yaml").write_text(yaml.safe_dump(rule, allow_unicode=True), encoding="utf-8")
    # 2. an unknown artifact and an undefined selection
    rule = yaml.safe_load((pack_copy / "d6-internet-explorer.yaml").read_text(encoding="utf-8"))
    rule["requires"] = {"all": ["reg_internet_explorer"]}
    rule["outcomes"][0]["when"] = {"exists": "nowhere"}
    (pack_copy / "d6-internet-explorer.yaml").write_text(yaml.safe_dump(rule, allow_unicode=True), encoding="utf-8")
    # 3. a rule without cases
    (pack_copy / "d2-not-domain-controller.cases.yaml").unlink()
    # 4. a broken template
    rule = yaml.safe_load((pack_copy / "c1-processor-class.yaml").read_text(encoding="utf-8"))
    rule["observed"] = "{{ processor_mhz | mhz "
    (pack_copy / "c1-processor-class.yaml").write_text(yaml.safe_dump(rule, allow_unicode=True), encoding="utf-8")

    with pytest.raises(PackError) as err:
        load_pack(pack_copy)
    text = "\n".join(err.value.problems)
    assert "c2-memory.yaml : colour" in text
    assert "reg_internet_explorer" in text
    assert "sélection « nowhere »" in text
    assert "d2-not-domain-controller.yaml : aucun cas de test" in text
    assert "c1-processor-class.yaml : observed : modèle invalide" in text
    assert len(err.value.problems) >= 5


def test_file_name_must_match_id(pack_copy: Path) -> None:
    (pack_copy / "c2-memory.yaml").rename(pack_copy / "c2-ram.yaml")
    with pytest.raises(PackError) as err:
        load_pack(pack_copy)
    assert any("c2-ram.yaml : le nom du fichier" in p for p in err.value.problems)


def test_missing_pack_yaml(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="pack.yaml introuvable"):
        load_pack(tmp_path)


def test_a_finding_that_asks_for_action_says_what_to_do(pack_copy: Path) -> None:
    """A rule that can fail, warn or ask without a remediation would give the action plan an empty step."""
    rule = yaml.safe_load((pack_copy / "d6-internet-explorer.yaml").read_text(encoding="utf-8"))
    rule["remediation"] = ""
    (pack_copy / "d6-internet-explorer.yaml").write_text(yaml.safe_dump(rule, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PackError) as err:
        load_pack(pack_copy)
    assert any("d6-internet-explorer.yaml : l'état « fail » demande une action : remediation est vide" in p
               for p in err.value.problems), err.value.problems
