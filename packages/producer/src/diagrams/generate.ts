/** All diagrams of this build, written as PlantUML sources and optionally rendered by the installed PlantUML. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { architectureDiagram } from './architecture.js';
import type { CfnTemplate } from './cfn.js';
import { componentDiagram } from './component.js';
import { entityDiagram } from './entity.js';
import { fleetShape } from './fleet.js';
import type { Diagram } from './puml.js';
import { sequenceDiagram } from './sequence.js';
import { type CommandInfo, systemFacts } from './system.js';

export interface GenerateOptions {
  commands: CommandInfo[];
  /** A synthesized CloudFormation template: the AWS labels of the sequence and components, and the architecture. */
  template?: CfnTemplate;
}

export function generateDiagrams(opts: GenerateOptions): Diagram[] {
  const facts = systemFacts(opts.commands);
  const fleet = opts.template ? fleetShape(opts.template) : undefined;
  const out = [
    componentDiagram(facts, fleet),
    sequenceDiagram(facts, fleet),
    entityDiagram(facts.tables, fleet),
  ];
  if (opts.template) out.push(architectureDiagram(opts.template));
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
