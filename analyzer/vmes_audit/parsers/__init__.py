"""One parser per artifact kind: raw text in, typed rows out.

A parser never knows a rule; it raises :class:`vmes_audit.base.errors.ParseError`
on input it cannot read rather than returning an empty result.
"""
