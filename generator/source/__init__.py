"""Stages 1–2, the document's way in: a URL or a path → one normalised, validated OpenAPI dict.

In: the user's source (URL or file) and the fetch options. Out: the raw document and where it came
from (:func:`~svcgen.source.load.load`), then the dict every later stage reads
(:func:`~svcgen.source.spec.parse`, :func:`~svcgen.source.select.select_operations`). Here the
document is fetched within limits, its ``$ref``s bundled, BentoML's facts merged, secrets masked,
known deviations normalised and mended, and the operations selected. Imports ``core`` only.
"""
