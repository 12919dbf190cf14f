#!/usr/bin/env bash
# Create the virtual environment (if absent) and install the pinned dependencies.
# torch comes FIRST and pinned: an unpinned torch pulled in by another package would bring
# several GB of CUDA libraries. On a CUDA machine, PyPI's torch==2.13.0 wheel for Linux is the
# CUDA build; to choose another CUDA version set TORCH_INDEX_URL to PyTorch's wheel index for it.
set -euo pipefail
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}
start=$(date +%s)
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip)
"${PIP[@]}" install -q --upgrade pip
if [ -n "${TORCH_INDEX_URL:-}" ]; then
  "${PIP[@]}" install -q "$TORCH_SPEC" --index-url "$TORCH_INDEX_URL"
else
  "${PIP[@]}" install -q "$TORCH_SPEC"
fi
"${PIP[@]}" install -q -e ".[test]" -c requirements.lock
# Guard: the pins above must not have replaced the torch build chosen first.
"$VENV/bin/python" - "$TORCH_SPEC" <<'PY'
import sys, torch
want = sys.argv[1].split("==")[-1]
if not torch.__version__.startswith(want):
    sys.exit(f"expected torch {want}, found {torch.__version__}: a dependency replaced it")
PY
end=$(date +%s)
mkdir -p build
"$VENV/bin/python" -c "from mdrepro.book import timings; timings.record('install', $end - $start)"
echo "installed into $VENV in $((end - start)) s"
