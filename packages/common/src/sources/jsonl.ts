/**
 * JSONL transcripts: one call per line (format documented in docs/sources.md). The input is a `.jsonl` file
 * or a folder of them. Listing reads every line once; fetching streams the files again and keeps only the
 * requested lines, so a large file never sits in memory whole.
 */
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { isQuarter, type Quarter } from '../config/quarter.js';
import { type InputFiles, openInputFiles } from './input-files.js';
import { addListing, IndexedSource, type ListingIndex, sortListings } from './listing-index.js';
import {
  type Component,
  type FetchResult,
  type FirmRef,
  SECTIONS,
  type SourceReject,
  SPEAKER_ROLES,
  type TranscriptSource,
} from './types.js';

const componentSchema = z.object({
  speaker_name: z.string().nullish(),
  speaker_role: z.enum(SPEAKER_ROLES as [string, ...string[]]).nullish(),
  section: z.enum(SECTIONS as [string, ...string[]]).nullish(),
  text: z.string(),
});

export const jsonlTranscriptSchema = z.object({
  firm_id: z.string().min(1),
  quarter: z.string().refine(isQuarter, 'quarter must be YYYYQn'),
  ticker: z.string().nullish(),
  firm_name: z.string().nullish(),
  fiscal_quarter: z.string().nullish(),
  call_date: z.string().nullish(),
  transcript_id: z.string().nullish(),
  components: z.array(componentSchema).min(1),
});

export type JsonlTranscript = z.infer<typeof jsonlTranscriptSchema>;

interface LineRef {
  file: string;
  line: number;
}

interface Index extends ListingIndex {
  lines: Map<string, LineRef>;
}

function describeZodError(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; ');
}

export class JsonlSource extends IndexedSource<Index> implements TranscriptSource {
  readonly kind = 'jsonl';
  private readonly inputs: InputFiles;
  private singleName: string | null = null;
  constructor(readonly input: string) {
    super();
    this.inputs = openInputFiles(input);
  }

  /** The `.jsonl` files of the input, relative to it: '' when the input is one file (a folder's top level only). */
  private async files(): Promise<string[]> {
    this.singleName = await this.inputs.single();
    if (this.singleName !== null) return [''];
    return (await this.inputs.list()).filter((f) => !f.includes('/') && f.endsWith('.jsonl'));
  }

  private ref(file: string, line: number): string {
    return `${file || this.singleName || this.input}:${line}`;
  }

  private async *readLines(file: string): AsyncIterable<string> {
    const rl = createInterface({
      input: (await this.inputs.stream(file)).setEncoding('utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    try {
      for await (const line of rl) yield line;
    } finally {
      rl.close();
    }
  }

  protected async buildIndex(): Promise<Index> {
    const byQuarter = new Map<Quarter, FirmRef[]>();
    const lines = new Map<string, LineRef>();
    const rejects: SourceReject[] = [];
    for (const file of await this.files()) {
      let lineNo = 0;
      for await (const raw of this.readLines(file)) {
        lineNo++;
        if (raw.trim() === '') continue;
        const sourceRef = this.ref(file, lineNo);
        let obj: unknown;
        try {
          obj = JSON.parse(raw);
        } catch (err) {
          rejects.push({
            sourceRef,
            quarter: null,
            firmId: null,
            reason: `malformed JSON: ${(err as Error).message}`,
          });
          continue;
        }
        const head = z
          .object({ firm_id: z.string().min(1), quarter: z.string().refine(isQuarter) })
          .safeParse(obj);
        if (!head.success) {
          rejects.push({
            sourceRef,
            quarter: null,
            firmId: null,
            reason: `invalid transcript: ${describeZodError(head.error)}`,
          });
          continue;
        }
        const { firm_id: firmId, quarter } = head.data;
        const key = `${firmId}|${quarter}`;
        const first = lines.get(key);
        if (first) {
          rejects.push({
            sourceRef,
            quarter,
            firmId,
            reason: `firm ${firmId} appears twice in ${quarter} (kept ${this.ref(first.file, first.line)})`,
          });
          continue;
        }
        lines.set(key, { file, line: lineNo });
        const t = (obj as { ticker?: unknown }).ticker;
        addListing(byQuarter, { firmId, ticker: typeof t === 'string' ? t : null, quarter, sourceRef });
      }
    }
    sortListings(byQuarter);
    return { byQuarter, lines, rejects };
  }

  async *fetchTranscripts(quarter: Quarter, firmIds: readonly string[]): AsyncIterable<FetchResult> {
    const idx = await this.getIndex();
    const wanted = new Map<string, Map<number, string>>(); // file → line → firmId
    for (const firmId of firmIds) {
      const ref = idx.lines.get(`${firmId}|${quarter}`);
      if (!ref) continue;
      const m = wanted.get(ref.file) ?? new Map<number, string>();
      m.set(ref.line, firmId);
      wanted.set(ref.file, m);
    }
    const found = new Map<string, string>();
    for (const [file, byLine] of wanted) {
      let lineNo = 0;
      for await (const raw of this.readLines(file)) {
        lineNo++;
        const firmId = byLine.get(lineNo);
        if (firmId !== undefined) found.set(firmId, raw);
        if (found.size === firmIds.length) break;
      }
    }
    for (const firmId of firmIds) {
      const ref = idx.lines.get(`${firmId}|${quarter}`);
      const raw = found.get(firmId);
      if (!ref || raw === undefined) {
        yield {
          ok: false,
          reject: { sourceRef: firmId, quarter, firmId, reason: 'firm not found in source' },
        };
        continue;
      }
      yield this.toResult(raw, this.ref(ref.file, ref.line), quarter, firmId);
    }
  }

  private toResult(raw: string, sourceRef: string, quarter: Quarter, firmId: string): FetchResult {
    const parsed = jsonlTranscriptSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) {
      return {
        ok: false,
        reject: {
          sourceRef,
          quarter,
          firmId,
          reason: `invalid transcript: ${describeZodError(parsed.error)}`,
        },
      };
    }
    const d = parsed.data;
    const components: Component[] = d.components
      .filter((c) => c.text.trim() !== '')
      .map((c, i) => ({
        order: i,
        speakerName: c.speaker_name ?? null,
        speakerRole: (c.speaker_role ?? 'unknown') as Component['speakerRole'],
        section: (c.section ?? 'unknown') as Component['section'],
        text: c.text,
      }));
    if (components.length === 0) {
      return { ok: false, reject: { sourceRef, quarter, firmId, reason: 'no text in transcript' } };
    }
    return {
      ok: true,
      transcript: {
        firmId,
        firmName: d.firm_name ?? null,
        ticker: d.ticker ?? null,
        quarter,
        fiscalQuarter: d.fiscal_quarter ?? null,
        callDate: d.call_date ?? null,
        transcriptId: d.transcript_id ?? `${firmId}:${quarter}`,
        source: this.kind,
        sourceRef,
        components,
      },
    };
  }
}
