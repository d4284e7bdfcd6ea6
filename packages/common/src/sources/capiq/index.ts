/** The `capiq` source: Capital IQ transcripts through PostgreSQL (WRDS). */
import type { SourceOptions } from '../registry.js';
import { resolveCapiqSettings } from './settings.js';
import { CapiqSource } from './source.js';

export {
  type CapiqSettings,
  checkSchemaName,
  DEFAULT_LINKS_SCHEMA,
  DEFAULT_TRANSCRIPTS_SCHEMA,
  QUARTER_BASES,
  type QuarterBasis,
  READ_PATHS,
  type ReadPath,
  resolveCapiqSettings,
} from './settings.js';
export { CapiqSource } from './source.js';
export {
  callsWithoutFinalSql,
  chosenCallsSql,
  componentsSql,
  EARNINGS_CALL_TYPE,
  FINAL_PRESENTATION_TYPE,
  RELATION_EXISTS_SQL,
  type SqlContext,
} from './sql.js';

export function createCapiqSource(opts: SourceOptions): CapiqSource {
  return new CapiqSource(resolveCapiqSettings(opts));
}
