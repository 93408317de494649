#!/usr/bin/env bash
# Refresh the pinned test environments from the newest releases, and keep them only if the
# whole test suite passes against them.
#
#   bash requirements/refresh.sh
#
# Builds two throw-away environments with the newest releases that pyproject.toml's ranges
# (and requirements/pywb.in) allow, runs the full suite against them, and only when it passes
# rewrites constraints.txt (constraints for the test environment) and
# requirements-pywb.txt (pywb's own environment). Commit the two files together.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export PIP_NO_CACHE_DIR=1
python3 -m venv "$work/test" && "$work/test/bin/pip" install -q --upgrade -e '.[test]'
python3 -m venv "$work/pywb" && "$work/pywb/bin/pip" install -q --upgrade -r requirements/pywb.in

SRCCHECK_PYWB_ENV="$work/pywb" "$work/test/bin/python" -m pytest -q -p no:cacheprovider

header() {
    echo "# $1"
    echo "# Made by requirements/refresh.sh with $("$work/test/bin/python" --version) on $(uname -sm);"
    echo "# the suite passed against exactly these versions. Do not edit by hand."
}
{ header "Constraints of the test environment: pip install -c constraints.txt -e '.[test]'"
  "$work/test/bin/pip" freeze --exclude-editable; } > constraints.txt
{ header "pywb's own environment (.venv-pywb): pip install -r requirements-pywb.txt"
  "$work/pywb/bin/pip" freeze; } > requirements-pywb.txt
git --no-pager diff --stat -- constraints.txt requirements-pywb.txt
