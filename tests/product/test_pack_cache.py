"""The validated pack cache and the template bytecode cache: faster, never wrong, never trusted blindly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from vmes_audit.engine import pack as pack_module
from vmes_audit.engine import pack_cache
from vmes_audit.engine.pack import load_pack
from vmes_audit.base.errors import PackError


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(pack_cache.ENV_CACHE, str(folder))
    return folder


@pytest.fixture()
def pack_copy(root: Path, tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(root / "rules" / "vmes-5.5", target)
    return target


def _no_yaml(monkeypatch) -> None:
    def refuse(path, problems):
        raise AssertionError(f"{path} read although the pack is cached")

    monkeypatch.setattr(pack_module, "_read_yaml", refuse)


def test_a_clean_pack_is_cached_and_the_next_load_reads_no_yaml(cache: Path, pack_copy: Path, monkeypatch) -> None:
    first = load_pack(pack_copy)
    (entry,) = (cache / "packs").glob("pack-*.pickle")
    assert oct((cache / "packs").stat().st_mode & 0o777) == "0o700"
    _no_yaml(monkeypatch)
    second = load_pack(pack_copy)
    assert second.pack == first.pack and second.rules == first.rules and second.cases == first.cases
    assert second.path == pack_copy and second.problems == []
    assert entry.exists()


def test_any_edit_of_the_pack_is_a_miss(cache: Path, pack_copy: Path) -> None:
    load_pack(pack_copy)
    rule = pack_copy / "c2-memory.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace("title:", "colour: red\ntitle:", 1), encoding="utf-8")
    with pytest.raises(PackError) as err:
        load_pack(pack_copy)
    assert "colour" in str(err.value)
    with pytest.raises(PackError):  # a broken pack is never stored
        load_pack(pack_copy)
    assert len(list((cache / "packs").glob("pack-*.pickle"))) == 1


def test_a_damaged_or_untrusted_entry_is_ignored(cache: Path, pack_copy: Path) -> None:
    load_pack(pack_copy)
    (entry,) = (cache / "packs").glob("pack-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert load_pack(pack_copy).pack.id == "vmes-5.5"
    entry.chmod(0o666)  # writable by others: someone else could have written it
    assert pack_cache.load_cached(entry.name[len("pack-"):-len(".pickle")]) is None


def test_lint_never_reads_the_cache(cache: Path, pack_copy: Path, monkeypatch) -> None:
    load_pack(pack_copy)
    calls = []
    real = pack_module._read_yaml
    monkeypatch.setattr(pack_module, "_read_yaml", lambda path, problems: calls.append(path) or real(path, problems))
    load_pack(pack_copy, strict=False)
    assert len(calls) > 70


def test_the_cache_can_be_turned_off(tmp_path: Path, pack_copy: Path, monkeypatch) -> None:
    monkeypatch.setenv(pack_cache.ENV_CACHE, "off")
    assert pack_cache.cache_folder() is None
    load_pack(pack_copy)
    assert pack_cache.template_bytecode_cache() is None


def test_an_unwritable_cache_only_costs_time(tmp_path: Path, pack_copy: Path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv(pack_cache.ENV_CACHE, str(blocker / "cache"))  # cannot be created
    assert load_pack(pack_copy).pack.id == "vmes-5.5"


def test_compiled_templates_are_reused_and_a_broken_entry_is_recompiled(cache: Path) -> None:
    bytecode = pack_cache.template_bytecode_cache()
    assert bytecode is not None
    from jinja2 import FunctionLoader
    from jinja2.sandbox import SandboxedEnvironment

    sources = {"t": "{{ a }} et {{ b | default('?') }}"}
    env = SandboxedEnvironment(loader=FunctionLoader(lambda n: (sources[n], None, lambda: True)),
                               bytecode_cache=bytecode)
    assert env.get_template("t").render(a=1) == "1 et ?"
    (entry,) = (cache / "templates").iterdir()
    entry.write_bytes(b"garbage")
    env2 = SandboxedEnvironment(loader=FunctionLoader(lambda n: (sources[n], None, lambda: True)),
                                bytecode_cache=bytecode)
    assert env2.get_template("t").render(a=2) == "2 et ?"
    shutil.rmtree(cache)  # gone mid-run: compiling still works
    env3 = SandboxedEnvironment(loader=FunctionLoader(lambda n: (sources[n], None, lambda: True)),
                                bytecode_cache=bytecode)
    assert env3.get_template("t").render(a=3) == "3 et ?"
    assert not os.path.exists(cache)


def test_a_change_of_the_models_is_a_miss(cache: Path, pack_copy: Path, monkeypatch, tmp_path: Path) -> None:
    from vmes_audit.engine import model

    before = pack_cache.pack_key(pack_copy, (Path(model.__file__),))
    edited = tmp_path / "model.py"
    edited.write_bytes(Path(model.__file__).read_bytes() + b"\n# a new field\n")
    monkeypatch.setattr(model, "__file__", str(edited))
    assert pack_cache.pack_key(pack_copy, (Path(model.__file__),)) != before
    from vmes_audit.base import findings
    from vmes_audit.engine import action_plan_spec
    from vmes_audit.engine.pack import _MODEL_SOURCES

    assert {p.name for p in _MODEL_SOURCES} == {Path(m.__file__).name for m in (model, findings, action_plan_spec)}
