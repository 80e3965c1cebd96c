#!/usr/bin/env bash
# The README's test command: ruff and mypy on the code; lint and format-check the bundled rules, run their scenarios,
# build the docs site strictly, then the test suite (golden, property, fuzz, API, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}" NO_MKDOCS_2_WARNING=1
python -m ruff check --quiet .
python -m mypy registry benchmarks tests | tail -1
python -m registry lint rules/
python -m registry fmt --check rules/
python -m registry test rules/ --require-coverage
python -m registry round validate rules/rounds
python -m registry docs
mkdocs build --strict --quiet
python -m pytest -q -p no:cacheprovider
