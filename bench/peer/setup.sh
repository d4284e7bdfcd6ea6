#!/usr/bin/env bash
# Creates the Python venv for the BERTopic peer benchmark in .venv-peer at the repository root (git-ignored).
# BERTopic and its clustering dependencies come from PyPI; sentence-transformers is left out on purpose:
# the benchmark passes precomputed vectors and an embedding model that is never called.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.venv-peer
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q bertopic==0.17.4 --no-deps
"$VENV/bin/pip" install -q "numpy<2.4" pandas scikit-learn umap-learn hdbscan plotly tqdm pyyaml
"$VENV/bin/python" -c "import bertopic, umap, hdbscan, sklearn; print('bertopic', bertopic.__version__, 'umap', umap.__version__, 'sklearn', sklearn.__version__)"
