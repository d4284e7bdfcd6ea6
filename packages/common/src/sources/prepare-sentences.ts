/** Transcript → kept sentences with their speaker, section and order, and what each filter dropped. */

import { removeAnnotations } from '../text/clean.js';
import { boilerplateFilter, FILTER_NAMES, type FilterName, type FilterOptions } from '../text/filters.js';
import { splitSentences } from '../text/split.js';
import type { Transcript } from './types.js';

export interface PreparedSentence {
  sentenceId: string;
  position: number;
  componentOrder: number;
  section: string;
  speakerName: string | null;
  speakerRole: string;
  text: string;
}

export interface PreparedTranscript {
  sentences: PreparedSentence[];
  nRaw: number;
  dropped: Record<FilterName, number>;
}

export function sentenceId(firmId: string, quarter: string, position: number): string {
  return `${firmId}:${quarter}:${position}`;
}

export function prepareSentences(t: Transcript, filter: FilterOptions): PreparedTranscript {
  const dropped = Object.fromEntries(FILTER_NAMES.map((f) => [f, 0])) as Record<FilterName, number>;
  const sentences: PreparedSentence[] = [];
  let nRaw = 0;
  for (const comp of t.components) {
    const cleaned = removeAnnotations(comp.text);
    const pieces = comp.preSplit
      ? [cleaned.replace(/\s+/g, ' ').trim()].filter(Boolean)
      : splitSentences(cleaned);
    for (const text of pieces) {
      nRaw++;
      const why = boilerplateFilter(text, comp.speakerRole, filter);
      if (why) {
        dropped[why]++;
        continue;
      }
      const position = sentences.length;
      sentences.push({
        sentenceId: sentenceId(t.firmId, t.quarter, position),
        position,
        componentOrder: comp.order,
        section: comp.section,
        speakerName: comp.speakerName,
        speakerRole: comp.speakerRole,
        text,
      });
    }
  }
  return { sentences, nRaw, dropped };
}
