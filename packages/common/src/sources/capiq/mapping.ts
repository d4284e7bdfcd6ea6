/**
 * Capital IQ code values → DESIGN's sections and speaker roles (spec §5.1, §5.2, §8). Names are matched first,
 * ids second, because only a few ids are documented; anything else is `unknown` / `other`.
 */
import type { Section, SpeakerRole } from '../types.js';

const PREPARED_TYPE_IDS = new Set([1, 2]);
const QA_TYPE_IDS = new Set([3, 4, 7]);
/** Component types spoken by the operator (spec §10.7). */
const OPERATOR_TYPE_IDS = new Set([1, 7]);
/** The generic "Operator" person (spec §4.2). */
export const OPERATOR_PERSON_ID = '1';

const norm = (s: string | null | undefined) => (s ?? '').trim().toLowerCase().replace(/\s+/g, ' ');

export function sectionOf(typeId: number | null, typeName: string | null): Section {
  const name = norm(typeName);
  if (name) {
    if (name === 'presentation operator message' || /^presenters? spe[ea]ch/.test(name)) return 'prepared';
    if (/^(question|answer)$/.test(name) || /question and answer/.test(name)) return 'qa';
  }
  if (typeId !== null && PREPARED_TYPE_IDS.has(typeId)) return 'prepared';
  if (typeId !== null && QA_TYPE_IDS.has(typeId)) return 'qa';
  return 'unknown';
}

export interface SpeakerFacts {
  personId: string | null;
  speakerTypeId: number | null;
  speakerTypeName: string | null;
  componentTypeId: number | null;
  componentTypeName: string | null;
}

export function roleOf(f: SpeakerFacts): SpeakerRole {
  const name = norm(f.speakerTypeName);
  if (name) {
    if (/^operator/.test(name)) return 'operator';
    if (/^(executive|company rep)/.test(name)) return 'executive';
    if (/^analyst/.test(name)) return 'analyst';
  } else if (f.speakerTypeId !== null) {
    if (f.speakerTypeId === 1) return 'operator';
    if (f.speakerTypeId === 2) return 'executive';
    if (f.speakerTypeId === 3) return 'analyst';
  }
  if (f.personId === OPERATOR_PERSON_ID) return 'operator';
  if (name || f.speakerTypeId !== null) return 'other';
  // No person row: an operator message type still says who speaks.
  const typeName = norm(f.componentTypeName);
  if (
    /operator message/.test(typeName) ||
    (f.componentTypeId !== null && OPERATOR_TYPE_IDS.has(f.componentTypeId))
  )
    return 'operator';
  return 'unknown';
}

/**
 * True when a turn looks cut mid-sentence (spec §10.6): it does not end in terminal punctuation, a closing
 * quote or bracket. Such a turn is joined with the next one of the same person and type.
 */
export function endsOpen(text: string): boolean {
  return !/[.!?…:;"'”’)\]]\s*$/.test(text);
}
