/**
 * Motley-Fool-style JSON: `{ header_texts, prepared_remarks: [{speaker, speech}], q_and_a: [...], participants }`.
 * Each speech becomes one component; paragraphs stay inside it and are split into sentences later.
 */
import { FileSource, type ParsedFile } from './file-source.js';
import { RoleResolver } from './speaker-roles.js';
import { type Component, type Section, type SpeakerRole, TranscriptError } from './types.js';

interface Turn {
  speaker?: unknown;
  speech?: unknown;
}

export class MotleyJsonSource extends FileSource {
  readonly kind = 'motley-json';
  protected readonly extension = '.json';

  protected parse(text: string): ParsedFile {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new TranscriptError(`malformed JSON: ${(err as Error).message}`);
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc))
      throw new TranscriptError('malformed JSON: not an object');
    const d = doc as Record<string, unknown>;
    const prepared = asTurns(d.prepared_remarks, 'prepared_remarks');
    const qa = asTurns(d.q_and_a, 'q_and_a');
    if (prepared.length === 0 && qa.length === 0)
      throw new TranscriptError('no prepared_remarks and no q_and_a');
    const participants = Array.isArray(d.participants)
      ? d.participants.filter((p) => typeof p === 'string')
      : [];
    const resolver = new RoleResolver(participants as string[]);
    const components: Component[] = [];
    let previous: SpeakerRole | null = null;
    const push = (turns: Turn[], section: Section) => {
      for (const turn of turns) {
        const speaker = typeof turn.speaker === 'string' ? turn.speaker.trim() : null;
        const speech = typeof turn.speech === 'string' ? turn.speech : '';
        const role = resolver.resolve(speaker, section, previous);
        previous = role;
        if (speech.trim() === '') continue;
        components.push({
          order: components.length,
          speakerName: speaker || null,
          speakerRole: role,
          section,
          text: speech,
        });
      }
    };
    push(prepared, 'prepared');
    previous = null;
    push(qa, 'qa');
    return { components };
  }
}

function asTurns(value: unknown, field: string): Turn[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new TranscriptError(`malformed JSON: ${field} is not a list`);
  return value.filter((t) => t && typeof t === 'object') as Turn[];
}
