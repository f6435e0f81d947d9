"""Issue 18, bounded inputs: the templates of a pack in preparation (``analyze --pack <folder>``) run
on a budget (``engine/templates.py``). A template with nested ``range()`` loops never ended; now the
rule's finding is « Non évaluable » with the French reason, the other rules are evaluated, and
``rules lint`` names the rule."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.hostile.kit import SAMPLES
from vmes_audit.base.resources import rules_folder
from vmes_audit.cli.main import app
from vmes_audit.engine.templates import render_commands, render_text
from jinja2 import TemplateError as TemplateBudgetExceeded
BUDGET = {"depth": 50}

runner = CliRunner()
RULE = "d2-not-domain-controller"
PASS_MESSAGE = 'message: "{{ hostname }} n\'est pas un contrôleur de domaine ({{ domain_role | role_fr }})."'


def hostile_pack(tmp: Path, message: str) -> Path:
    """rules/vmes-5.5 copied, the passing message of D2 replaced by ``message``."""
    pack = tmp / "pack-en-preparation"
    shutil.copytree(rules_folder() / "vmes-5.5", pack)
    path = pack / f"{RULE}.yaml"
    text = path.read_text(encoding="utf-8")
    assert PASS_MESSAGE in text, "the rule changed: update the test"
    path.write_text(text.replace(PASS_MESSAGE, f"message: {json.dumps(message, ensure_ascii=False)}"),
                    encoding="utf-8")
    return pack


def _analyse(pack: Path, out: Path):
    return runner.invoke(app, ["analyze", str(SAMPLES / "vmes01-2003-conforme.zip"), "-o", str(out), "--format",
                               "json", "--pack", str(pack), "--date", "2026-12-01"])


def _findings(out: Path) -> dict[str, dict]:
    data = json.loads((out / "resultats.json").read_text(encoding="utf-8"))
    return {f["rule_id"]: f for f in data["findings"]}


@pytest.mark.parametrize("message", [
    # 4 million iterations: ended after a while with a 4-million-character message
    "{% for i in range(2000) %}{% for j in range(2000) %}x{% endfor %}{% endfor %}",
    # ten billion: never ended
    "{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}",
    "{{ hostname * 100000000 }}",
])
def test_a_runaway_template_makes_its_rule_non_evaluable(message: str, tmp_path: Path) -> None:
    pack = hostile_pack(tmp_path, message)
    result = _analyse(pack, tmp_path / "out")
    assert result.exit_code == 0, result.output
    findings = _findings(tmp_path / "out")
    d2 = findings[RULE]
    assert d2["state"] == "unknown", (d2["state"], d2["message"][:200])
    assert d2["message"].startswith("Non évaluable : le modèle de texte de la règle dépasse le budget d'un texte "
                                    "de rapport (")
    assert "corrigez ce modèle dans le pack" in d2["message"] and len(d2["message"]) < 400
    assert findings["d1-os-supported"]["state"] == "pass"  # the other rules are evaluated


def test_the_lint_names_the_rule_and_its_case(tmp_path: Path) -> None:
    pack = hostile_pack(tmp_path, "{% for i in range(100000) %}{% for j in range(100000) %}.{% endfor %}{% endfor %}")
    result = runner.invoke(app, ["rules", "lint", "--pack", str(pack)])
    assert result.exit_code == 1, result.output
    assert f"{RULE} : cas « " in result.output
    assert "TemplateBudgetExceeded : le modèle de texte de la règle dépasse le budget" in result.output


@pytest.mark.parametrize("source,reason", [
    ("{{ 'x' * 10**10 }}", "répétition de 10 000 000 000 éléments"),
    ("{{ [0] * 10**8 }}", "répétition de 100 000 000 éléments"),
    ("{{ 10 ** 100000000 }}", "puissance 10 ** 100 000 000"),
    ("{{ '%0999999999d' % 1 }}", "argument 999 999 999 pour un format %"),
    ("{{ '{:>999999999}'.format(1) }}", "argument 999 999 999 pour « format »"),
    ("{{ 'x' | center(10**9) }}", "argument 1 000 000 000 pour « center »"),
    ("{{ 'x'.ljust(10**9) }}", "argument 1 000 000 000 pour « ljust »"),
    ("{{ range(10**9) | list | length }}", "argument 1 000 000 000 pour range()"),
    ("{{ 'ab' | replace('', 'x' * 900000) }}", "« replace » de 2 700 002 caractères"),
    ("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", f"plus de {BUDGET['depth']} appels imbriqués"),
    ("{% set s %}{% for i in range(90000) %}{{ 'y' * 1000 }}{% endfor %}{% endset %}{{ s | length }}",
     "texte produit de"),
    ("{% set ns = namespace(a=[]) %}{% for i in range(90000) %}{% set ns.a = ns.a + [i] %}{% endfor %}",
     "plus de 500 000 opérations"),
    ("{% for r in rows %}{% for s in rows %}{% for t in rows %}{% endfor %}{% endfor %}{% endfor %}",
     "plus de 500 000 opérations"),
])
def test_each_way_to_ask_for_unbounded_work_is_refused(source: str, reason: str) -> None:
    for render in (render_text, render_commands):
        with pytest.raises(TemplateBudgetExceeded) as caught:
            render(source, {"rows": list(range(100))})
        text = str(caught.value).replace("\u202f", " ")  # French thousands separator
        assert reason in text, text


def test_the_packs_own_texts_fit_the_budget_with_room() -> None:
    """The pack's heaviest pattern (a namespace list grown item by item, joined) on 500 rows."""
    source = ("{% set ns = namespace(parts=[]) %}{% for p in rows %}{% set ns.parts = ns.parts + [p.name ~ ' ('"
              " ~ p.count ~ ')'] %}{% endfor %}{{ ns.parts | join(', ') }}")
    rows = [{"name": f"OU=Conteneur {i},DC=exemple,DC=fr", "count": i} for i in range(500)]
    assert render_text(source, {"rows": rows}).count("OU=Conteneur") == 500
