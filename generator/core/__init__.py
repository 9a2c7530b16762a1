"""The bottom layer: what every stage shares, and nothing that belongs to one stage.

In: nothing of svcgen's (the standard library only). Out: the error and warning values
(:class:`~svcgen.core.errors.SvcgenError`, :class:`~svcgen.core.errors.Diagnostic`), the one
escaping helper that turns spec text into Python literals, identifiers and docstrings
(:mod:`svcgen.core.escape`), walking a loaded document without recursion
(:mod:`svcgen.core.json_tree`), and svcgen's own version.
"""
