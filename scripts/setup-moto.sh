#!/usr/bin/env bash
# moto server for the SQS/DynamoDB adapter tests: a virtual environment `.venv-moto` at the repo root with one
# pinned moto. Idempotent: skips when the environment already holds that version.
set -euo pipefail
cd "$(dirname "$0")/.."
MOTO_VERSION=5.2.5
if [ -x .venv-moto/bin/moto_server ] &&
  [ "$(.venv-moto/bin/python -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null)" = "$MOTO_VERSION" ]; then
  echo "moto $MOTO_VERSION already in .venv-moto"
  exit 0
fi
python3 -m venv .venv-moto
.venv-moto/bin/pip install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION"
echo "moto $MOTO_VERSION installed in .venv-moto"
