#!/usr/bin/env bash
# The README's test command: lint and format-check the bundled rules, run their scenarios,
# build the docs site strictly, then the test suite (golden, property, fuzz, API, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
python -m registry lint rules/
python -m registry fmt --check rules/
python -m registry test rules/ --require-coverage
if python -c "import registry.docsgen" 2>/dev/null; then
  python -m registry docs
  mkdocs build --strict --quiet
fi
python -m pytest -q -p no:cacheprovider
