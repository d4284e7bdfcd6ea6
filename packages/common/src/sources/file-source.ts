/**
 * A source over a folder (or an `s3://` prefix) of one-call-per-file transcripts named `TICKER_qN_YYYY.<ext>`.
 * Subclasses parse one file's text into components.
 */
import { basename, extname } from 'node:path';
import type { Quarter } from '../config/quarter.js';
import { parseStem } from './file-names.js';
import { type InputFiles, openInputFiles } from './input-files.js';
import { addListing, IndexedSource, type ListingIndex, sortListings } from './listing-index.js';
import {
  type Component,
  type FetchResult,
  type FirmRef,
  type SourceReject,
  TranscriptError,
  type TranscriptSource,
} from './types.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes bytes as strict UTF-8 (a BOM is dropped); throws a TranscriptError naming the problem. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    const text = utf8.decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    throw new TranscriptError('not valid UTF-8');
  }
}

export interface ParsedFile {
  components: Component[];
  firmName?: string | null;
  callDate?: string | null;
}

type Index = ListingIndex;

export abstract class FileSource extends IndexedSource<Index> implements TranscriptSource {
  abstract readonly kind: string;
  protected abstract readonly extension: string;
  private readonly files: InputFiles;
  constructor(readonly inputDir: string) {
    super();
    this.files = openInputFiles(inputDir);
  }

  /** Parses one file's text; throws TranscriptError for unusable content. */
  protected abstract parse(text: string, ref: FirmRef): ParsedFile;

  protected async buildIndex(): Promise<Index> {
    let entries: string[];
    try {
      entries = await this.files.list();
    } catch (err) {
      throw new Error(`cannot read input folder ${this.inputDir}: ${(err as Error).message}`);
    }
    const byQuarter = new Map<Quarter, FirmRef[]>();
    const rejects: SourceReject[] = [];
    const seen = new Map<string, string>();
    for (const path of entries) {
      const rel = path;
      if (extname(path).toLowerCase() !== this.extension) continue;
      const stem = basename(path, extname(path));
      const info = parseStem(stem);
      if (!info) {
        rejects.push({
          sourceRef: rel,
          quarter: null,
          firmId: null,
          reason: 'file name does not match TICKER_qN_YYYY',
        });
        continue;
      }
      const key = `${info.ticker}|${info.quarter}`;
      const first = seen.get(key);
      if (first !== undefined) {
        rejects.push({
          sourceRef: rel,
          quarter: info.quarter,
          firmId: info.ticker,
          reason: `firm ${info.ticker} appears twice in ${info.quarter} (kept ${first})`,
        });
        continue;
      }
      seen.set(key, rel);
      addListing(byQuarter, {
        firmId: info.ticker,
        ticker: info.ticker,
        quarter: info.quarter,
        sourceRef: rel,
      });
    }
    sortListings(byQuarter);
    return { byQuarter, rejects };
  }

  async *fetchTranscripts(quarter: Quarter, firmIds: readonly string[]): AsyncIterable<FetchResult> {
    const idx = await this.getIndex();
    const refs = new Map((idx.byQuarter.get(quarter) ?? []).map((r) => [r.firmId, r]));
    for (const firmId of firmIds) {
      const ref = refs.get(firmId);
      if (!ref) {
        yield {
          ok: false,
          reject: { sourceRef: firmId, quarter, firmId, reason: 'firm not found in source' },
        };
        continue;
      }
      yield await this.fetchOne(ref);
    }
  }

  private async fetchOne(ref: FirmRef): Promise<FetchResult> {
    try {
      const bytes = await this.files.read(ref.sourceRef);
      if (bytes.byteLength === 0) throw new TranscriptError('empty file');
      const text = decodeUtf8(bytes);
      if (text.trim() === '') throw new TranscriptError('empty file');
      const parsed = this.parse(text, ref);
      if (parsed.components.length === 0 || parsed.components.every((c) => c.text.trim() === '')) {
        throw new TranscriptError('no text in transcript');
      }
      return {
        ok: true,
        transcript: {
          firmId: ref.firmId,
          firmName: parsed.firmName ?? null,
          ticker: ref.ticker,
          quarter: ref.quarter,
          fiscalQuarter: ref.quarter,
          callDate: parsed.callDate ?? null,
          transcriptId: basename(ref.sourceRef, extname(ref.sourceRef)),
          source: this.kind,
          sourceRef: ref.sourceRef,
          components: parsed.components,
        },
      };
    } catch (err) {
      const reason =
        err instanceof TranscriptError
          ? err.message
          : `unreadable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
      return {
        ok: false,
        reject: { sourceRef: ref.sourceRef, quarter: ref.quarter, firmId: ref.firmId, reason },
      };
    }
  }
}
