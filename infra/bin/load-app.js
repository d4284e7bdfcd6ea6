// Loads infra's app module: dist/ when built (pnpm build), else the TypeScript sources.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export async function loadApp() {
  const built = new URL('../dist/app.js', import.meta.url);
  if (existsSync(fileURLToPath(built)) && !process.env.CALLTHEMES_FROM_SOURCE) return import(built.href);
  await import('@callthemes/common/register-source');
  return import(new URL('../src/app.ts', import.meta.url).href);
}
