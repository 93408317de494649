"""Fixtures of the fetch tests: the fake clock lives in tests/conftest.py."""
