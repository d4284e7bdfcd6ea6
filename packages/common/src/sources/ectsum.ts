/** ECTSum sentence files: one sentence per line, prepared remarks only, no speakers. */
import { FileSource, type ParsedFile } from './file-source.js';
import type { Component } from './types.js';

export class EctsumSource extends FileSource {
  readonly kind = 'ectsum';
  protected readonly extension = '.txt';

  protected parse(text: string): ParsedFile {
    const components: Component[] = [];
    for (const line of text.split(/\r?\n/)) {
      const t = line.trim();
      if (t === '') continue;
      components.push({
        order: components.length,
        speakerName: null,
        speakerRole: 'unknown',
        section: 'prepared',
        text: t,
        preSplit: true,
      });
    }
    return { components };
  }
}
