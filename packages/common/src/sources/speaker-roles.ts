/**
 * Speaker roles from a call's participants list ("Name--Title" or "Name--Firm -- Analyst"), the Operator
 * speaker, and position in the Q&A (the first new speaker after the operator opens a line is an analyst).
 */
import type { Section, SpeakerRole } from './types.js';

export interface Participant {
  name: string;
  title: string;
  role: SpeakerRole;
}

export function normalizeName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** First and last name token, to match "Michael P. Dickerson" with "Michael Dickerson". */
function shortKey(normalized: string): string {
  const parts = normalized.split(' ').filter((p) => !/^(jr|sr|ii|iii|iv|cfa|cpa|phd|md)$/.test(p));
  return parts.length <= 1 ? normalized : `${parts[0]} ${parts[parts.length - 1]}`;
}

export function parseParticipant(entry: string): Participant | null {
  const idx = entry.indexOf('--');
  const name = (idx >= 0 ? entry.slice(0, idx) : entry).trim();
  const title = idx >= 0 ? entry.slice(idx + 2).trim() : '';
  if (name === '') return null;
  let role: SpeakerRole;
  if (/^operator$/i.test(name)) role = 'operator';
  else if (/(^|\W)analyst\s*$/i.test(title) || /--\s*analyst\s*$/i.test(entry)) role = 'analyst';
  else if (title === '') role = 'unknown';
  else role = 'executive';
  return { name, title, role };
}

export class RoleResolver {
  private readonly exact = new Map<string, SpeakerRole>();
  private readonly short = new Map<string, SpeakerRole>();

  constructor(participants: readonly string[]) {
    for (const entry of participants) {
      const p = parseParticipant(entry);
      if (!p) continue;
      const n = normalizeName(p.name);
      this.exact.set(n, p.role);
      const s = shortKey(n);
      if (!this.short.has(s)) this.short.set(s, p.role);
    }
  }

  /** Role of a listed participant, or undefined when the name is not on the list. */
  lookup(speaker: string): SpeakerRole | undefined {
    const n = normalizeName(speaker);
    return this.exact.get(n) ?? this.short.get(shortKey(n));
  }

  /**
   * Resolves roles for the components of one call in order. `previousRole` is the role of the component
   * just before, used for the Q&A position rule.
   */
  resolve(speaker: string | null, section: Section, previousRole: SpeakerRole | null): SpeakerRole {
    if (speaker === null || speaker.trim() === '') return 'unknown';
    if (/^operator$/i.test(speaker.trim())) return 'operator';
    const listed = this.lookup(speaker);
    if (listed !== undefined && listed !== 'unknown') return listed;
    if (section === 'qa' && previousRole === 'operator') return 'analyst';
    return listed ?? 'unknown';
  }
}
