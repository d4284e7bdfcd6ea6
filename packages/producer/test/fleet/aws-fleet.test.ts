/**
 * The whole fleet on the AWS adapters: SQS queues with their redrive policy and the DynamoDB counters table on
 * moto (a real implementation of those HTTP APIs on 127.0.0.1), `producer enqueue --backend aws`, firm and theme
 * worker processes pointed at it only through AWS_ENDPOINT_URL_* and DESIGN's CALLTHEMES_* variables, two quarters
 * of real transcripts, put on moto's S3 as the workers on AWS read them. The lake is a folder here; a lake on S3 read through DuckDB's httpfs is tested in
 * theme-worker/test/s3-lake-read.test.ts and end to end by `pnpm rehearse` (docs/rehearsal.md).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useAwsFleetEmulator } from '@callthemes/common/testing/aws-fleet-emulator';
import { ectsumArgs, runCli } from '@callthemes/common/testing/cli';
import { EXAMPLES_ECTSUM } from '@callthemes/common/testing/paths';
import { test } from 'vitest';
import { besideLocalRun } from '../run/helpers.js';
import { drain, FAST, readStatus } from './fleet-helpers.js';

const { dir, needsMoto, start } = useAwsFleetEmulator('callthemes-aws-fleet-', {
  visibilitySeconds: 2,
  env: FAST,
});

const plan = ['--firms', '8', '--partition-size', '3', '--flush-every', '2'];

test(
  'enqueue on SQS + DynamoDB, workers by hand: both quarters themed and chained, the lake of a local run',
  needsMoto,
  async () => {
    const { aws, lake, env } = await start();
    const input = await aws.inputOnS3(EXAMPLES_ECTSUM);
    const e = await runCli(
      [...ectsumArgs('enqueue', '2021Q1..2021Q2', lake, plan, input), '--backend', 'aws'],
      env,
    );
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /2021Q1: 8 firms in 3 partition\(s\), 3 sent now/);
    const before = await runCli(['status', '--backend', 'aws', '--lake', lake], env);
    assert.match(before.stdout, /queue partitions: 3 visible, 0 in flight, 0 dead letters/);

    const events = await drain(lake, env);
    assert.equal(events.filter((x) => x.event === 'partition' && x.newlyCompleted).length, 6);
    const s = await readStatus(lake, undefined, env);
    assert.equal(s.done, true);
    assert.deepEqual(
      s.quarters.map((q) => [q.quarter, q.expected, q.done.length, q.firmsOk, q.themed]),
      [
        ['2021Q1', 3, 3, 8, true],
        ['2021Q2', 3, 3, 8, true],
      ],
    );
    assert.ok(s.quarters[0].flags.nextEnqueued.sent, 'the theme worker enqueued 2021Q2');
    const after = await runCli(['status', '--backend', 'aws', '--lake', lake], env);
    assert.match(after.stdout, /: done\n/);
    assert.match(after.stdout, /2021Q2 {2}partitions 3\/3 .* themed: \d+ themes/);

    // The same plan on the local backend writes the same lake.
    const { got, want } = await besideLocalRun(lake, join(dir.path, 'reference'), '2021Q1..2021Q2', plan);
    assert.deepEqual(got.counts, want.counts);
    assert.deepEqual(got.sentenceIds, want.sentenceIds);
    assert.deepEqual(got.topicIds, want.topicIds);
    assert.deepEqual(got.duplicates, []);
  },
);
