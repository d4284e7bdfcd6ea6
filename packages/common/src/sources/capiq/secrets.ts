/**
 * Connection fields from an AWS Secrets Manager secret, in the JSON layout AWS uses for database secrets:
 * `{"username", "password", "host", "port", "dbname"}`, or keyed by the libpq names (`PGHOST`, `PGPORT`,
 * `PGDATABASE`, `PGUSER`, `PGPASSWORD`: the layout the cloud stack maps into task environments). Every field
 * is optional.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface SecretFields {
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** Parses a secret's text; never puts the text itself into an error. */
export function parseSecretFields(secretId: string, text: string): SecretFields {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`secret ${secretId} is not JSON (expected {"username", "password", ...})`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw new Error(`secret ${secretId} is not a JSON object`);
  const d = doc as Record<string, unknown>;
  const portText = str(d.port) ?? str(d.PGPORT);
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
    throw new Error(`secret ${secretId}: port is not a port number`);
  return {
    host: str(d.host) ?? str(d.PGHOST),
    port,
    database: str(d.dbname) ?? str(d.database) ?? str(d.PGDATABASE),
    user: str(d.username) ?? str(d.user) ?? str(d.PGUSER),
    password: str(d.password) ?? str(d.PGPASSWORD),
  };
}

export async function fetchSecretFields(secretId: string, endpoint?: string): Promise<SecretFields> {
  const client = new SecretsManagerClient({
    ...(endpoint ? { endpoint } : {}),
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    maxAttempts: 3,
  });
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (out.SecretString === undefined) throw new Error('it has no SecretString');
    return parseSecretFields(secretId, out.SecretString);
  } catch (err) {
    const e = err as Error;
    if (e.message.startsWith(`secret ${secretId}`)) throw e;
    throw new Error(`cannot read secret ${secretId} from AWS Secrets Manager: ${e.name}: ${e.message}`);
  } finally {
    client.destroy();
  }
}
