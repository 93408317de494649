"""Page text: main-text extraction from HTML and normalisation for matching."""

from srccheck.text.extract import (
    PageText,
    TextSource,
    extract_page_text,
    plain_page_text,
    visible_page_text,
)
from srccheck.text.normalize import NormalizedText, normalize, normalize_simple

__all__ = [
    "NormalizedText",
    "PageText",
    "TextSource",
    "extract_page_text",
    "normalize",
    "normalize_simple",
    "plain_page_text",
    "visible_page_text",
]
