#!/usr/bin/env bash
# DuckDB's httpfs and aws extensions from PyPI's pinned, sha256-checked wheels (scripts/duckdb-extensions.txt),
# never from DuckDB's extension site: unpacked into <dir>/v<duckdb>/<platform>/, the layout of DuckDB's
# extension_directory. <dir> defaults to .cache/duckdb-extensions (where the workspace's DuckDB looks: the
# `cacheDir` setting + /duckdb-extensions); the worker images run this at build time into their baked cache.
# Needs python3 with pip. Idempotent: skips when both files are in place.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$root/.cache/duckdb-extensions}"
pins="$root/scripts/duckdb-extensions.txt"
version="$(sed -n 's/^duckdb-extension-httpfs==\([0-9.]*\).*/\1/p' "$pins")"
case "$(uname -m)" in
  x86_64 | amd64) platform=linux_amd64 wheel=manylinux2014_x86_64 ;;
  aarch64 | arm64) platform=linux_arm64 wheel=manylinux2014_aarch64 ;;
  *) echo "setup-duckdb-extensions: no wheel for $(uname -m)" >&2; exit 1 ;;
esac
target="$dest/v$version/$platform"
if [ -f "$target/httpfs.duckdb_extension" ] && [ -f "$target/aws.duckdb_extension" ]; then
  echo "duckdb extensions v$version already in $target"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: --require-hashes \
  --platform "$wheel" -r "$pins" -d "$work"
mkdir -p "$target"
for name in httpfs aws; do
  python3 -m zipfile -e "$work"/duckdb_extension_${name}-"$version"-*.whl "$work/$name"
  cp "$work/$name/duckdb_extension_${name}/extensions/v$version/$name.duckdb_extension" "$target/"
done
chmod -R a+rX "$dest"
echo "duckdb extensions v$version ($platform) installed in $target"
