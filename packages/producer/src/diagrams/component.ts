/**
 * The fleet's components: the producer's commands, the two workers, the ports they share through
 * `@callthemes/common` with their local and AWS adapters, and the lake. With a template, the AWS side names the
 * deployed queues, table, services and endpoint.
 */
import type { FleetShape } from './fleet.js';
import { alias, type Diagram, document, quoted } from './puml.js';
import type { SystemFacts } from './system.js';

/** Which part a CLI command drives (commands not listed drive only themselves). */
const COMMAND_PART: Record<string, string> = {
  enqueue: 'queue_port',
  status: 'counters_port',
  redrive: 'queue_port',
  run: 'prog_firm_worker',
  query: 'duckdb',
  report: 'duckdb',
  'athena-ddl': 'duckdb',
  estimate: 'run_metrics',
  diagrams: 'run_metrics',
};

export function componentDiagram(f: SystemFacts, fleet?: FleetShape): Diagram {
  const s = f.settings;
  const body: string[] = [
    'skinparam componentStyle uml2',
    'skinparam shadowing false',
    'left to right direction',
  ];
  body.push('actor Researcher');
  body.push('package "producer (callthemes CLI)" {');
  for (const c of f.commands) body.push(`  [${c.name}] as cmd_${alias(c.name)}`);
  body.push('}');
  body.push('package "fleet programs" {');
  for (const p of f.programs.filter((x) => x.consumes))
    body.push(`  [${p.name}${p.inThisBuild ? '' : '\\n(not in this build)'}] as prog_${alias(p.command)}`);
  body.push('}');
  const aws = (text: string) => (fleet ? `\\nAWS: ${text}` : '\\nAWS: (no template given)');
  body.push('package "@callthemes/common ports" {');
  body.push(
    `  [WorkQueue\\nlocal: SQLite${aws(
      fleet ? fleet.queues.map((x) => `${x.name} (DLQ after ${x.maxReceiveCount})`).join(', ') : '',
    )}] as queue_port`,
  );
  body.push(
    `  [Counters\\nlocal: SQLite${aws(fleet?.table ? `DynamoDB, ${fleet.table.key.join(', ')}` : 'DynamoDB')}] as counters_port`,
  );
  body.push(
    `  [Inference\\nlocal: ${s.embedder}${aws(
      fleet?.endpoint
        ? `SageMaker async ${fleet.endpoint.name} (${fleet.endpoint.instanceTypes.join(' | ')})`
        : 'SageMaker async',
    )}] as inference_port`,
  );
  body.push('  () "TranscriptSource" as source_seam');
  body.push('}');
  body.push('package "sources" {');
  for (const k of f.sources) body.push(`  [${k}] as src_${alias(k)}`);
  body.push('}');
  for (const k of f.sources) body.push(`src_${alias(k)} -up- source_seam`);
  body.push(
    `database ${quoted(`lake (Parquet, Hive partitions)\n${fleet?.bucket ? `S3 ${fleet.bucket}/lake` : s.lake}`)} as lake {`,
  );
  for (const t of f.tables) body.push(`  [${t.name}] as tbl_${alias(t.name)}`);
  body.push('  [_runs/ metrics] as run_metrics');
  body.push('  [_manifests] as manifests');
  body.push('}');
  body.push('[DuckDB (local) / Athena (AWS)] as duckdb');
  if (fleet) {
    body.push(
      `cloud ${quoted(`AWS: ${fleet.services.map((x) => `${x.name} ${x.minTasks}..${x.maxTasks}`).join(', ')}\ndashboard ${fleet.dashboard ?? '-'}, ${fleet.alarms} alarms`)} as aws`,
    );
    for (const p of f.programs.filter((x) => x.consumes))
      body.push(`aws ..> prog_${alias(p.command)} : runs`);
  }
  body.push(`Researcher --> cmd_${alias(f.commands[0]?.name ?? 'enqueue')}`);
  for (const c of f.commands) {
    const part = COMMAND_PART[c.name];
    if (part) body.push(`cmd_${alias(c.name)} --> ${part}`);
  }
  for (const p of f.programs.filter((x) => x.consumes)) {
    const from = `prog_${alias(p.command)}`;
    body.push(`queue_port --> ${from} : ${p.consumes}`);
    for (const sent of p.sends) body.push(`${from} --> queue_port : ${sent}`);
    body.push(`${from} --> counters_port`);
    for (const call of p.calls)
      body.push(`${from} ..> ${call === 'source' ? 'source_seam' : 'inference_port'}`);
    for (const t of p.writes) body.push(`${from} --> tbl_${alias(t)} : writes`);
    for (const t of p.reads) body.push(`tbl_${alias(t)} --> ${from} : reads`);
    if (p.writes.length > 0) body.push(`${from} --> manifests : last`);
  }
  body.push('duckdb --> lake : reads');
  const title = `callthemes components (${fleet ? 'SQS fleet on AWS' : 'local fleet'})`;
  return {
    name: 'components',
    title,
    source: document(title, body),
    mentions: ['WorkQueue', 'Counters', 'Inference', ...f.commands.map((c) => c.name)],
  };
}
