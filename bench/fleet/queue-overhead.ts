/**
 * What the fleet's plumbing costs per message: send + receive + delete of N small messages through the local
 * SQLite queue (a file database in WAL mode, as `<lake>/_fleet/fleet.sqlite`) and through SqsWorkQueue against a
 * moto server; the Counters operations a partition pays (completePartition, claim) and the run's status read
 * (quarterState, polled every 250 ms) on SqliteCounters and on DynamoDbCounters/moto. One process, sequential
 * calls: this is latency per call, not throughput under contention. Median of the rounds, ms per message/op.
 * moto runs each request in Python on this machine, so its numbers are an emulator's, not SQS's (SQS: ~5–20 ms
 * a call from inside the region).
 *
 * Usage: node --import @callthemes/common/register-source bench/fleet/queue-overhead.ts [--messages 500] [--rounds 5]
 *          [--moto-messages 200] [--no-moto]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Counters, createCountersTable, SqliteCounters } from '@callthemes/common/counters';
import { openFleet } from '@callthemes/common/fleet';
import {
  createQueueWithDeadLetter,
  SqliteWorkQueue,
  SqsWorkQueue,
  type WorkQueue,
} from '@callthemes/common/queue';
import { motoMissing, startMotoServer } from '@callthemes/common/testing/moto-server';
import { tempDir } from '@callthemes/common/testing/paths';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '500' },
    'moto-messages': { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
    'no-moto': { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** A partition message's size (a quarter, a partition index, 50 firm ids, the source spec). */
const BODY = JSON.stringify({
  type: 'partition',
  runId: 'bench',
  quarter: '2021Q2',
  partition: 0,
  firmIds: Array.from({ length: 50 }, (_, i) => `FIRM${i}`),
  source: { kind: 'ectsum', input: 'data/ectsum-sentences' },
});

interface Row {
  what: string;
  ms: number[];
}
const rows: Row[] = [];
const record = (what: string, ms: number) => {
  let r = rows.find((x) => x.what === what);
  if (!r) {
    r = { what, ms: [] };
    rows.push(r);
  }
  r.ms.push(ms);
};

/** One round: n sends, then n receive+delete (one message a receive, as the consumers do). ms per message. */
async function queueRound(label: string, q: WorkQueue, n: number): Promise<void> {
  let t = performance.now();
  for (let i = 0; i < n; i++) await q.send(BODY);
  const send = (performance.now() - t) / n;
  let recv = 0;
  let del = 0;
  for (let i = 0; i < n; i++) {
    t = performance.now();
    const [m] = await q.receive({ max: 1, visibilitySeconds: 30, waitSeconds: 0 });
    recv += performance.now() - t;
    if (!m) throw new Error(`${label}: receive ${i + 1} of ${n} came back empty`);
    t = performance.now();
    await q.delete(m.receipt);
    del += performance.now() - t;
  }
  const left = await q.depth();
  if (left.visible + left.inFlight !== 0)
    throw new Error(`${label}: ${JSON.stringify(left)} left after a round`);
  record(`${label} send`, send);
  record(`${label} receive`, recv / n);
  record(`${label} delete`, del / n);
  record(`${label} send+receive+delete`, send + (recv + del) / n);
}

/** One round of the counters: n completePartition, n claims (distinct quarters), n quarterState reads. */
async function countersRound(label: string, c: Counters, round: number, n: number): Promise<void> {
  const runId = `bench-${round}`;
  const quarter = '2021Q2';
  await c.putPlan({
    runId,
    quarters: [quarter],
    settingsHash: 'h',
    settings: {},
    createdAt: new Date().toISOString(),
  });
  await c.setExpected(runId, quarter, n, n * 50);
  let t = performance.now();
  for (let p = 0; p < n; p++) await c.completePartition(runId, quarter, p, { ok: 50, rejected: 0 });
  record(`${label} completePartition`, (performance.now() - t) / n);
  t = performance.now();
  let won = 0;
  for (let i = 0; i < n; i++) if (await c.claim(runId, `q${i}`, 'themeEnqueued', 'bench')) won++;
  record(`${label} claim`, (performance.now() - t) / n);
  t = performance.now();
  let done = 0;
  for (let i = 0; i < n; i++) done = (await c.quarterState(runId, quarter)).done.length;
  record(`${label} quarterState`, (performance.now() - t) / n);
  if (won !== n || done !== n)
    throw new Error(`${label}: ${won} claims won, ${done} partitions done; want ${n}`);
}

const work = tempDir('callthemes-bench-queue-');
try {
  const n = Number(values.messages);
  const db = join(work.path, 'fleet.sqlite');
  const local = new SqliteWorkQueue({ path: db, name: 'partitions' });
  const counters = new SqliteCounters({ path: db });
  for (let r = 0; r < rounds; r++) {
    await queueRound('sqlite', local, n);
    await countersRound('sqlite', counters, r, n);
  }
  await local.close();
  await counters.close();

  const missing = values['no-moto'] ? 'moto skipped (--no-moto)' : motoMissing();
  if (missing) {
    console.log(`moto rows skipped: ${missing}`);
  } else {
    const m = Number(values['moto-messages']);
    // SQS on the threaded server (long polls); DynamoDB on the serial one, as the tests (conditional writes).
    const sqsMoto = await startMotoServer();
    const ddbMoto = await startMotoServer({ serial: true });
    try {
      Object.assign(process.env, sqsMoto.env);
      process.env.AWS_ENDPOINT_URL_DYNAMODB = ddbMoto.endpoint;
      const fleet = await openFleet({
        backend: 'aws',
        lake: work.path,
        // Placeholders: the fleet's SDK clients create the real queues and table below.
        partitionsQueueUrl: 'http://placeholder',
        themesQueueUrl: 'http://placeholder',
        countersTable: 'bench-counters',
        visibilitySeconds: 30,
        heartbeatSeconds: 10,
        waitSeconds: 0,
        maxReceiveCount: 3,
        stateDir: work.path,
      });
      const sqs = (fleet.partitions as SqsWorkQueue).client;
      const created = await createQueueWithDeadLetter(sqs, 'bench-partitions', {
        maxReceiveCount: 3,
        visibilitySeconds: 30,
      });
      const queue = new SqsWorkQueue({ client: sqs, queueUrl: created.queueUrl, name: 'bench-partitions' });
      // The adapter keeps its DynamoDB client private; the bench borrows it to create the table.
      const ddb = (fleet.counters as unknown as { client: Parameters<typeof createCountersTable>[0] }).client;
      await createCountersTable(ddb, 'bench-counters');
      for (let r = 0; r < rounds; r++) {
        await queueRound('sqs/moto', queue, m);
        await countersRound('dynamodb/moto', fleet.counters, r, m);
      }
      await fleet.close();
    } finally {
      await sqsMoto.stop();
      await ddbMoto.stop();
    }
  }
} finally {
  work.cleanup();
}

console.log(`median of ${rounds} rounds, ms per message / op (sequential, one process)`);
console.log('operation                            median_ms  min_ms  max_ms');
for (const r of rows)
  console.log(
    `${r.what.padEnd(36)} ${median(r.ms).toFixed(3).padStart(9)}  ${Math.min(...r.ms)
      .toFixed(3)
      .padStart(6)}  ` +
      `${Math.max(...r.ms)
        .toFixed(3)
        .padStart(6)}`,
  );
