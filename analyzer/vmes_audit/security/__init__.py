"""Active Directory security logic: SIDs, rights, ACLs, effective rights, versions, MAPI profiles.

Modules, one concern each:

- :mod:`.sids`: well-known SIDs and RIDs, parsing, AdminSDHolder-protected groups;
- :mod:`.rights`: access-mask bits, generic mapping, extended-right and class GUIDs, :class:`~.rights.Right`;
- :mod:`.dn`: distinguished-name helpers;
- :mod:`.acl`: :class:`~.acl.Ace` and :class:`~.acl.SecurityDescriptor` from the ``ad_acl`` artifact;
- :mod:`.effective_rights`: the Windows access check, :func:`~.effective_rights.effective_right`;
- :mod:`.membership`: the service account's token SIDs and administrative memberships;
- :mod:`.exchange_versions`: ``serialNumber`` / ``AdminDisplayVersion`` parsing;
- :mod:`.mapi_profiles`: MAPI profiles from the ``reg_mapi_profiles`` export.
"""
