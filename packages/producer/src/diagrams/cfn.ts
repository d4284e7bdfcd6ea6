/**
 * Reading a synthesized CloudFormation template (what `cdk synth` writes): resources by type and the references
 * between them.
 */
import { readFileSync } from 'node:fs';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value?: unknown; Description?: string }>;
}

export function parseTemplate(text: string, where: string): CfnTemplate {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(
      `template ${where}: not JSON (${(err as Error).message}); pass the synthesized .template.json`,
    );
  }
  const r = raw as { Resources?: unknown };
  if (!r || typeof r !== 'object' || !r.Resources || typeof r.Resources !== 'object')
    throw new Error(`template ${where}: no Resources object: not a CloudFormation template`);
  for (const [id, res] of Object.entries(r.Resources as Record<string, unknown>)) {
    if (!res || typeof (res as CfnResource).Type !== 'string')
      throw new Error(`template ${where}: resource ${id} has no Type`);
  }
  return raw as CfnTemplate;
}

export function loadTemplate(path: string): CfnTemplate {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(
      `template ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message}`,
    );
  }
  return parseTemplate(text, path);
}

/** `LakeBucketA1B2C3D4` → `LakeBucket`: CDK appends an 8-hex-digit hash to logical ids. */
export function friendlyId(id: string): string {
  return id.replace(/[0-9A-F]{8}$/, '') || id;
}

/** Logical ids a value refers to through Ref, Fn::GetAtt and Fn::Sub, with the top-level property they sit in. */
export function referencesIn(value: unknown, ids: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'Ref' && typeof x === 'string' && ids.has(x)) out.add(x);
      else if (k === 'Fn::GetAtt') {
        const target = Array.isArray(x) ? x[0] : typeof x === 'string' ? x.split('.')[0] : undefined;
        if (typeof target === 'string' && ids.has(target)) out.add(target);
      } else if (k === 'Fn::Sub') {
        const text = Array.isArray(x) ? x[0] : x;
        if (typeof text === 'string')
          for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}/g))
            if (ids.has(m[1])) out.add(m[1]);
        if (Array.isArray(x)) walk(x[1]);
      } else walk(x);
    }
  };
  walk(value);
  return out;
}
