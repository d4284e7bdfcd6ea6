/** What the scenarios share: the producer's enqueue as the runbook runs it, and reading back what was invoked. */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { RehearsalContext } from '../scenario.js';

/** `producer enqueue --backend aws` of the rehearsal's input (its own upload), as the default scenario runs it. */
export async function enqueueInput(ctx: RehearsalContext): Promise<void> {
  const o = ctx.options;
  const e = await ctx.producer([
    'enqueue',
    '--backend',
    'aws',
    '--quarters',
    o.quarters,
    '--source',
    o.source,
    '--input',
    o.input,
    '--partition-size',
    String(o.partitionSize),
  ]);
  if (e.code !== 0)
    throw new Error(`producer enqueue exited ${e.code}: ${e.stderr.trim().split('\n').pop()}`);
  for (const line of `${e.stderr}${e.stdout}`.trim().split('\n')) ctx.log(`producer: ${line}`);
}

/**
 * The kinds of every invocation the stand-in accepted (read from the request objects the callers wrote), the
 * distinct invocation names per kind, and how many inference ids came more than once.
 */
export async function invokedKinds(
  ctx: RehearsalContext,
): Promise<{ kinds: string[]; names: Map<string, Set<string>>; repeated: number }> {
  const s3 = new S3Client({ ...ctx.stack.clientConfig, endpoint: ctx.stack.s3.url, forcePathStyle: true });
  try {
    const kinds: string[] = [];
    /** Distinct invocation names (inference ids) by kind. */
    const names = new Map<string, Set<string>>();
    for (const a of ctx.standin.accepted) {
      const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(a.inputLocation);
      if (!m) continue;
      const r = await s3.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
      const body = JSON.parse((await r.Body?.transformToString('utf8')) ?? '{}') as {
        requests?: { kind: string }[];
      };
      for (const x of body.requests ?? []) {
        kinds.push(x.kind);
        if (!names.has(x.kind)) names.set(x.kind, new Set());
        names.get(x.kind)?.add(a.inferenceId);
      }
    }
    const ids = ctx.standin.accepted.map((a) => a.inferenceId);
    return { kinds, names, repeated: ids.length - new Set(ids).size };
  } finally {
    s3.destroy();
  }
}
