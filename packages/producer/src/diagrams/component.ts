/** The local system's components: CLI commands, pipeline stages, the seams and their configured parts, the lake. */
import { alias, type Diagram, document, quoted } from './puml.js';
import type { SystemFacts } from './system.js';

/** Which part a CLI command drives (commands not listed drive only themselves). */
const COMMAND_PART: Record<string, string> = {
  ingest: 'stage_firm_batch',
  'firm-batch': 'stage_firm_batch',
  batches: 'stage_batches',
  themes: 'stage_themes',
  sentiment: 'stage_sentiment',
  run: 'orchestrator',
  query: 'duckdb',
  report: 'duckdb',
  'athena-ddl': 'duckdb',
  estimate: 'run_metrics',
  cloud: 'aws',
};

export function componentDiagram(f: SystemFacts): Diagram {
  const s = f.settings;
  const body: string[] = [
    'skinparam componentStyle uml2',
    'skinparam shadowing false',
    'left to right direction',
  ];
  body.push('actor Researcher');
  body.push('package "callthemes CLI" {');
  for (const c of f.commands) body.push(`  [${c.name}] as cmd_${alias(c.name)}`);
  body.push('}');
  body.push('package "pipeline (one quarter)" {');
  body.push(
    `  [local orchestrator\\nbatch size ${s.batchSize}, concurrency ${s.concurrency}\\nresume from manifests] as orchestrator`,
  );
  for (const st of f.stages)
    body.push(
      `  [stage: ${st.name}${st.inThisBuild ? '' : '\\n(not in this build)'}] as stage_${alias(st.name)}`,
    );
  body.push('}');
  body.push('package "sources" {');
  body.push('  () "TranscriptSource" as source_seam');
  for (const k of f.sources) body.push(`  [${k}] as src_${alias(k)}`);
  body.push('}');
  for (const k of f.sources) body.push(`src_${alias(k)} -up- source_seam`);
  body.push('package "seams (configured parts)" {');
  body.push(`  [embedder\\n${s.embedder}] as embedder`);
  body.push(`  [topic and theme namer\\n${s.llm}] as llm`);
  body.push(`  [sentiment classifier\\n${s.classifier}] as classifier`);
  body.push('}');
  body.push(`database ${quoted(`lake (Parquet, Hive partitions)\n${s.lake}`)} as lake {`);
  for (const t of f.tables) body.push(`  [${t.name}] as tbl_${alias(t.name)}`);
  body.push('  [_runs/<run_id>.json] as run_metrics');
  body.push('  [_manifests] as manifests');
  body.push('}');
  body.push('[DuckDB (local) / Athena (AWS)] as duckdb');
  if (f.commands.some((c) => c.name === 'cloud')) body.push('cloud "AWS deployment" as aws');
  body.push('Researcher --> cmd_' + alias(f.commands[0]?.name ?? 'ingest'));
  for (const c of f.commands) {
    const part = COMMAND_PART[c.name];
    if (part && (part !== 'aws' || f.commands.some((x) => x.name === 'cloud')))
      body.push(`cmd_${alias(c.name)} --> ${part}`);
  }
  for (const st of f.stages) body.push(`orchestrator --> stage_${alias(st.name)}`);
  for (const st of f.stages) {
    const from = `stage_${alias(st.name)}`;
    for (const call of st.calls) {
      if (call === 'source') body.push(`${from} ..> source_seam`);
      else body.push(`${from} ..> ${call === 'llm' ? 'llm' : call}`);
    }
    for (const t of st.writes) body.push(`${from} --> tbl_${alias(t)} : writes`);
    for (const t of st.reads) body.push(`tbl_${alias(t)} --> ${from} : reads`);
    if (st.writes.length > 0) body.push(`${from} --> manifests : last`);
  }
  body.push('orchestrator --> run_metrics : writes');
  body.push('duckdb --> lake : reads');
  return {
    name: 'components',
    title: 'callthemes components (local run)',
    source: document('callthemes components (local run)', body),
    mentions: [...f.stages.map((s) => `stage: ${s.name}`), ...f.commands.map((c) => c.name)],
  };
}
