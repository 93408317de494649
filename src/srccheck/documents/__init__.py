"""Documents that are not web pages (PDF): their text, read within hard bounds.

Kept apart from :mod:`srccheck.text` on purpose: :mod:`srccheck.documents.pdf`
is also the entry point of the worker process that parses one untrusted
document, and must import nothing heavy.
"""

__all__: list[str] = []
