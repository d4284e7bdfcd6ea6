/**
 * Settings of the Capital IQ source. Each follows the project's precedence (flag → CALLTHEMES_* → config file →
 * default); the connection password never comes from here (see connection.ts).
 */
import { intSetting, stringSetting } from '../../config/settings.js';

export type QuarterBasis = 'calendar' | 'fiscal';
/** `views`: WRDS's views plus the component table (WRDS). `base`: Xpressfeed base tables. */
export type ReadPath = 'views' | 'base';

export const QUARTER_BASES: readonly QuarterBasis[] = ['calendar', 'fiscal'];
export const READ_PATHS: readonly ReadPath[] = ['views', 'base'];

export const DEFAULT_TRANSCRIPTS_SCHEMA = 'ciq_transcripts';
export const DEFAULT_LINKS_SCHEMA = 'ciq_common';

export interface CapiqSettings {
  /** A postgresql:// URL; its fields win over the PG* variables. */
  pgUrl: string | undefined;
  /** AWS Secrets Manager secret (id or ARN) holding username/password (and optionally host, port, dbname). */
  pgSecretId: string | undefined;
  /** Endpoint of Secrets Manager, for a private endpoint (or a local fake in tests); SDK default otherwise. */
  secretsEndpoint: string | undefined;
  quarterBasis: QuarterBasis;
  readPath: ReadPath;
  transcriptsSchema: string;
  linksSchema: string;
  /** Connection attempts after the first one. */
  connectRetries: number;
  /** First backoff delay; doubled each retry (with jitter), capped at 30 s. */
  retryBaseMs: number;
  connectTimeoutMs: number;
  /** Rows fetched from the server cursor per round trip. */
  rowsPerRead: number;
  /** Transcripts per component query (the spec's "chunks of ≤ 500 transcript ids"). */
  transcriptsPerQuery: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Schema names go into SQL text (identifiers cannot be parameters), so only plain lowercase names pass. */
export function checkSchemaName(value: string, what = 'schema name'): string {
  if (!IDENTIFIER.test(value))
    throw new Error(
      `invalid ${what} "${value}": expected a lowercase unquoted identifier such as ${DEFAULT_TRANSCRIPTS_SCHEMA}`,
    );
  return value;
}

function choice<T extends string>(key: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new Error(`invalid ${key} "${value}": expected one of ${allowed.join(', ')}`);
  return value as T;
}

export function resolveCapiqSettings(opts: Record<string, unknown>): CapiqSettings {
  return {
    pgUrl: stringSetting('pgUrl', opts.pgUrl),
    pgSecretId: stringSetting('pgSecretId', opts.pgSecretId),
    secretsEndpoint: stringSetting('secretsEndpoint', opts.secretsEndpoint),
    quarterBasis: choice(
      'quarterBasis',
      stringSetting('quarterBasis', opts.quarterBasis, 'calendar'),
      QUARTER_BASES,
    ),
    readPath: choice(
      'capiqReadPath',
      stringSetting('capiqReadPath', opts.capiqReadPath, 'views'),
      READ_PATHS,
    ),
    transcriptsSchema: checkSchemaName(
      stringSetting('capiqSchema', opts.capiqSchema, DEFAULT_TRANSCRIPTS_SCHEMA),
      'capiqSchema',
    ),
    linksSchema: checkSchemaName(
      stringSetting('capiqLinksSchema', opts.capiqLinksSchema, DEFAULT_LINKS_SCHEMA),
      'capiqLinksSchema',
    ),
    connectRetries: intSetting('capiqConnectRetries', opts.capiqConnectRetries, 4, 0),
    retryBaseMs: intSetting('capiqRetryBaseMs', opts.capiqRetryBaseMs, 500, 0),
    connectTimeoutMs: intSetting('capiqConnectTimeoutMs', opts.capiqConnectTimeoutMs, 15_000, 1),
    rowsPerRead: intSetting('capiqRowsPerRead', opts.capiqRowsPerRead, 2_000, 1),
    transcriptsPerQuery: intSetting('capiqTranscriptsPerQuery', opts.capiqTranscriptsPerQuery, 500, 1),
  };
}
