/**
 * Reading a synthesized CloudFormation template (what `cdk synth` writes): resources by type, the references
 * between them, and each state machine's Amazon States Language definition with references kept as names.
 */
import { readFileSync } from 'node:fs';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
}

export interface AslChoiceRule {
  Next?: string;
  Variable?: string;
  Condition?: string;
  And?: AslChoiceRule[];
  Or?: AslChoiceRule[];
  Not?: AslChoiceRule;
  [op: string]: unknown;
}

export interface AslState {
  Type: string;
  Comment?: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  Arguments?: Record<string, unknown>;
  Choices?: AslChoiceRule[];
  Default?: string;
  Branches?: Asl[];
  Iterator?: Asl;
  ItemProcessor?: Asl;
  ItemsPath?: string;
  Items?: unknown;
  MaxConcurrency?: number;
  MaxConcurrencyPath?: string;
  Seconds?: number;
  SecondsPath?: string;
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Error?: string;
  Cause?: string;
}

export interface Asl {
  StartAt: string;
  States: Record<string, AslState>;
  Comment?: string;
}

export interface StateMachine {
  id: string;
  name: string;
  definition: Asl;
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

/** Marker left in a definition where the template had a reference: `«LogicalId»`. */
export const REF_OPEN = '«';
export const REF_CLOSE = '»';

/** A pseudo parameter as plain text: `AWS::Partition` → `aws` (so ARNs still parse), others by name. */
function pseudo(ref: string): string {
  return ref === 'AWS::Partition' ? 'aws' : ref.slice(5).toLowerCase();
}

/** A DefinitionString (a string or an Fn::Join of strings and references) as text with `«id»` markers. */
export function definitionText(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v && Array.isArray(v['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => definitionText(p)).join(sep);
  }
  if (v && typeof v.Ref === 'string')
    return v.Ref.startsWith('AWS::') ? pseudo(v.Ref) : `${REF_OPEN}${v.Ref}${REF_CLOSE}`;
  if (v?.['Fn::GetAtt']) {
    const g = v['Fn::GetAtt'];
    return `${REF_OPEN}${Array.isArray(g) ? g[0] : String(g).split('.')[0]}${REF_CLOSE}`;
  }
  if (v && v['Fn::Sub'] !== undefined) {
    const text = Array.isArray(v['Fn::Sub']) ? v['Fn::Sub'][0] : v['Fn::Sub'];
    return String(text).replace(/\$\{([A-Za-z0-9:]+)(?:\.[A-Za-z0-9.]+)?\}/g, (_, id: string) =>
      id.startsWith('AWS::') ? pseudo(id) : `${REF_OPEN}${id}${REF_CLOSE}`,
    );
  }
  return `${REF_OPEN}?${REF_CLOSE}`;
}

export function stateMachines(t: CfnTemplate): StateMachine[] {
  const out: StateMachine[] = [];
  for (const [id, res] of Object.entries(t.Resources)) {
    if (res.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const p = res.Properties ?? {};
    let definition: Asl;
    if (p.Definition && typeof p.Definition === 'object') definition = p.Definition as Asl;
    else if (p.DefinitionString !== undefined) {
      const text = definitionText(p.DefinitionString);
      try {
        definition = JSON.parse(text) as Asl;
      } catch (err) {
        throw new Error(`state machine ${id}: DefinitionString is not JSON: ${(err as Error).message}`);
      }
    } else
      throw new Error(`state machine ${id}: no Definition or DefinitionString (S3 definitions are not read)`);
    if (!definition.StartAt || !definition.States)
      throw new Error(`state machine ${id}: the definition has no StartAt/States`);
    const name = typeof p.StateMachineName === 'string' ? p.StateMachineName : friendlyId(id);
    out.push({ id, name, definition });
  }
  return out;
}

/** Logical ids named in a definition's `«id»` markers, in order of first appearance. */
export function markedIds(value: unknown): string[] {
  const text = JSON.stringify(value);
  const ids: string[] = [];
  for (const m of text.matchAll(/«([^»]+)»/g)) if (!ids.includes(m[1])) ids.push(m[1]);
  return ids;
}
