"""LISEZMOI.txt, the French notice sent with the collector: Windows-1252, CRLF, and the
steps a customer needs (issue 9 item 12, issue 10 item 3)."""

from __future__ import annotations

from pathlib import Path

NOTICE = Path(__file__).resolve().parents[2] / "collector" / "LISEZMOI.txt"


def _text() -> str:
    data = NOTICE.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b""), "CRLF line ends"
    return data.decode("cp1252")


def test_unblock_comes_before_the_execution_policy():
    text = _text()
    unblock = text.index("Propriétés > bouton « Débloquer »")
    assert unblock < text.index("Set-ExecutionPolicy RemoteSigned")


def test_the_parameter_file_is_explained():
    text = _text()
    assert "collect-params.txt" in text.split("2. OPTIONS")[0]  # listed with the files
    assert "Une option de la ligne de commande l'emporte sur le fichier" in text


def test_windows_2000_skips_are_announced():
    assert "« sans objet », c'est normal" in _text()
