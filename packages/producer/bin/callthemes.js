#!/usr/bin/env node
// The `callthemes` CLI: the compiled package when built (pnpm build), else the workspace's TypeScript sources.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(built)) || process.env.CALLTHEMES_FROM_SOURCE) {
  await import('@callthemes/common/register-source');
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
} else await import(built.href);
