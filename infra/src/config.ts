/**
 * Deployment settings of the AWS app, read from CDK context (`-c callthemes:key=value`, or the bare key) with
 * defaults sized for a quarter of ~5,000 firms. Instance types and prices: docs/aws.md.
 */

import { type CloudConfig, DEFAULT_CONFIG } from '@callthemes/common/config';
import type { Node } from 'constructs';

export { type CloudConfig, DEFAULT_CONFIG } from '@callthemes/common/config';

/** Reads each setting from context (`callthemes:<key>`, then `<key>`), falling back to the default. */
export function configFromContext(node: Node, overrides: Partial<CloudConfig> = {}): CloudConfig {
  const out: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const [key, fallback] of Object.entries(DEFAULT_CONFIG)) {
    const raw =
      overrides[key as keyof CloudConfig] ??
      node.tryGetContext(`callthemes:${key}`) ??
      node.tryGetContext(key);
    if (raw === undefined || raw === null) continue;
    out[key] = coerce(key, raw, fallback);
  }
  return out as unknown as CloudConfig;
}

function coerce(key: string, raw: unknown, fallback: unknown): unknown {
  if (Array.isArray(fallback)) {
    const list = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
    const clean = list.map((s) => s.trim()).filter(Boolean);
    if (clean.length === 0) throw new Error(`context callthemes:${key}: expected a non-empty list`);
    return clean;
  }
  if (typeof fallback === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0)
      throw new Error(`context callthemes:${key}: expected a number ≥ 0, got ${raw}`);
    return n;
  }
  return String(raw);
}
