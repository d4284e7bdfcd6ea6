#!/usr/bin/env bash
# Installs Node 24 LTS and the pnpm this project pins (package.json "packageManager") from the npm registry,
# when they are missing. Idempotent; /usr/local/bin comes first on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 24 ]; then
  npm i -g --prefix /usr/local --no-audit --no-fund node@24 >/dev/null
  hash -r
fi
if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  npm i -g --prefix /usr/local --no-audit --no-fund "pnpm@$pnpm_version" >/dev/null
fi
echo "setup-node: node $(node --version), pnpm $(pnpm --version)"
