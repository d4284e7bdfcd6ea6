/** The `capiq` source: Capital IQ transcripts through PostgreSQL (WRDS). */
import type { SourceOptions } from '../index.js';
import { resolveCapiqSettings } from './settings.js';
import { CapiqSource } from './source.js';

export { type CapiqSettings, resolveCapiqSettings } from './settings.js';
export { CapiqSource } from './source.js';

export function createCapiqSource(opts: SourceOptions): CapiqSource {
  return new CapiqSource(resolveCapiqSettings(opts));
}
