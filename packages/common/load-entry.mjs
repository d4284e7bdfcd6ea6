/**
 * Loads a package's entry module for its bin: the compiled `built` file when the package is built (pnpm build)
 * and CALLTHEMES_FROM_SOURCE is unset, else the TypeScript `source` through register-source.mjs.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export async function loadEntry(built, source) {
  if (existsSync(fileURLToPath(built)) && !process.env.CALLTHEMES_FROM_SOURCE) return import(built.href);
  await import('./register-source.mjs');
  return import(source.href);
}
