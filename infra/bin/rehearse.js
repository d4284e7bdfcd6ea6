#!/usr/bin/env node
// `pnpm rehearse`: the AWS path rehearsed on this machine (infra/src/rehearse): compiled when built, else sources.
import { loadEntry } from '@callthemes/common/load-entry';

await loadEntry(
  new URL('../dist/rehearse/main.js', import.meta.url),
  new URL('../src/rehearse/main.ts', import.meta.url),
);
