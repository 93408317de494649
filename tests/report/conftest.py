"""Fixtures of the report-stage tests; the values come from report_samples.py."""

from __future__ import annotations

import pytest
from report_samples import make_article_report, make_error_report, make_index

from srccheck.models import ArticleReport, RunIndex


@pytest.fixture
def article_report() -> ArticleReport:
    """One source per status, with redirects, umlauts and typographic quotes."""
    return make_article_report()


@pytest.fixture
def error_report() -> ArticleReport:
    return make_error_report()


@pytest.fixture
def run_index(article_report: ArticleReport, error_report: ArticleReport) -> RunIndex:
    return make_index([(article_report, "000_ü"), (error_report, "bild")])
