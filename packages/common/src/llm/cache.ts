/**
 * Persistent response cache: a re-run with the same model, messages and parameters is answered from here and
 * sends nothing. Entries live under `_cache/llm/` of any text store: a lake folder now, an S3 prefix later
 * (a lake store satisfies `TextStore` as it is).
 */
import { createHash } from 'node:crypto';

/** The two operations the cache needs from a store of text objects. */
export interface TextStore {
  getText(key: string): Promise<string | null>;
  putText(key: string, text: string): Promise<void>;
}

export interface ResponseCache {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
}

/** JSON with object keys sorted, so equal requests hash equally whatever order their fields were built in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v as object)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

/** sha256 over the canonical JSON of what decides the answer (model, messages or inputs, parameters). */
export function cacheKey(parts: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex');
}

export class StoreResponseCache implements ResponseCache {
  constructor(
    private readonly store: TextStore,
    private readonly prefix = '_cache/llm',
  ) {}

  private path(key: string): string {
    if (!/^[0-9a-f]{16,}$/.test(key)) throw new Error(`cache key must be a hex digest, got "${key}"`);
    return `${this.prefix}/${key.slice(0, 2)}/${key}.json`;
  }

  get(key: string): Promise<string | null> {
    return this.store.getText(this.path(key));
  }

  put(key: string, value: string): Promise<void> {
    return this.store.putText(this.path(key), value);
  }
}

export class MemoryResponseCache implements ResponseCache {
  readonly entries = new Map<string, string>();
  async get(key: string): Promise<string | null> {
    return this.entries.get(key) ?? null;
  }
  async put(key: string, value: string): Promise<void> {
    this.entries.set(key, value);
  }
}
