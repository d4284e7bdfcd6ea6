/**
 * A STAND-IN for the SageMaker Runtime's asynchronous inference, on 127.0.0.1, for tests, benchmarks and
 * `pnpm rehearse` (`@callthemes/common/testing`; never imported by production code) (moto's
 * InvokeEndpointAsync never reads the input nor calls a container; see the emulation note). It follows the
 * documented behaviour of InvokeEndpointAsync (REST route `POST /endpoints/{EndpointName}/async-invocations`,
 * the X-Amzn-SageMaker-* headers the SDK sends): it answers 202 at once with InferenceId and the output and
 * failure locations, then — after an injectable latency, while the "endpoint" has capacity — reads the input from
 * S3, POSTs it to the container's `/invocations`, and writes the container's answer to
 * `<S3OutputPath><ext/><Filename or InferenceId.out>`, or a failure object `<S3FailurePath><ext/><name>-error.out`,
 * then records the SNS-style notification. Kept small: no TTL expiry, no KMS, no real SNS topic.
 *
 * It also answers SageMaker's control-plane `DescribeEndpoint` (JSON protocol, `X-Amz-Target:
 * SageMaker.DescribeEndpoint`) for its endpoints, with `CurrentInstanceCount` = the capacity: one switch,
 * `setCapacity(n)`, scales the emulated endpoint (0 = scaled to zero: requests wait, the count reads 0), so a
 * worker reading the real API sees what the stand-in does.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface StandinOptions {
  /** S3 the endpoint reads inputs from and writes results to (s3rver or moto). */
  s3: S3Client;
  /** The endpoint's AsyncInferenceConfig.OutputConfig: `s3://bucket/prefix/`. */
  s3OutputPath: string;
  s3FailurePath: string;
  /** The container's base URL (the router): POST {containerUrl}/invocations. */
  containerUrl: string;
  /** Endpoint names that exist (others: ValidationError, as SageMaker answers). */
  endpoints: string[];
  /** Time each request spends queued before the container sees it (the async latency). */
  latencyMs?: number;
  /** The starting instance count (default 1; 0 = scaled to zero). */
  instances?: number;
  /** The endpoint config's MaxConcurrentInvocationsPerInstance (DescribeEndpointConfig). Default 4. */
  maxConcurrentInvocationsPerInstance?: number;
}

export interface Notification {
  inferenceId: string;
  status: 'success' | 'error';
  location: string;
}

export interface SageMakerAsyncStandin {
  /** What to give the SDK as `endpoint` (or AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME). */
  url: string;
  /** Every accepted invocation, in arrival order. */
  accepted: { inferenceId: string; inputLocation: string; outputLocation: string; filename?: string }[];
  /** HTTP requests to the runtime API, throttled ones included. */
  calls: number;
  notifications: Notification[];
  /** Answer the next `n` InvokeEndpointAsync calls with 429 ThrottlingException. */
  throttleNext(n: number): void;
  setLatency(ms: number): void;
  /**
   * The endpoint's instance count (true = 1, false = 0). At 0 (scaled to zero) requests stay queued until the
   * capacity comes back; DescribeEndpoint reports the same count.
   */
  setCapacity(instances: number | boolean): void;
  /** The instance count DescribeEndpoint reports now. */
  readonly instances: number;
  /** Control-plane calls answered (DescribeEndpoint, DescribeEndpointConfig). */
  describes: number;
  /** Resolves when every accepted request has its result object. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

function s3Parts(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new Error(`not an s3:// URI: ${uri}`);
  return { bucket: m[1], key: m[2] };
}

const join = (base: string, ...parts: (string | undefined)[]) =>
  [
    base.replace(/\/+$/, ''),
    ...parts.filter((p): p is string => !!p).map((p) => p.replace(/^\/+|\/+$/g, '')),
  ].join('/');

export async function startSageMakerAsyncStandin(o: StandinOptions): Promise<SageMakerAsyncStandin> {
  let throttle = 0;
  let latency = o.latencyMs ?? 0;
  let instances = o.instances ?? 1;
  let capacityWaiters: (() => void)[] = [];
  const inFlight = new Set<Promise<void>>();

  const run = async (id: string, input: string, output: string, failure: string, timeoutS: number) => {
    await new Promise((r) => setTimeout(r, latency));
    while (instances === 0) await new Promise<void>((r) => capacityWaiters.push(r));
    const put = (uri: string, body: string) => {
      const { bucket, key } = s3Parts(uri);
      return o.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    };
    let payload: string;
    try {
      const { bucket, key } = s3Parts(input);
      const r = await o.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      payload = (await r.Body?.transformToString('utf8')) ?? '';
    } catch (err) {
      await put(failure, `RequestDownloadFailure: could not read ${input}: ${(err as Error).name}`);
      standin.notifications.push({ inferenceId: id, status: 'error', location: failure });
      return;
    }
    try {
      const res = await fetch(`${o.containerUrl.replace(/\/+$/, '')}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: payload,
        signal: AbortSignal.timeout(timeoutS * 1000),
      });
      const text = await res.text();
      if (res.ok) {
        await put(output, text);
        standin.notifications.push({ inferenceId: id, status: 'success', location: output });
      } else {
        await put(
          failure,
          `Received client error (${res.status}) from primary with message "${text.slice(0, 1000)}"`,
        );
        standin.notifications.push({ inferenceId: id, status: 'error', location: failure });
      }
    } catch (err) {
      await put(
        failure,
        `ModelError: the container did not answer within ${timeoutS} s (${(err as Error).name})`,
      );
      standin.notifications.push({ inferenceId: id, status: 'error', location: failure });
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    standin.calls++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, type: string, message: string) =>
      send(status, { message }, { 'x-amzn-errortype': type });
    if (req.headers['x-amz-target'] === 'SageMaker.DescribeEndpointConfig') {
      standin.describes++;
      const { EndpointConfigName: name } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      return send(200, describeEndpointConfig(name, o), { 'content-type': 'application/x-amz-json-1.1' });
    }
    if (req.headers['x-amz-target'] === 'SageMaker.DescribeEndpoint') {
      standin.describes++;
      const { EndpointName: name } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      if (!o.endpoints.includes(name))
        return error(400, 'ValidationException', `Could not find endpoint "${name}".`);
      return send(200, describeEndpoint(name, instances), { 'content-type': 'application/x-amz-json-1.1' });
    }
    const m = /^\/endpoints\/([^/]+)\/async-invocations$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) return error(404, 'UnknownOperationException', 'unknown operation');
    if (throttle > 0) {
      throttle--;
      return error(429, 'ThrottlingException', 'Rate exceeded');
    }
    const name = decodeURIComponent(m[1]);
    if (!o.endpoints.includes(name))
      return error(400, 'ValidationError', `Endpoint ${name} of account 000000000000 not found.`);
    const h = (k: string) => req.headers[k.toLowerCase()] as string | undefined;
    const input = h('X-Amzn-SageMaker-InputLocation');
    if (!input) return error(400, 'ValidationError', 'InputLocation is required');
    const id = h('X-Amzn-SageMaker-Inference-Id') ?? randomUUID();
    const ext = h('X-Amzn-SageMaker-S3OutputPathExtension');
    const filename = h('X-Amzn-SageMaker-Filename');
    const base = filename ?? `${id}.out`;
    const output = join(o.s3OutputPath, ext, base);
    const failure = join(o.s3FailurePath, ext, `${base.replace(/\.out$/, '')}-error.out`);
    const timeoutS = Number(h('X-Amzn-SageMaker-InvocationTimeoutSeconds') ?? 900);
    standin.accepted.push({ inferenceId: id, inputLocation: input, outputLocation: output, filename });
    const p = run(id, input, output, failure, timeoutS).finally(() => inFlight.delete(p));
    inFlight.add(p);
    send(
      202,
      { InferenceId: id },
      { 'X-Amzn-SageMaker-OutputLocation': output, 'X-Amzn-SageMaker-FailureLocation': failure },
    );
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500, { 'x-amzn-errortype': 'InternalFailure' });
      res.end(JSON.stringify({ message: (err as Error).message }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const standin: SageMakerAsyncStandin = {
    url: `http://127.0.0.1:${port}`,
    accepted: [],
    calls: 0,
    describes: 0,
    notifications: [],
    throttleNext: (n) => {
      throttle = n;
    },
    setLatency: (ms) => {
      latency = ms;
    },
    get instances() {
      return instances;
    },
    setCapacity: (n) => {
      instances = typeof n === 'number' ? Math.max(0, Math.floor(n)) : n ? 1 : 0;
      if (instances > 0) {
        const w = capacityWaiters;
        capacityWaiters = [];
        for (const f of w) f();
      }
    },
    idle: async () => {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    close: async () => {
      if (instances === 0) standin.setCapacity(1);
      await standin.idle();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return standin;
}

/** DescribeEndpoint's answer, the fields a worker reads (status and the variant's instance counts). */
function describeEndpoint(name: string, instances: number) {
  return {
    EndpointName: name,
    EndpointArn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint/${name}`,
    EndpointConfigName: `${name}-config`,
    EndpointStatus: 'InService',
    CreationTime: 0,
    LastModifiedTime: 0,
    ProductionVariants: [
      {
        VariantName: 'AllTraffic',
        CurrentInstanceCount: instances,
        DesiredInstanceCount: instances,
        CurrentWeight: 1,
        DesiredWeight: 1,
      },
    ],
  };
}

/** DescribeEndpointConfig's answer: the async config's MaxConcurrentInvocationsPerInstance and output paths. */
function describeEndpointConfig(name: string, o: StandinOptions) {
  return {
    EndpointConfigName: name,
    EndpointConfigArn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/${name}`,
    ProductionVariants: [],
    AsyncInferenceConfig: {
      ClientConfig: { MaxConcurrentInvocationsPerInstance: o.maxConcurrentInvocationsPerInstance ?? 4 },
      OutputConfig: { S3OutputPath: o.s3OutputPath, S3FailurePath: o.s3FailurePath },
    },
    CreationTime: 0,
  };
}
