"""Texts that state a cause the evidence does not show (issue 19, sweep of sections A to E).

Exchange denies Send As / Receive As at organisation level to Enterprise Admins, the root domain's Domain
Admins and the setup account (bb123738), not to BUILTIN\\Administrators: D2's reason for refusing a domain
controller must not claim that deny."""

from __future__ import annotations

from vmes_audit.engine.pack import load_pack


def _rule(rule_id: str):
    return next(r for r in load_pack().rules if r.id == rule_id)


def test_d2_does_not_claim_exchange_denies_send_as_to_the_administrators_group() -> None:
    why = _rule("d2-not-domain-controller").why
    assert "Envoyer comme" not in why and "refuse" not in why, why
    assert "BUILTIN\\Administrators" in why and "AdminSDHolder" in why
