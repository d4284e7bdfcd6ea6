/**
 * The fleet's two messages, versioned and checked with zod on receipt. A partition message names its firms
 * (ids, sorted as the listing sorts them), so every delivery works on exactly the same firms whatever the
 * source lists later. Secrets never travel in a message: the source spec carries no connection strings
 * (workers take those from their environment).
 */
import { z } from 'zod';

/** SQS's largest message (1 MiB); a partition message above it is an enqueue error, not a silent cut. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export const sourceSpecSchema = z
  .object({ kind: z.string().min(1), input: z.string().optional() })
  .catchall(z.union([z.string(), z.number(), z.boolean()]));

export const partitionMessageSchema = z.object({
  v: z.literal(1),
  type: z.literal('partition'),
  runId: z.string().min(1),
  quarter: z.string().regex(/^\d{4}Q[1-4]$/),
  partition: z.number().int().nonnegative(),
  partitionSize: z.number().int().positive(),
  firms: z.array(z.string().min(1)).min(1),
  source: sourceSpecSchema,
  settingsHash: z.string().min(1),
});

export const themeMessageSchema = z.object({
  v: z.literal(1),
  type: z.literal('theme'),
  runId: z.string().min(1),
  quarter: z.string().regex(/^\d{4}Q[1-4]$/),
  settingsHash: z.string().min(1),
});

export type SourceSpec = z.infer<typeof sourceSpecSchema>;
export type PartitionMessage = z.infer<typeof partitionMessageSchema>;
export type ThemeMessage = z.infer<typeof themeMessageSchema>;

export class MalformedMessageError extends Error {}

function parse<T>(schema: z.ZodType<T>, what: string, body: string): T {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    throw new MalformedMessageError(`${what} message is not JSON: ${(err as Error).message}`);
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new MalformedMessageError(`${what} message is invalid: ${issues}`);
  }
  return r.data;
}

export const parsePartitionMessage = (body: string): PartitionMessage =>
  parse(partitionMessageSchema, 'partition', body);
export const parseThemeMessage = (body: string): ThemeMessage => parse(themeMessageSchema, 'theme', body);

/** The message's JSON, checked against its schema and SQS's size limit. */
export function encodeMessage(message: PartitionMessage | ThemeMessage): string {
  const schema = message.type === 'partition' ? partitionMessageSchema : themeMessageSchema;
  schema.parse(message);
  const body = JSON.stringify(message);
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_MESSAGE_BYTES)
    throw new Error(
      `${message.type} message for ${message.quarter} is ${bytes} bytes, above SQS's ${MAX_MESSAGE_BYTES}: use a smaller --partition-size`,
    );
  return body;
}
