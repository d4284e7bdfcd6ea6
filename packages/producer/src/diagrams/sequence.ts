/**
 * One quarter as a sequence diagram: the orchestrator (the local run, or the Step Functions state machine when a
 * template is given) drives the stages in order; firm batches run in parallel up to the concurrency.
 */
import { type Diagram, document, label, quoted } from './puml.js';
import type { SystemFacts } from './system.js';

export interface CloudFlow {
  stateMachine: string;
  /** The workflow scales inference services up before the stages and down after them. */
  scalesServices: boolean;
  /** The jobs' transcript source and the lake's bucket, when the template names them. */
  source?: string;
  lake?: string;
  /** Served model names of the inference services (vLLM `--served-model-name`), when found. */
  llmService?: string;
  embedService?: string;
  /** MaxConcurrency of the Map over batches: a number, or the input path it is read from. */
  maxConcurrency: number | string | null;
}

export function sequenceDiagram(f: SystemFacts, cloud?: CloudFlow): Diagram {
  const s = f.settings;
  const stage = (command: string) => f.stages.find((x) => x.command === command)!;
  const [batches, firmBatch, themes, sentiment] = ['batches', 'firm-batch', 'themes', 'sentiment'].map(stage);
  const concurrency =
    typeof cloud?.maxConcurrency === 'string'
      ? `${cloud.maxConcurrency.replace(/^\$\./, '')} (run input)`
      : (cloud?.maxConcurrency ?? s.concurrency);
  const body: string[] = ['skinparam shadowing false', 'autonumber'];
  body.push('actor Researcher');
  body.push(
    cloud
      ? `participant ${quoted(`Step Functions\n${cloud.stateMachine}`)} as orch`
      : `participant ${quoted('callthemes run\n(local orchestrator)')} as orch`,
  );
  body.push(`participant ${quoted(`source\n${cloud?.source ?? s.source ?? f.sources.join(' | ')}`)} as src`);
  body.push(`participant ${quoted(`stage: ${firmBatch.name}\n× ⌈firms ÷ ${s.batchSize}⌉ jobs`)} as fb`);
  const embedder = cloud?.embedService ? `${cloud.embedService} on vLLM (ECS, GPU)` : s.embedder;
  const namer = cloud?.llmService ? `${cloud.llmService} on vLLM (ECS, GPU)` : s.llm;
  body.push(`participant ${quoted(`embedder\n${embedder}`)} as emb`);
  body.push(`participant ${quoted(`namer\n${namer}`)} as llm`);
  body.push(`participant ${quoted(`stage: ${themes.name}`)} as th`);
  body.push(`participant ${quoted(`stage: ${sentiment.name}`)} as se`);
  body.push(`database ${quoted(`lake\n${cloud?.lake ?? s.lake}`)} as lake`);
  body.push(
    `Researcher -> orch : ${label(cloud ? 'cloud start --quarters Q1..Qn' : 'run --quarters Q1..Qn')}`,
  );
  body.push('== one quarter Q (quarters run one after another) ==');
  if (cloud?.scalesServices)
    body.push('orch -> emb : scale up, wait until healthy', 'orch -> llm : scale up, wait until healthy');
  body.push(`orch -> src : ${label(`stage: ${batches.name} (${batches.does})`)}`);
  body.push(`src --> orch : ${label(`firm batches of ${s.batchSize}`)}`);
  body.push(`par up to ${concurrency} batches at once`);
  body.push(`  orch -> fb : ${label(`${firmBatch.command} --quarter Q --batch i`)}`);
  body.push('  fb -> src : fetch transcripts of the batch');
  body.push('  fb -> fb : split, filter boilerplate');
  body.push('  fb -> emb : embed sentences');
  body.push('  fb -> fb : cluster into topics, keywords');
  body.push('  fb -> llm : name topics');
  body.push(`  fb -> lake : ${label(`${firmBatch.writes.join(', ')} parts (every N firms)`)}`);
  body.push('  fb -> lake : batch manifest (written last)');
  body.push('end');
  body.push(`orch -> th : ${label(`${themes.command} --quarter Q`)}`);
  body.push(`th -> lake : ${label(`read ${themes.reads.join(', ')}`)}`);
  body.push('th -> llm : name themes');
  body.push(`th -> lake : ${label(`${themes.writes.join(', ')}`)}`);
  body.push(`orch -> se : ${label(`${sentiment.command} --quarter Q`)}`);
  body.push(`se -> lake : ${label(`read ${sentiment.reads.join(', ')}`)}`);
  body.push(`se -> lake : ${label(`${sentiment.writes.join(', ')}`)}`);
  if (cloud?.scalesServices) body.push('orch -> emb : scale to zero', 'orch -> llm : scale to zero');
  body.push('orch -> lake : _runs/<run_id>.json (metrics)');
  body.push('orch --> Researcher : done; query the lake');
  const notBuilt = f.stages.filter((x) => !x.inThisBuild).map((x) => x.command);
  if (notBuilt.length > 0)
    body.push(`note over orch : ${label(`not in this build yet: ${notBuilt.join(', ')}`)}`);
  return {
    name: 'quarter-sequence',
    title: `One quarter${cloud ? ' on AWS' : ' (local run)'}`,
    source: document(`One quarter${cloud ? ' on AWS' : ' (local run)'}`, body),
    mentions: f.stages.map((x) => `stage: ${x.name}`),
  };
}
