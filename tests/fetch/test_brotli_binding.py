"""The ``brotli`` module srccheck imports is the one its dependency declares.

pywb (an archive-test tool) depends on brotlipy, whose ``brotli`` package shadows
Google's ``brotli`` module when both are installed in one environment: the tests
would then exercise a binding production never uses. This test fails in such an
environment (the README's test command keeps pywb in an environment of its own).
"""

from __future__ import annotations

import importlib.metadata as metadata
from pathlib import Path

import brotli
from packaging.requirements import Requirement

from srccheck.fetch import decoding


def _declared_brotli() -> Requirement:
    requirements = [Requirement(line) for line in metadata.requires("srccheck") or []]
    (declared,) = [r for r in requirements if r.name.lower() == "brotli" and not r.extras]
    return declared


def test_only_the_declared_distribution_provides_the_brotli_module() -> None:
    providers = metadata.packages_distributions().get("brotli", [])
    assert [name.lower() for name in providers] == ["brotli"], providers


def test_the_imported_brotli_module_comes_from_the_declared_distribution() -> None:
    declared = _declared_brotli()
    distribution = metadata.distribution(declared.name)
    assert distribution.version in declared.specifier, distribution.version
    files = distribution.files or []
    installed = {Path(str(distribution.locate_file(file))).resolve() for file in files}
    assert Path(brotli.__file__).resolve() in installed, brotli.__file__
    assert decoding.brotli is brotli


def test_the_declared_binding_bounds_its_output() -> None:
    assert decoding.brotli_is_bounded()
