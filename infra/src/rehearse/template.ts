/**
 * The synthesized template as the rehearsal needs it: the resources it creates on the emulator (queues, table,
 * bucket, cluster and services), the workers' task definitions (environment and command), the async endpoint's
 * output locations, and the stack outputs, with CloudFormation's intrinsics resolved against what was created.
 */
import { readFileSync } from 'node:fs';

export interface CfnResource {
  Type: string;
  // biome-ignore lint/suspicious/noExplicitAny: template properties are arbitrary JSON
  Properties?: Record<string, any>;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs: Record<string, { Value: unknown }>;
}

export function readTemplate(path: string): CfnTemplate {
  return JSON.parse(readFileSync(path, 'utf8')) as CfnTemplate;
}

export const ofType = (t: CfnTemplate, type: string): [string, CfnResource][] =>
  Object.entries(t.Resources).filter(([, r]) => r.Type === type);

/** What `Ref` and `Fn::GetAtt` of a created resource give (logical id → attribute → value). */
export type Created = Map<string, Record<string, string>>;

export const PSEUDO: Record<string, string> = {
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'Callthemes',
};

/** Resolves Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split; throws naming what it cannot. */
export function resolve(value: unknown, created: Created): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // biome-ignore lint/suspicious/noExplicitAny: an intrinsic function is arbitrary JSON
  const v = value as Record<string, any>;
  if ('Ref' in v) {
    const r = PSEUDO[v.Ref] ?? created.get(v.Ref)?.Ref;
    if (r === undefined) throw new Error(`template: Ref ${v.Ref} names nothing the rehearsal created`);
    return r;
  }
  if ('Fn::GetAtt' in v) {
    const [id, att] = v['Fn::GetAtt'] as [string, string];
    const r = created.get(id)?.[att];
    if (r === undefined)
      throw new Error(`template: Fn::GetAtt ${id}.${att} names nothing the rehearsal created`);
    return r;
  }
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolve(p, created)).join(sep);
  }
  if ('Fn::Select' in v) {
    const [i, list] = v['Fn::Select'] as [number, unknown];
    const items = Array.isArray(list)
      ? list.map((x) => resolve(x, created))
      : resolve(list, created).split(',');
    return items[Number(i)];
  }
  if ('Fn::Split' in v) {
    const [sep, s] = v['Fn::Split'] as [string, unknown];
    return resolve(s, created).split(sep).join(',');
  }
  throw new Error(`template: cannot resolve ${JSON.stringify(value).slice(0, 120)}`);
}

export interface TaskDefinition {
  logicalId: string;
  command: string[];
  environment: Record<string, string>;
}

/** The container definition of each ECS task definition, environment resolved. */
export function taskDefinitions(t: CfnTemplate, created: Created): TaskDefinition[] {
  return ofType(t, 'AWS::ECS::TaskDefinition').map(([logicalId, r]) => {
    const [c] = r.Properties!.ContainerDefinitions as {
      Command?: string[];
      Environment?: { Name: string; Value: unknown }[];
    }[];
    const environment: Record<string, string> = {};
    for (const e of c.Environment ?? []) environment[e.Name] = resolve(e.Value, created);
    return { logicalId, command: c.Command ?? [], environment };
  });
}
