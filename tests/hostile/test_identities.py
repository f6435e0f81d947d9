"""Issue 18, identities by DN, never by name: a homonym, a lookalike group, a forged Format-List line.

Built from the compliant Exchange 2007 organisation (vmes03 + ems-exch07), where the service account
holds ViewOnlyAdmin through its membership of the real « Exchange View-Only Administrators » group and
Get-ExchangeAdministrator lists it. Each test takes that evidence away and plants a forgery: F8 must
never pass on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.conftest import analyse, finding
from tests.hostile.forgeries import ACCOUNT, _without_the_role
from tests.hostile.kit import SampleZip



def _f8(tmp_path: Path, vmes: SampleZip, ems: SampleZip):
    report = analyse([vmes.write(tmp_path / "vmes.zip"), ems.write(tmp_path / "ems.zip")]).report
    return finding(report, "f8-exchange2007-view-only-admin")


def test_the_compliant_organisation_passes(tmp_path: Path) -> None:
    f8 = _f8(tmp_path, SampleZip.open("vmes03-2007"), SampleZip.open("ems-exch07"))
    assert f8.state.value == "pass", f8.message


def test_without_the_role_f8_fails(tmp_path: Path) -> None:
    vmes, ems = SampleZip.open("vmes03-2007"), SampleZip.open("ems-exch07")
    _without_the_role(vmes, ems)
    f8 = _f8(tmp_path, vmes, ems)
    assert f8.state.value == "fail", f8.message


@pytest.mark.parametrize("homonym", [
    "ad.exemple-transports.fr/Autres comptes/VistoAdmin",   # same name, another OU
    "VistoAdmin",                                          # a bare name
    "AUTRE\\VistoAdmin",                                     # another domain
    "ad.exemple-transports.fr/Exemple/Comptes de service/VistoAdmin-test",
])
def test_a_homonym_holding_view_only_admin_is_not_the_account(tmp_path: Path, homonym: str) -> None:
    vmes, ems = SampleZip.open("vmes03-2007"), SampleZip.open("ems-exch07")
    _without_the_role(vmes, ems)
    ems.set_text("ems_exchangeadministrator", ems.text("ems_exchangeadministrator") +
                 f"\r\nIdentity : {homonym}\r\nRole     : ViewOnlyAdmin\r\nScope    :\r\n\r\n")
    f8 = _f8(tmp_path, vmes, ems)
    assert f8.state.value != "pass", f8.message


def test_a_lookalike_group_in_another_ou_is_no_role_group(tmp_path: Path) -> None:
    """A group named « Exchange View-Only Administrators » created in any OU, and EMS listing no role."""
    vmes, ems = SampleZip.open("vmes03-2007"), SampleZip.open("ems-exch07")
    _without_the_role(vmes, ems)
    lookalike = "CN=Exchange View-Only Administrators,OU=Groupes,OU=Exemple,DC=ad,DC=exemple-transports,DC=fr"
    vmes.set_text("ad_service_account_groups", vmes.text("ad_service_account_groups").replace(
        "CN=GG-Lecture,OU=Groupes,OU=Exemple,DC=ad,DC=exemple-transports,DC=fr", lookalike).replace(
        "Name=GG-Lecture", "Name=Exchange View-Only Administrators"))
    f8 = _f8(tmp_path, vmes, ems)
    assert f8.state.value == "fail", f8.message


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085", "\x1e"])
def test_an_administrator_name_with_a_line_break_forges_nothing(tmp_path: Path, separator: str) -> None:
    vmes, ems = SampleZip.open("vmes03-2007"), SampleZip.open("ems-exch07")
    _without_the_role(vmes, ems)
    forged = (f"ad.exemple-transports.fr/Users/Mallory{separator}{separator}Identity : {ACCOUNT}{separator}"
              f"Role     : ViewOnlyAdmin{separator}Scope    :{separator}{separator}Identity : x")
    ems.set_text("ems_exchangeadministrator", ems.text("ems_exchangeadministrator") +
                 f"\r\nIdentity : {forged}\r\nRole     : OrgAdmin\r\nScope    :\r\n\r\n")
    f8 = _f8(tmp_path, vmes, ems)
    assert f8.state.value != "pass", f8.message


@pytest.mark.parametrize("scope,printed", [
    ("EXCH07", "EXCH07"),
    # the scope printed as the server's identity or DN: its name
    ("ad.exemple-transports.fr/Configuration/Servers/EXCH07", "EXCH07"),
    ("CN=EXCH07,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups", "EXCH07"),
])
def test_server_admin_is_removed_with_its_scope(tmp_path: Path, scope: str, printed: str) -> None:
    """Remove-ExchangeAdministrator -Role ServerAdmin needs -Scope <server> (bb123676): F8 reads the scope of the
    account's ServerAdmin entry in Get-ExchangeAdministrator and prints a command that can be pasted."""
    vmes, ems = SampleZip.open("vmes03-2007"), SampleZip.open("ems-exch07")
    ems.set_text("ems_exchangeadministrator", ems.text("ems_exchangeadministrator") +
                 f"\r\nIdentity : {ACCOUNT}\r\nRole     : ServerAdmin\r\nScope    : {scope}\r\n\r\n")
    f8 = _f8(tmp_path, vmes, ems)
    assert f8.state.value == "warn" and "ServerAdmin" in f8.message, f8.message
    lines = [line.strip() for line in f8.remediation.splitlines() if "Remove-ExchangeAdministrator" in line]
    assert lines == [f'Remove-ExchangeAdministrator -Identity "TRANSPORTS\\VistoAdmin" -Role ServerAdmin '
                     f'-Scope {printed}'], f8.remediation


def test_a_forged_scope_is_never_pasted(tmp_path: Path) -> None:
    """A Scope that is no server name (a shell separator planted in the EMS output) is refused in the command."""
    vmes, ems = SampleZip.open("vmes03-2007"), SampleZip.open("ems-exch07")
    ems.set_text("ems_exchangeadministrator", ems.text("ems_exchangeadministrator") +
                 f"\r\nIdentity : {ACCOUNT}\r\nRole     : ServerAdmin\r\nScope    : EXCH07;calc.exe\r\n\r\n")
    f8 = _f8(tmp_path, vmes, ems)
    (line,) = [line for line in f8.remediation.splitlines() if "-Role ServerAdmin" in line]
    assert "calc" not in line and "<valeur-refusée>" in line, line
