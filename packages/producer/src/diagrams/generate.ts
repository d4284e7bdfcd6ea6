/** All diagrams of this build, written as PlantUML sources and optionally rendered by the installed PlantUML. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activityDiagram } from './activity.js';
import { architectureDiagram } from './architecture.js';
import { type AslState, type CfnTemplate, friendlyId, stateMachines } from './cfn.js';
import { componentDiagram } from './component.js';
import { entityDiagram } from './entity.js';
import type { Diagram } from './puml.js';
import { type CloudFlow, sequenceDiagram } from './sequence.js';
import { type CommandInfo, systemFacts } from './system.js';

export interface GenerateOptions {
  commands: CommandInfo[];
  /** A synthesized CloudFormation template: adds the AWS architecture and the workflow's activity diagram. */
  template?: CfnTemplate;
}

/** The cloud side of the one-quarter sequence, read from the state machine's definition. */
function cloudFlow(template: CfnTemplate): CloudFlow | undefined {
  const sm = stateMachines(template)[0];
  if (!sm) return undefined;
  const text = JSON.stringify(sm.definition);
  // The Map over firm batches: the one whose iterations submit Batch jobs and that runs more than one at once.
  let limit: number | string | null = null;
  const walk = (states: Record<string, AslState>) => {
    for (const st of Object.values(states)) {
      const inner = st.ItemProcessor ?? st.Iterator;
      if (
        st.Type === 'Map' &&
        inner &&
        /batch:submitJob/.test(JSON.stringify(inner)) &&
        st.MaxConcurrency !== 1
      ) {
        const nested = Object.values(inner.States).some((x) => x.Type === 'Map');
        if (!nested) limit = st.MaxConcurrency ?? st.MaxConcurrencyPath ?? null;
      }
      if (inner) walk(inner.States);
      for (const b of st.Branches ?? []) walk(b.States);
    }
  };
  walk(sm.definition.States);
  // Served model names of the vLLM task definitions: a pooling runner serves embeddings, the other the LLM.
  let llmService: string | undefined;
  let embedService: string | undefined;
  for (const res of Object.values(template.Resources)) {
    if (res.Type !== 'AWS::ECS::TaskDefinition') continue;
    const containers = (res.Properties?.ContainerDefinitions ?? []) as { Command?: unknown[] }[];
    for (const c of containers) {
      const cmd = (c.Command ?? []).map((x) => (typeof x === 'string' ? x : ''));
      const at = cmd.indexOf('--served-model-name');
      const model = at >= 0 ? cmd[at + 1] : undefined;
      if (!model) continue;
      if (cmd.includes('pooling') || cmd.includes('embed')) embedService = model;
      else llmService = model;
    }
  }
  // The jobs' `--source` and the lake's bucket: what the cloud run reads and writes.
  let source: string | undefined;
  for (const res of Object.values(template.Resources)) {
    if (res.Type !== 'AWS::Batch::JobDefinition') continue;
    const cmd = (res.Properties?.ContainerProperties as { Command?: unknown[] } | undefined)?.Command ?? [];
    const at = cmd.indexOf('--source');
    if (at >= 0 && typeof cmd[at + 1] === 'string') source = cmd[at + 1] as string;
  }
  const buckets = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::S3::Bucket');
  const lakeBucket = buckets.find(([id]) => /lake/i.test(id))?.[0];
  return {
    stateMachine: sm.name,
    source,
    lake: lakeBucket ? `S3 bucket ${friendlyId(lakeBucket)} (Glue tables, Athena)` : undefined,
    llmService,
    embedService,
    scalesServices: /ecs:updateService/.test(text),
    maxConcurrency: limit,
  };
}

export function generateDiagrams(opts: GenerateOptions): Diagram[] {
  const facts = systemFacts(opts.commands);
  const out = [
    componentDiagram(facts),
    sequenceDiagram(facts, opts.template && cloudFlow(opts.template)),
    entityDiagram(facts.tables),
  ];
  if (opts.template) {
    out.push(architectureDiagram(opts.template));
    const machines = stateMachines(opts.template);
    machines.forEach((sm, k) => {
      const d = activityDiagram(sm);
      out.push(machines.length > 1 ? { ...d, name: `${d.name}-${k + 1}` } : d);
    });
  }
  return out;
}

export function writeSources(dir: string, diagrams: Diagram[]): string[] {
  mkdirSync(dir, { recursive: true });
  return diagrams.map((d) => {
    const path = join(dir, `${d.name}.puml`);
    writeFileSync(path, d.source);
    return path;
  });
}

/** Texts PlantUML puts in the image instead of failing (it exits 0 when Graphviz is missing). */
const ERROR_MARKERS = [
  'Syntax Error',
  'Cannot find Graphviz',
  'An error has occured',
  'Dot Executable:',
  'Dot executable does not exist',
];

export interface Rendered {
  source: string;
  image: string;
  bytes: number;
}

export const PLANTUML = process.env.CALLTHEMES_PLANTUML ?? 'plantuml';

/**
 * Renders sources through the installed PlantUML (one JVM for all files); fails with the file and PlantUML's
 * reason on a syntax error (exit 200) or an error image.
 */
export function render(sources: string[], format: 'svg' | 'png'): Rendered[] {
  const r = spawnSync(PLANTUML, [`-t${format}`, '-charset', 'UTF-8', '-failfast2', ...sources], {
    encoding: 'utf8',
    timeout: 180_000,
    // PlantUML crops PNGs at 4,096 px unless told otherwise; the architecture diagram is wider.
    env: {
      ...process.env,
      JAVA_TOOL_OPTIONS: `${process.env.JAVA_TOOL_OPTIONS ?? ''} -DPLANTUML_LIMIT_SIZE=16384`.trim(),
    },
  });
  if (r.error)
    throw new Error(`cannot run ${PLANTUML}: ${r.error.message} (install Debian's plantuml and graphviz)`);
  if (r.status !== 0)
    throw new Error(
      `plantuml exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(0, 6).join(' | ')}`,
    );
  return sources.map((source) => {
    const image = source.replace(/\.puml$/, `.${format}`);
    if (!existsSync(image)) throw new Error(`plantuml wrote no ${image}`);
    const bytes = statSync(image).size;
    if (bytes === 0) throw new Error(`plantuml wrote an empty ${image}`);
    if (format === 'svg') {
      const text = readFileSync(image, 'utf8');
      const marker = ERROR_MARKERS.find((m) => text.includes(m));
      if (marker) throw new Error(`${image}: PlantUML drew an error instead of the diagram ("${marker}")`);
    }
    return { source, image, bytes };
  });
}
