/** The Counters contract on DynamoDbCounters against a real moto server (DynamoDB's HTTP API on 127.0.0.1). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect, it } from 'vitest';
import { DynamoDbCounters } from '../../src/counters/dynamodb-counters.js';
import { createCountersTable } from '../../src/counters/dynamodb-table.js';
import { type MotoServer, motoMissing, startMotoServer } from '../helpers/moto-server.js';
import { skipIf } from '../helpers/paths.js';
import { describeCountersContract } from './counters-contract.js';

const missing = motoMissing();
skipIf(missing ?? undefined);

let moto: MotoServer | undefined;
let client: DynamoDBClient | undefined;
let tables = 0;

async function start() {
  // Serial: moto's threaded server lets racing conditional writes both succeed (see moto-server.ts).
  moto ??= await startMotoServer({ serial: true });
  client ??= new DynamoDBClient(moto.clientConfig);
  return client;
}

async function stop() {
  client?.destroy();
  client = undefined;
  await moto?.stop();
  moto = undefined;
}

async function freshCounters(): Promise<DynamoDbCounters> {
  const ddb = await start();
  // A table per test: no state shared between tests, no reset between them.
  const tableName = `counters-${++tables}`;
  await createCountersTable(ddb, tableName);
  return new DynamoDbCounters({ client: ddb, tableName });
}

describeCountersContract(
  'DynamoDbCounters on moto',
  async () => {
    await start();
    return { makeCounters: freshCounters, teardown: stop };
  },
  { skip: missing },
);

it('rejects ids that would make keys collide, naming the id', skipIf(missing ?? undefined), async () => {
  const c = await freshCounters();
  await expect(c.claim('a#b', 'Q', 'nextEnqueued', 'owner-a')).rejects.toThrow(/run id "a#b"/);
  await expect(c.setExpected('a', 'Q#1', 1, 1)).rejects.toThrow(/quarter "Q#1"/);
  await expect(
    c.putPlan({
      runId: '',
      quarters: [],
      settingsHash: 'h',
      settings: {},
      createdAt: '2026-01-01T00:00:00Z',
    }),
  ).rejects.toThrow(/run id ""/);
  await stop();
});
