"""Effective rights of a principal on a directory object, by the Windows rules.

Question answered: *is right R effectively granted to principal P (its SID
and every group SID of its token) on object O?* The answer is a
:class:`Decision`: ``granted`` True / False, or ``None`` when the evidence is
insufficient (a descriptor was not collected, a trustee was not resolved, an
object class is unknown where it matters). It never guesses True.

Two modes, chosen from the evidence:

``own_dacl``
    O's own security descriptor was collected. AD stores the inherited ACEs
    in it (AceFlags 0x10), so its DACL is evaluated as stored.
``inherited_only``
    Only ancestors were collected (e.g. mail users below the domain head, or
    a hypothetical "user object directly below this OU"). The ACEs O would
    inherit from its parent's DACL are computed: container-inherit, the
    parent's inherit-only flag (irrelevant to children), no-propagate (copied
    without inheritance flags), inherited-object-type (applies only to
    objects of that class), and a protected DACL on O stops inheritance.
    O's own explicit ACEs are unknown and not counted: the sentence says so.

InheritedObjectType is consulted only when inheritance is computed: in a
stored DACL, AD has already turned a non-matching inherited ACE into an
inherit-only one, and AccessCheck itself ignores the field (MS-DTYP).

The walk is MS-DTYP 2.5.3.2 (AccessCheck) over the DACL in its stored
order, which AD keeps canonical: explicit deny, explicit allow, then the
inherited ACEs, nearest ancestor first, each level deny before allow.
Requested bits are accumulated from matching allow ACEs; a matching deny
ACE that covers any bit still requested denies; the first ACE that settles
the request decides. Object-type rules (the object type list is
``[class of O, requested extended right]``):

- an ACE without ObjectType applies to everything it masks: an allow with
  CONTROL_ACCESS grants *every* extended right; GENERIC_ALL maps to a mask
  that includes CONTROL_ACCESS;
- an ACE whose ObjectType is an extended right's GUID grants or denies that
  right only (Send-As does not grant Receive-As);
- an ACE whose ObjectType is O's class applies to a whole-object request
  (mask only), never to an extended-right request (MS-ADTS 5.1.3.3.4: a
  control-access check matches only an ACE without ObjectType or with the
  right's own GUID);
- property-specific ACEs do not decide a whole-object request;
- a property question (READ_PROP / WRITE_PROP on one attribute,
  :meth:`Right.property_write`) is checked against the object type list
  ``[class of O, the attribute's property set, the attribute]`` (MS-ADTS
  5.1.3.3.3): an object ACE on any of the three grants or denies it, one on
  another property or set does not. :class:`Right` refuses a property
  question asked without the attribute's property set. No rule asks one
  today; tests/samba/test_access_check.py holds the engine to Samba's answer
  on random DACLs.

The principal is a token: a set of SIDs, or a :class:`~vmes_audit.security.membership.Token`
that also lists SIDs the account *may* hold (a group whose membership was not
collected): an ACE for one of those is "cannot tell", never a match nor a miss.

The owner's implicit READ_CONTROL and WRITE_DAC are honoured only when the
owner was collected as a SID (ADSI usually prints a name).

>>> from vmes_audit.security.acl import Ace, SecurityDescriptor
>>> srv = "CN=EXCH01,CN=Servers,CN=AG,CN=Administrative Groups,CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp"
>>> allow = Ace(srv, 0, True, True, 0x100, 0, GUID_SEND_AS, None, "CORP\\\\vmes", "S-1-5-21-1-2-3-1105", False)
>>> sds = {normalize_dn(srv): SecurityDescriptor(srv, None, 0x4, [allow])}
>>> d = effective_right(srv, None, Right.send_as(), {"S-1-5-21-1-2-3-1105"}, sds)
>>> d.granted, d.deciding_ace.index
(True, 0)
>>> effective_right(srv, None, Right.receive_as(), {"S-1-5-21-1-2-3-1105"}, sds).granted
False
>>> effective_right("CN=EXCH02," + srv[12:], None, Right.send_as(), {"S-1-5-21-1-2-3-1105"}, sds).granted is None
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from vmes_audit.security.acl import (
    CONTAINER_INHERIT, INHERIT_ONLY, INHERITED, OBJECT_INHERIT, SE_DACL_PRESENT, SE_DACL_PROTECTED,
    Ace, SecurityDescriptor,
)
from vmes_audit.windows.dn import depth_below, normalize_dn, parent_dn
from vmes_audit.security.membership import Token
from vmes_audit.windows.rights import (
    ADS_RIGHT_READ_CONTROL, ADS_RIGHT_WRITE_DAC, EXTENDED_RIGHTS, GUID_RECEIVE_AS, GUID_SEND_AS,
    GUID_STORE_ADMIN, Right, guid_name_fr, normalize_guid, rights_names_fr,
)
from vmes_audit.windows.sids import CREATOR_OWNER, is_valid_sid, normalize_sid

__all__ = [
    "Decision", "Right", "effective_right", "inherit_aces",
    "GUID_SEND_AS", "GUID_RECEIVE_AS", "GUID_STORE_ADMIN",
]

MODE_OWN_DACL = "own_dacl"
MODE_INHERITED_ONLY = "inherited_only"
MODE_NONE = "none"


@dataclass(frozen=True)
class Decision:
    """The answer for one (object, right, principal).

    ``granted``: True / False, or None when the evidence does not allow an
    answer. ``deciding_ace``: the ACE that settled it (the allow that
    completed the grant, or the deny), None when nothing matched.
    ``reason_fr``: one French sentence for the report's evidence. ``path``:
    the DNs considered, top-most ancestor first, the object last. ``mode``:
    ``own_dacl``, ``inherited_only`` or ``none`` (nothing evaluated).
    """

    granted: bool | None
    deciding_ace: Ace | None
    reason_fr: str
    path: list[str] = field(default_factory=list)
    mode: str = MODE_OWN_DACL


def _inherited_entries(parent: SecurityDescriptor, child_dn: str,
                       child_class: str | None) -> list[tuple[Ace, bool | None]]:
    """The ACEs a child inherits from ``parent``'s stored DACL, in order.

    Each entry is (ACE copy as AD would store it on the child, whether it
    applies to the child itself: True, False = stored inherit-only, None =
    unknown because the child's class is unknown).
    """
    out: list[tuple[Ace, bool | None]] = []
    for ace in parent.aces:
        if not ace.flags & CONTAINER_INHERIT:
            continue  # "this object only": not inherited
        iot = ace.inherited_object_type
        applies: bool | None
        if iot is None:
            applies = True
        elif child_class is None:
            applies = None
        else:
            applies = iot == child_class
        if ace.no_propagate:
            if applies is False:
                continue  # applies neither to this child nor, by no-propagate, below it
            flags = INHERITED  # effective on the child, propagates no further
        else:
            flags = INHERITED | (ace.flags & (CONTAINER_INHERIT | OBJECT_INHERIT))
            if applies is False:
                flags |= INHERIT_ONLY  # kept for the child's own descendants of the right class
        origin = ace.source_dn if ace.inherited else parent.object_dn
        out.append((replace(ace, object_dn=child_dn, flags=flags, inherited=True, source_dn=origin), applies))
    return out


def inherit_aces(parent: SecurityDescriptor, child_dn: str, child_class_guid: str, *,
                 explicit: Sequence[Ace] = (), protected: bool = False) -> SecurityDescriptor:
    """The descriptor AD would store on a new child of ``parent`` (inheritance simulation).

    ``explicit`` ACEs come first (denies before allows), then, unless the
    child is ``protected``, the inherited copies in the parent's order.

    >>> from vmes_audit.windows.rights import CLASS_USER, CLASS_CONTAINER
    >>> ace = Ace("DC=corp", 0, True, True, 0x100, 0x2 | 0x4, GUID_SEND_AS, None, "x", "S-1-5-21-1-2-3-9", False)
    >>> ou = inherit_aces(SecurityDescriptor("DC=corp", None, 4, [ace]), "OU=a,DC=corp", CLASS_CONTAINER)
    >>> ou.aces[0].flags == 0x10           # no-propagate: copied with no inheritance flags
    True
    >>> inherit_aces(ou, "CN=u,OU=a,DC=corp", CLASS_USER).aces   # and stops there
    []
    """
    klass = normalize_guid(child_class_guid)
    inherited = [] if protected else [a for a, _ in _inherited_entries(parent, child_dn, klass)]
    ordered = [a for a in explicit if not a.allow] + [a for a in explicit if a.allow]
    aces = [replace(a, index=i) for i, a in enumerate(ordered + inherited)]
    return SecurityDescriptor(child_dn, None, SE_DACL_PRESENT | (SE_DACL_PROTECTED if protected else 0), aces)


# --- ACE matching -------------------------------------------------------------

def _targets(ace: Ace, right: Right, target_class: str | None) -> bool | None:
    """Does the ACE's ObjectType cover the requested node? None = cannot tell.

    A control-access (extended right) check matches an object ACE only when
    its ObjectType is absent or is the right's own GUID (MS-ADTS 5.1.3.3.4):
    an ACE on the object's *class* GUID neither grants nor denies Send As.
    A whole-object request (mask only) is covered by an object ACE whose
    ObjectType is the object's class, the root of the object type list. A
    property request (``Right.property_write``) is covered by an ACE on the
    class, on the attribute's property set or on the attribute itself.
    """
    ot = ace.object_type
    if ot is None:
        return True
    if right.property_set is not None:
        # a property question: the object type list is class -> property set -> property
        # (MS-ADTS 5.1.3.3.3); an ACE on any of the three covers the property, one on another
        # property or another set does not
        if ot == right.object_type or (right.property_set and ot == right.property_set):
            return True
        if target_class is not None:
            return ot == target_class
        return False if ot in EXTENDED_RIGHTS else None
    if right.object_type is not None:
        return ot == right.object_type
    if target_class is not None:
        return ot == target_class
    if ot in EXTENDED_RIGHTS:
        return False  # an extended right: never the object's class
    return None


def _trustee_matches(ace: Ace, principals: set[str], maybe: frozenset[str] = frozenset()) -> bool | None:
    sid = ace.sid
    if sid is None:
        return None  # unresolved trustee: we cannot tell whether it is one of ours
    if sid == CREATOR_OWNER:
        return False  # a template for new objects, never matched at access time
    if sid in principals:
        return True
    return None if sid in maybe else False


# --- French sentences -----------------------------------------------------------

def _trustee_label(ace: Ace) -> str:
    return ace.trustee or ace.sid or "bénéficiaire inconnu"


def _same_rule(a: Ace, b: Ace) -> bool:
    return (a.allow == b.allow and a.object_ace == b.object_ace and a.mask == b.mask
            and a.object_type == b.object_type and a.inherited_object_type == b.inherited_object_type
            and (a.sid or a.trustee.lower()) == (b.sid or b.trustee.lower()))


def _origin(ace: Ace, ancestors: Sequence[SecurityDescriptor]) -> tuple[str | None, str | None]:
    """(explicit origin DN, nearest ancestor holding it) of an inherited ACE, from collected ancestors."""
    nearest = None
    for sd in ancestors:  # nearest first
        match = next((a for a in sd.aces if _same_rule(a, ace) and a.flags & CONTAINER_INHERIT), None)
        if match is None:
            break
        nearest = nearest or sd.object_dn
        if not match.inherited:
            return sd.object_dn, nearest
    return None, nearest


def _phrase(ace: Ace, right: Right, ancestors: Sequence[SecurityDescriptor], parent: str | None) -> str:
    kind = "d'autorisation" if ace.allow else "de refus"
    what = ""
    if ace.object_type and ace.object_type != right.object_type:
        what = f" portant sur « {guid_name_fr(ace.object_type)} »"
    trustee = f"pour « {_trustee_label(ace)} »"
    if parent is not None:  # inherited_only mode: the ACE is the parent's
        origin = ace.source_dn
        via = f", elle-même héritée de « {origin} »" if origin and normalize_dn(origin) != normalize_dn(parent) else ""
        return f"l'ACE {kind} n° {ace.index}{what} de « {parent} »{via}, transmise par héritage, {trustee}"
    if not ace.inherited:
        return f"l'ACE {kind} explicite n° {ace.index}{what} {trustee}"
    origin, nearest = _origin(ace, ancestors)
    if origin:
        return f"l'ACE {kind} n° {ace.index}{what}, héritée de « {origin} », {trustee}"
    if nearest:
        return f"l'ACE {kind} n° {ace.index}{what}, héritée d'un objet parent via « {nearest} », {trustee}"
    return f"l'ACE {kind} n° {ace.index}{what}, héritée d'un objet parent, {trustee}"


def _uncertain_why(ace: Ace, who: bool | None, target: bool | None, applies: bool | None) -> str:
    if who is None and ace.sid is not None:
        return (f"l'appartenance du compte à « {_trustee_label(ace)} » n'a pas pu être établie "
                "(membres de ce groupe non collectés)")
    if who is None:
        return f"son bénéficiaire « {_trustee_label(ace)} » n'a pas été résolu en SID"
    if applies is None:
        return (f"elle n'est héritée que par les objets de type {guid_name_fr(ace.inherited_object_type)} "
                f"et la classe de l'objet n'est pas connue")
    return (f"elle vise le type {guid_name_fr(ace.object_type)} et la classe de l'objet n'est pas connue")


# --- The access check -------------------------------------------------------------

def effective_right(target_dn: str, target_class_guid: str | None, right: Right,
                    principal_sids: Iterable[str] | Token, descriptors: Mapping[str, SecurityDescriptor], *,
                    chain: Sequence[str] | None = None, target_control: int | None = None,
                    principal_label: str | None = None, target_label: str | None = None) -> Decision:
    """Is ``right`` effectively granted on ``target_dn`` to the principal whose token holds ``principal_sids``?

    ``descriptors``: from :func:`~vmes_audit.security.acl.descriptors_from_records`
    (keys are normalised DNs). ``chain``: the ancestors' DNs, top-most first,
    down to the parent (the target itself may end the list); used for the
    ``inherited_only`` mode, for the path and to name where an inherited
    ACE comes from. ``target_control``: the target's DACL control flags when
    known without its DACL (``sdControl`` of ``ad_service_account`` or
    ``ad_admincount_users``); a protected DACL stops inheritance.
    ``principal_label``: the account's name for the sentence. ``target_label``: how the sentence names
    the target when it is a simulated object that does not exist in the directory (F10's user placed in
    a container: « un objet utilisateur placé directement sous « OU=… » »), instead of its made-up DN.
    ``principal_sids`` must already hold the group SIDs (see
    :func:`vmes_audit.security.membership.expand_groups`); ``S-1-5-10``
    (SELF) matches only if the caller includes it, i.e. when the object *is*
    the principal.
    """
    if isinstance(principal_sids, Token):
        principals, maybe = set(principal_sids.sids), principal_sids.maybe
    else:
        principals, maybe = {normalize_sid(s) for s in principal_sids}, frozenset()
    target_class = normalize_guid(target_class_guid) if target_class_guid else None
    ancestors_dn = [dn for dn in (chain or []) if dn]
    if ancestors_dn and depth_below(ancestors_dn[-1], target_dn) == 0:
        ancestors_dn = ancestors_dn[:-1]
    for upper, lower in zip(ancestors_dn, ancestors_dn[1:] + [target_dn]):
        if not depth_below(upper, lower):
            raise ValueError(f"chain is not top-down: {upper!r} is not an ancestor of {lower!r}")
    path = [*ancestors_dn, target_dn]
    dest = f"à « {principal_label} »" if principal_label else "au compte évalué"
    name = right.name_fr
    shown = target_label or f"« {target_dn} »"

    sd = descriptors.get(normalize_dn(target_dn))
    parent_for_text: str | None = None
    if sd is not None and sd.error:
        return Decision(None, None, f"Non évaluable : {sd.error} ; le droit « {name} » ne peut pas y être "
                        f"vérifié.", path, MODE_NONE)
    if sd is not None:
        mode = MODE_OWN_DACL
        if not sd.aces and not sd.control & SE_DACL_PRESENT:
            return Decision(None, None, f"Non évaluable : la DACL de {shown} est absente ou n'a pas pu "
                            f"être lue, le droit « {name} » ne peut pas être vérifié.", path, MODE_NONE)
        entries: list[tuple[Ace, bool | None]] = [(a, True) for a in sd.aces]
        owner = sd.owner
        # ancestors for naming origins: the chain if given, else every collected ancestor
        names = ancestors_dn[::-1] if ancestors_dn else _dn_ancestors(target_dn)
        ancestors = [descriptors[normalize_dn(dn)] for dn in names if normalize_dn(dn) in descriptors]
    else:
        mode = MODE_INHERITED_ONLY
        if not ancestors_dn:
            return Decision(None, None, f"Non évaluable : le descripteur de sécurité de {shown} n'a pas "
                            f"été collecté, le droit « {name} » ne peut pas y être vérifié.", path, MODE_NONE)
        parent = ancestors_dn[-1]
        if depth_below(parent, target_dn) != 1:
            gap = parent_dn(target_dn)
            return Decision(None, None, f"Non évaluable : les autorisations de « {gap} », entre « {parent} » et "
                            f"{shown}, n'ont pas été collectées, le droit « {name} » ne peut pas être "
                            f"vérifié.", path, MODE_NONE)
        psd = descriptors.get(normalize_dn(parent))
        if psd is not None and psd.error:
            return Decision(None, None, f"Non évaluable : {psd.error} ; le droit « {name} » ne peut pas être "
                            f"vérifié sur {shown}.", path, MODE_NONE)
        if psd is None:
            return Decision(None, None, f"Non évaluable : le descripteur de sécurité de « {parent} » n'a pas été "
                            f"collecté, le droit « {name} » ne peut pas être vérifié sur {shown}.",
                            path, MODE_NONE)
        if target_control is not None and target_control & SE_DACL_PROTECTED:
            return Decision(False, None, f"Le droit « {name} » n'est pas accordé {dest} sur {shown} : "
                            f"l'héritage des autorisations y est désactivé (DACL protégée, cas des comptes protégés "
                            f"par AdminSDHolder), si bien que les autorisations posées sur « {parent} » ne s'y "
                            f"appliquent pas.", path, mode)
        entries = _inherited_entries(psd, target_dn, target_class)
        owner = None
        ancestors = []
        parent_for_text = parent
    suffix = (" (évaluation par héritage seul : les ACE propres à l'objet n'ont pas été collectées)"
              if mode == MODE_INHERITED_ONLY else "")

    remaining = right.mask
    if owner and is_valid_sid(owner) and normalize_sid(owner) in principals:
        remaining &= ~(ADS_RIGHT_READ_CONTROL | ADS_RIGHT_WRITE_DAC)  # owner's implicit rights
        if not remaining:
            return Decision(True, None, f"Le droit « {name} » est accordé {dest} sur {shown} en tant que "
                            f"propriétaire de l'objet{suffix}.", path, mode)
    uncertain: list[tuple[Ace, str]] = []
    for ace, applies in entries:
        if ace.inherit_only or applies is False:
            continue  # MS-DTYP: inherit-only ACEs are skipped for the object itself
        if not ace.mask & remaining:
            continue
        who = _trustee_matches(ace, principals, maybe)
        if who is False:
            continue
        target = _targets(ace, right, target_class)
        if target is False:
            continue
        phrase = _phrase(ace, right, ancestors, parent_for_text)
        if who is None or target is None or applies is None:
            why = _uncertain_why(ace, who, target, applies)
            if not ace.allow:
                return Decision(None, ace, f"Non évaluable : {phrase} pourrait refuser le droit « {name} » sur "
                                f"{shown}, mais {why}.", path, mode)
            uncertain.append((ace, f"{phrase} pourrait l'accorder, mais {why}"))
            continue
        if not ace.allow:
            blocked = remaining & ace.mask
            earlier = next((u for u, _ in uncertain if u.mask & blocked), None)
            if earlier is not None:  # an uncertain allow placed before this deny might have granted first
                text = next(t for u, t in uncertain if u is earlier)
                return Decision(None, earlier, f"Non évaluable : {phrase} refuse le droit « {name} » sur "
                                f"{shown}, mais auparavant {text}.", path, mode)
            return Decision(False, ace, f"Le droit « {name} » est refusé {dest} sur {shown} par "
                            f"{phrase}{suffix}.", path, mode)
        remaining &= ~ace.mask
        if not remaining:
            return Decision(True, ace, f"Le droit « {name} » est accordé {dest} sur {shown} par "
                            f"{phrase}{suffix}.", path, mode)
    if uncertain:
        ace, text = uncertain[0]
        return Decision(None, ace, f"Non évaluable : le droit « {name} » n'est accordé {dest} sur {shown} "
                        f"par aucune ACE certaine ; {text}.", path, mode)
    if remaining != right.mask:
        why = (f"les ACE applicables à ce compte et à ses groupes n'en accordent qu'une partie (droits manquants : "
               f"{', '.join(rights_names_fr(remaining))})")
    else:
        why = "aucune ACE ne l'autorise pour ce compte ni pour l'un de ses groupes"
    return Decision(False, None, f"Le droit « {name} » n'est pas accordé {dest} sur {shown} : "
                    f"{why}{suffix}.", path, mode)


def _dn_ancestors(dn: str) -> list[str]:
    """Every ancestor DN of ``dn``, nearest first."""
    out = []
    current = parent_dn(dn)
    while current:
        out.append(current)
        current = parent_dn(current)
    return out
