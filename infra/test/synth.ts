/** One synthesized stack for the infra tests (cdk-nag on: a finding fails the synth), with the serving fixture. */
import { tempDir } from '@callthemes/common/testing/paths';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../src/app.js';
import type { CallthemesStack } from '../src/stack.js';

/** A tiny directory with a Dockerfile standing in for infra/serving (written by the inference issue). */
export const SERVING_FIXTURE = 'infra/test/fixtures/serving';

export interface Synthesized {
  template: Template;
  json: CfnJson;
  stack: CallthemesStack;
  outdir: string;
  cleanup: () => void;
}

export type CfnJson = {
  Resources: Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string[] }>;
  Outputs: Record<string, { Value: unknown }>;
};

export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const out = tempDir('callthemes-cdk-');
  const { app, stack } = buildApp({
    outdir: out.path,
    context: { servingImageDir: SERVING_FIXTURE, ...context },
  });
  app.synth();
  const template = Template.fromStack(stack);
  return {
    template,
    json: template.toJSON() as CfnJson,
    stack,
    outdir: out.path,
    cleanup: out.cleanup,
  };
}

/** The default stack for a test file: synthesized before its tests, its output removed after them. */
export function synthesizedStack(): Synthesized {
  const s = {} as Synthesized;
  beforeAll(() => {
    Object.assign(s, synthesize());
  });
  afterAll(() => s.cleanup());
  return s;
}

export const ofType = (json: CfnJson, type: string) =>
  Object.entries(json.Resources).filter(([, r]) => r.Type === type);
