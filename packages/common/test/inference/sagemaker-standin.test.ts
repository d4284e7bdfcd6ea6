/**
 * The SageMaker async stand-in against the documented InvokeEndpointAsync contract, through the real SDK:
 * 202 with InferenceId, OutputLocation and FailureLocation; the input read from S3; the container's answer
 * written to S3OutputPath/<Filename>; a failure object when the container fails or the input is missing;
 * ValidationError for an unknown endpoint; ThrottlingException (429) retried by the SDK.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalS3, startS3rver } from '../helpers/s3rver.js';
import {
  type SageMakerAsyncStandin,
  startSageMakerAsyncStandin,
} from '../helpers/sagemaker-async-standin.js';
import { startFixedContainer } from './async-fixture.js';

let s3: LocalS3;
let ok: { url: string; close(): Promise<void> };
let bad: { url: string; close(): Promise<void> };
let standin: SageMakerAsyncStandin;
let badStandin: SageMakerAsyncStandin;
const clients: SageMakerRuntimeClient[] = [];
const runtime = (url: string, maxAttempts = 1) => {
  const c = new SageMakerRuntimeClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts,
  });
  clients.push(c);
  return c;
};
const read = async (uri: string) => {
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri)!;
  const r = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return r.Body!.transformToString('utf8');
};

beforeAll(async () => {
  s3 = await startS3rver('async');
  ok = await startFixedContainer(200, '{"echo":"ok"}');
  bad = await startFixedContainer(424, '{"error":"model refused"}');
  const common = {
    s3: s3.newClient(),
    s3OutputPath: 's3://async/out/',
    s3FailurePath: 's3://async/fail/',
    endpoints: ['ep'],
  };
  standin = await startSageMakerAsyncStandin({ ...common, containerUrl: ok.url });
  badStandin = await startSageMakerAsyncStandin({ ...common, containerUrl: bad.url });
  await s3.client.send(new PutObjectCommand({ Bucket: 'async', Key: 'in/req.json', Body: '{"q":1}' }));
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await standin?.close();
  await badStandin?.close();
  await ok?.close();
  await bad?.close();
  await s3?.stop();
});

describe('SageMaker async stand-in', () => {
  it('answers 202 with the locations, then writes the output and a success notification', async () => {
    const r = await runtime(standin.url).send(
      new InvokeEndpointAsyncCommand({
        EndpointName: 'ep',
        InputLocation: 's3://async/in/req.json',
        ContentType: 'application/json',
        InferenceId: 'abc123',
        Filename: 'abc123.out',
        S3OutputPathExtension: 'run1',
      }),
    );
    expect(r.$metadata.httpStatusCode).toBe(202);
    expect(r.InferenceId).toBe('abc123');
    expect(r.OutputLocation).toBe('s3://async/out/run1/abc123.out');
    expect(r.FailureLocation).toBe('s3://async/fail/run1/abc123-error.out');
    await standin.idle();
    expect(await read(r.OutputLocation!)).toBe('{"echo":"ok"}');
    expect(standin.notifications).toEqual([
      { inferenceId: 'abc123', status: 'success', location: 's3://async/out/run1/abc123.out' },
    ]);
  });

  it('names the output after the InferenceId when no Filename is given, and generates an id when none is given', async () => {
    const r = await runtime(standin.url).send(
      new InvokeEndpointAsyncCommand({ EndpointName: 'ep', InputLocation: 's3://async/in/req.json' }),
    );
    expect(r.InferenceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.OutputLocation).toBe(`s3://async/out/${r.InferenceId}.out`);
    await standin.idle();
    expect(await read(r.OutputLocation!)).toBe('{"echo":"ok"}');
  });

  it('writes a failure object when the container fails or the input is missing', async () => {
    const client = runtime(badStandin.url);
    const r = await client.send(
      new InvokeEndpointAsyncCommand({
        EndpointName: 'ep',
        InputLocation: 's3://async/in/req.json',
        InferenceId: 'f1',
      }),
    );
    const missing = await runtime(standin.url).send(
      new InvokeEndpointAsyncCommand({
        EndpointName: 'ep',
        InputLocation: 's3://async/in/none.json',
        InferenceId: 'f2',
      }),
    );
    await badStandin.idle();
    await standin.idle();
    expect(await read(r.FailureLocation!)).toBe(
      'Received client error (424) from primary with message "{"error":"model refused"}"',
    );
    expect(await read(missing.FailureLocation!)).toMatch(
      /^RequestDownloadFailure: could not read s3:\/\/async\/in\/none.json/,
    );
    expect(badStandin.notifications.map((n) => n.status)).toEqual(['error']);
  });

  it('rejects an unknown endpoint with ValidationError, and its 429 ThrottlingException is retried by the SDK', async () => {
    const err = await runtime(standin.url)
      .send(new InvokeEndpointAsyncCommand({ EndpointName: 'nope', InputLocation: 's3://async/in/req.json' }))
      .catch((e) => e);
    expect(err.name).toBe('ValidationError');
    expect(err.message).toBe('Endpoint nope of account 000000000000 not found.');
    standin.throttleNext(1);
    const once = await runtime(standin.url)
      .send(new InvokeEndpointAsyncCommand({ EndpointName: 'ep', InputLocation: 's3://async/in/req.json' }))
      .catch((e) => e);
    expect(once.name).toBe('ThrottlingException');
    expect(once.$metadata.httpStatusCode).toBe(429);
    standin.throttleNext(2);
    const calls = standin.calls;
    const r = await runtime(standin.url, 3).send(
      new InvokeEndpointAsyncCommand({ EndpointName: 'ep', InputLocation: 's3://async/in/req.json' }),
    );
    expect(r.$metadata.attempts).toBe(3);
    expect(standin.calls - calls).toBe(3);
    await standin.idle();
  });
});
