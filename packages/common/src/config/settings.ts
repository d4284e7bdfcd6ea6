/**
 * Settings resolution: flag, then environment variable `CALLTHEMES_<NAME>`, then the config file
 * (`callthemes.config.json` or `.yaml` in the working directory, or `--config`), then the default.
 * Secrets are read only from the environment (see `secretFromEnv`), never from flags or files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

export type ConfigFile = Record<string, unknown>;

let cachedConfig: { path: string | null; data: ConfigFile } | undefined;

export function loadConfigFile(explicitPath?: string): ConfigFile {
  const candidates = explicitPath
    ? [explicitPath]
    : ['callthemes.config.json', 'callthemes.config.yaml', 'callthemes.config.yml'];
  const found = candidates.map((p) => resolve(p)).find((p) => existsSync(p)) ?? null;
  if (cachedConfig && cachedConfig.path === found) return cachedConfig.data;
  if (explicitPath && !found) throw new Error(`config file not found: ${explicitPath}`);
  let data: ConfigFile = {};
  if (found) {
    const text = readFileSync(found, 'utf8');
    const parsed = found.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as ConfigFile;
    else throw new Error(`config file ${found}: expected an object at the top level`);
  }
  cachedConfig = { path: found, data };
  return data;
}

/** `batchSize` → `CALLTHEMES_BATCH_SIZE`. */
export function envNameFor(key: string): string {
  return `CALLTHEMES_${key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toUpperCase()}`;
}

/** The raw value of a setting by precedence; `undefined` when no layer sets it. */
export function settingValue(key: string, flagValue: unknown, config?: ConfigFile): unknown {
  if (flagValue !== undefined) return flagValue;
  const env = process.env[envNameFor(key)];
  if (env !== undefined && env !== '') return env;
  const file = config ?? loadConfigFile();
  if (key in file) return file[key];
  return undefined;
}

export function stringSetting(key: string, flagValue: unknown, fallback: string): string;
export function stringSetting(key: string, flagValue: unknown, fallback?: undefined): string | undefined;
export function stringSetting(key: string, flagValue: unknown, fallback?: string): string | undefined {
  const v = settingValue(key, flagValue);
  return v === undefined ? fallback : String(v);
}

export function intSetting(key: string, flagValue: unknown, fallback: number, min = 1): number {
  const v = settingValue(key, flagValue);
  if (v === undefined) return fallback;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isInteger(n) || n < min)
    throw new Error(`invalid ${key} "${String(v)}": expected an integer ≥ ${min}`);
  return n;
}

export function numberSetting(key: string, flagValue: unknown, fallback: number): number {
  const v = settingValue(key, flagValue);
  if (v === undefined) return fallback;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isFinite(n)) throw new Error(`invalid ${key} "${String(v)}": expected a number`);
  return n;
}

/** A secret comes only from the environment. Returns undefined when unset. */
export function secretFromEnv(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}
