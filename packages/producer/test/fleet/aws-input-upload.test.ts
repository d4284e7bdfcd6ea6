/**
 * `producer enqueue --backend aws` with a local `--input`: the folder goes up under the stack's input prefix in
 * the lake's bucket first (moto's S3), the plan names that `s3://` input (never a path of this machine), and a
 * re-run uploads nothing that did not change. With a lake that is not on S3 it refuses in one line.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { useAwsFleetEmulator } from '@callthemes/common/testing/aws-fleet-emulator';
import { ectsumArgs, runCli } from '@callthemes/common/testing/cli';
import { EXAMPLES_ECTSUM } from '@callthemes/common/testing/paths';
import { test } from 'vitest';

const { dir, needsMoto, start } = useAwsFleetEmulator('callthemes-input-upload-');

test(
  'a local --input is uploaded under input/ and enqueued as s3://; a folder lake is refused',
  needsMoto,
  async () => {
    const { aws } = await start();
    const endpoint = aws.env.AWS_ENDPOINT_URL_SQS;
    // moto accepts unsigned path-style calls: CreateBucket and ListObjectsV2 without an S3 client here.
    assert.equal((await fetch(`${endpoint}/callthemes-upload-test`, { method: 'PUT' })).status, 200);
    const keys = async (prefix: string) => {
      const xml = await (
        await fetch(`${endpoint}/callthemes-upload-test?list-type=2&prefix=${prefix}`)
      ).text();
      return [...xml.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
    };
    const lake = 's3://callthemes-upload-test/lake';
    const env = { ...aws.env, AWS_ENDPOINT_URL_S3: endpoint };
    const args = ectsumArgs('enqueue', '2021Q1', lake, ['--firms', '4', '--backend', 'aws']);
    const first = await runCli(args, env);
    assert.equal(first.code, 0, first.stderr);
    const files = readdirSync(EXAMPLES_ECTSUM).length;
    assert.match(
      first.stderr,
      new RegExp(`→ s3://callthemes-upload-test/input/ectsum: ${files} file\\(s\\) uploaded`),
    );
    assert.equal((await keys('input/ectsum/')).length, files);
    const status = await runCli(['status', '--backend', 'aws', '--lake', lake, '--json'], env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /"input": "s3:\/\/callthemes-upload-test\/input\/ectsum"/);

    const again = await runCli(args, env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, new RegExp(`0 file\\(s\\) uploaded \\(0.0 MB\\), ${files} unchanged`));

    const folder = await runCli(
      ectsumArgs('enqueue', '2021Q1', join(dir.path, 'lake'), ['--backend', 'aws']),
      env,
    );
    assert.equal(folder.code, 2);
    assert.match(
      folder.stderr,
      /is a local path and the lake .* is not on S3: the AWS workers could not open it/,
    );
  },
);
