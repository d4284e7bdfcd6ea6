// Loads infra's app module: dist/ when built (pnpm build), else the TypeScript sources.
import { loadEntry } from '@callthemes/common/load-entry';

export const loadApp = () =>
  loadEntry(new URL('../dist/app.js', import.meta.url), new URL('../src/app.ts', import.meta.url));
