"""The report stage: writers for the models in :mod:`srccheck.models`.

One module per output: ``json`` (report files), ``schema`` (JSON Schema),
``html`` (+ ``templates/``), ``console`` (progress and summary), ``paths``
(report file names), ``atomic`` (atomic file writes). Import from those
modules; this package re-exports nothing so that importing one writer does
not load the others' dependencies (jinja2, rich).
"""

__all__: list[str] = []
