#!/usr/bin/env bash
# A worker image's filesystem, by the steps its target's build stage in worker.Dockerfile runs (that
# stage runs this script; `pnpm rehearse` runs it without Docker): <out>/packages/<worker> holds the worker's
# production dependencies (pnpm deploy --prod); <out>/.cache, the image's CALLTHEMES_CACHE_DIR, is baked here at
# build time: the word-vector cache and DuckDB's httpfs/aws extensions from PyPI's pinned wheels. The task runs as
# uid 1000 and only reads it.
# Run from a workspace where `pnpm install` has run. Usage: build-worker-artifact.sh firm-worker|theme-worker <out>
set -euo pipefail
worker="${1:-}"
out="${2:-}"
case "$worker" in
  firm-worker | theme-worker) ;;
  *) echo "usage: scripts/build-worker-artifact.sh firm-worker|theme-worker <out-dir>" >&2; exit 2 ;;
esac
[ -n "$out" ] || { echo "usage: scripts/build-worker-artifact.sh $worker <out-dir>" >&2; exit 2; }
cd "$(dirname "$0")/.."
mkdir -p "$out"
out="$(cd "$out" && pwd)"
pnpm --filter "@callthemes/$worker..." build
rm -rf "${out:?}/packages/$worker"
# The deployed lockfile is a subset of the workspace's, which `pnpm install` already checked against pnpm's
# supply-chain policy (minimum release age included); checking it again fetches every package's metadata from the
# registry, and one failed fetch then fails the build (seen in CI). The other policy checks still run.
pnpm --filter "@callthemes/$worker" deploy --prod --config.minimum-release-age=0 "$out/packages/$worker"
# The word vectors' binary cache, built by the deployed code itself (the version the task will load).
(cd "$out/packages/$worker" && CALLTHEMES_CACHE_DIR="$out/.cache" node --input-type=module \
  -e "(await import('@callthemes/common/embed')).ensureWordVectorCache()")
bash scripts/setup-duckdb-extensions.sh "$out/.cache/duckdb-extensions"
chmod -R a+rX "$out"
echo "build-worker-artifact: $worker in $out"
