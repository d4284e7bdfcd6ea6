/** One firm's component rows → a Transcript (or the reason it is unusable). */
import type { Quarter } from '../../config/quarter.js';
import type { Component, Transcript } from '../types.js';
import { endsOpen, roleOf, sectionOf } from './mapping.js';

/** A row of chosenCallsSql. */
export interface ChosenCall {
  firm_id: string;
  company_name: string | null;
  ticker: string | null;
  event_id: string;
  transcript_id: string;
  headline: string | null;
  call_date: string;
  fiscal_label: string | null;
  collection_type: string | null;
  n_calls: number;
  n_firms_sharing: number;
}

/** A row of componentsSql. */
export interface ComponentRow {
  pos: number;
  transcript_id: string;
  component_id: string;
  component_order: number;
  component_type_id: number | null;
  component_type: string | null;
  person_id: string | null;
  speaker_name: string | null;
  speaker_type_id: number | null;
  speaker_type: string | null;
  text: string | null;
}

export interface AssemblyCounts {
  blank: number;
  /** Turns joined to the previous one because that one stopped mid-sentence. */
  joined: number;
}

export type Assembled =
  | { ok: true; transcript: Transcript; counts: AssemblyCounts }
  | { ok: false; reason: string };

export function transcriptRef(call: Pick<ChosenCall, 'transcript_id'>): string {
  return `capiq:transcript/${call.transcript_id}`;
}

export function assembleTranscript(
  call: ChosenCall,
  quarter: Quarter,
  rows: readonly ComponentRow[],
): Assembled {
  if (rows.length === 0)
    return {
      ok: false,
      reason: `transcript ${call.transcript_id} (event ${call.event_id}) has metadata but no components`,
    };
  const components: Component[] = [];
  const counts: AssemblyCounts = { blank: 0, joined: 0 };
  let prev: ComponentRow | null = null;
  for (const r of rows) {
    const text = r.text ?? '';
    if (text.trim() === '') {
      counts.blank++;
      continue;
    }
    const last = components[components.length - 1];
    if (
      last &&
      prev &&
      r.person_id !== null &&
      r.person_id === prev.person_id &&
      r.component_type_id === prev.component_type_id &&
      endsOpen(last.text)
    ) {
      last.text = `${last.text.trimEnd()} ${text.trimStart()}`;
      counts.joined++;
      prev = r;
      continue;
    }
    components.push({
      order: r.component_order,
      speakerName: r.speaker_name?.trim() || null,
      speakerRole: roleOf({
        personId: r.person_id,
        speakerTypeId: r.speaker_type_id,
        speakerTypeName: r.speaker_type,
        componentTypeId: r.component_type_id,
        componentTypeName: r.component_type,
      }),
      section: sectionOf(r.component_type_id, r.component_type),
      text,
    });
    prev = r;
  }
  if (components.length === 0)
    return {
      ok: false,
      reason: `transcript ${call.transcript_id} (event ${call.event_id}): all ${rows.length} components are blank`,
    };
  return {
    ok: true,
    counts,
    transcript: {
      firmId: call.firm_id,
      firmName: call.company_name,
      ticker: call.ticker,
      quarter,
      fiscalQuarter: call.fiscal_label,
      callDate: call.call_date,
      transcriptId: call.transcript_id,
      source: 'capiq',
      sourceRef: transcriptRef(call),
      components,
    },
  };
}
