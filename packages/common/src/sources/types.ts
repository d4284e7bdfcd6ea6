/** The source seam: where transcripts come from. Every source yields the same ordered components. */
import type { Quarter } from '../config/quarter.js';

export type SpeakerRole = 'executive' | 'analyst' | 'operator' | 'other' | 'unknown';
export type Section = 'prepared' | 'qa' | 'unknown';

export const SPEAKER_ROLES: readonly SpeakerRole[] = ['executive', 'analyst', 'operator', 'other', 'unknown'];
export const SECTIONS: readonly Section[] = ['prepared', 'qa', 'unknown'];

export interface Component {
  /** 0-based order of the component within the transcript. */
  order: number;
  speakerName: string | null;
  speakerRole: SpeakerRole;
  section: Section;
  text: string;
  /** True when `text` is already exactly one sentence (ECTSum lines); the splitter then leaves it whole. */
  preSplit?: boolean;
}

export interface FirmRef {
  firmId: string;
  ticker: string | null;
  quarter: Quarter;
  /** Where the firm's transcript lives (a file path relative to the input, a row key...). */
  sourceRef: string;
}

export interface Transcript {
  firmId: string;
  firmName: string | null;
  ticker: string | null;
  quarter: Quarter;
  fiscalQuarter: string | null;
  callDate: string | null;
  transcriptId: string;
  source: string;
  sourceRef: string;
  components: Component[];
}

export interface SourceReject {
  sourceRef: string;
  quarter: Quarter | null;
  firmId: string | null;
  reason: string;
}

export interface FirmListing {
  /** Firms of the quarter, sorted by firmId, each once. */
  firms: FirmRef[];
  /** Files or rows that could not be listed (bad name, duplicate firm...). */
  rejects: SourceReject[];
}

export type FetchResult = { ok: true; transcript: Transcript } | { ok: false; reject: SourceReject };

export interface TranscriptSource {
  readonly kind: string;
  listFirms(quarter: Quarter): Promise<FirmListing>;
  /** Yields one result per requested firm, in the order given, one at a time (streaming). */
  fetchTranscripts(quarter: Quarter, firmIds: readonly string[]): AsyncIterable<FetchResult>;
  close?(): Promise<void>;
}

/** Thrown by parsers for a file that cannot be used; the message is the reason recorded in `rejects`. */
export class TranscriptError extends Error {}
