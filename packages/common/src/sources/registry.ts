/** Source registry: `--source <kind>` → a TranscriptSource. Other kinds (capiq, s3) register here. */
import { EctsumSource } from './ectsum.js';
import { JsonlSource } from './jsonl.js';
import { MotleyJsonSource } from './motley-json.js';
import type { SourceReject, TranscriptSource } from './types.js';

export interface SourceOptions {
  kind: string;
  input?: string;
  /** Extra kind-specific options (connection strings, schema names...). */
  [key: string]: unknown;
}

type Factory = (opts: SourceOptions) => TranscriptSource | Promise<TranscriptSource>;

const factories = new Map<string, Factory>([
  ['ectsum', (o) => new EctsumSource(requireInput(o))],
  ['motley-json', (o) => new MotleyJsonSource(requireInput(o))],
  ['jsonl', (o) => new JsonlSource(requireInput(o))],
  // Loaded on demand: pg and the AWS SDK are only needed by this source.
  ['capiq', async (o) => (await import('./capiq/index.js')).createCapiqSource(o)],
]);

export function registerSource(kind: string, factory: Factory): void {
  factories.set(kind, factory);
}

export function sourceKinds(): string[] {
  return [...factories.keys()];
}

function requireInput(o: SourceOptions): string {
  if (!o.input) throw new Error(`source ${o.kind} needs --input <dir>`);
  return o.input;
}

export async function createSource(opts: SourceOptions): Promise<TranscriptSource> {
  const f = factories.get(opts.kind);
  if (!f) throw new Error(`unknown source "${opts.kind}": expected one of ${sourceKinds().join(', ')}`);
  return f(opts);
}

/** Rejects a source found while listing that belong to no quarter (a file name with no quarter in it). */
export async function unplacedRejects(source: TranscriptSource): Promise<SourceReject[]> {
  const s = source as TranscriptSource & { unplacedRejects?: () => Promise<SourceReject[]> };
  return s.unplacedRejects ? s.unplacedRejects() : [];
}
