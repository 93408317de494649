"""srccheck: verify the sources cited by news articles."""

__version__ = "0.1.0"

__all__ = ["__version__"]
