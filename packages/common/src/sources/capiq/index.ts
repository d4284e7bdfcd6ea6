/** The `capiq` source: Capital IQ transcripts through PostgreSQL (WRDS). */
import type { SourceOptions } from '../registry.js';
import { resolveCapiqSettings } from './settings.js';
import { CapiqSource } from './source.js';

export * from './settings.js';
export { CapiqSource } from './source.js';
export * from './sql.js';

export function createCapiqSource(opts: SourceOptions): CapiqSource {
  return new CapiqSource(resolveCapiqSettings(opts));
}
