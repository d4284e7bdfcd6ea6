#!/usr/bin/env node
// The `callthemes` CLI: the compiled package when built (pnpm build), else the workspace's TypeScript sources.
import { loadEntry } from '@callthemes/common/load-entry';

await loadEntry(
  new URL('../dist/cli/main.js', import.meta.url),
  new URL('../src/cli/main.ts', import.meta.url),
);
