"""Active Directory security logic: ACLs, security descriptors, effective rights, memberships.

Modules, one concern each:

- :mod:`.acl`: :class:`~.acl.Ace` and :class:`~.acl.SecurityDescriptor` from the ``ad_acl`` artifact;
- :mod:`.security_descriptor`: self-relative binary descriptors (MS-DTYP 2.4.6);
- :mod:`.effective_rights`: the Windows access check, :func:`~.effective_rights.effective_right`;
- :mod:`.membership`: the service account's token SIDs and administrative memberships.

The Windows facts they use (SIDs, rights, DNs) are in :mod:`vmes_audit.windows`.
"""
