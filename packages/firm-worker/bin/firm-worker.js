#!/usr/bin/env node
// The firm worker: the compiled package when built (pnpm build), else the workspace's TypeScript sources.
import { loadEntry } from '@callthemes/common/load-entry';

await loadEntry(new URL('../dist/main.js', import.meta.url), new URL('../src/main.ts', import.meta.url));
