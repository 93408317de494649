"""The staged run (collect → check → report) that scales out on a Dask cluster.

See :mod:`srccheck.stages.run` for the flow; each stage's unit of work is a
plain function over small serialisable values.
"""

from srccheck.report.console import StageProgress
from srccheck.stages.model import ArticleDone, CheckedURL, Citation, Stage
from srccheck.stages.run import RUN_FOLDER, run_stages

__all__ = [
    "RUN_FOLDER",
    "ArticleDone",
    "CheckedURL",
    "Citation",
    "Stage",
    "StageProgress",
    "run_stages",
]
