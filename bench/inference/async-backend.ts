/**
 * The async backend of bench/inference/async-partition.ts, in its own process so that the worker's
 * process.cpuUsage() counts the worker alone: s3rver, offline upstreams (SIF, lexicon, keyword names), the
 * serving router and the SageMaker async stand-in with an injected latency. Prints `READY <json>`; SIGTERM stops it.
 *
 *   node --import @callthemes/common/register-source bench/inference/async-backend.ts --latency-ms 5000
 */
import { parseArgs } from 'node:util';
import { startOfflineUpstream } from '@callthemes/common/testing/offline-upstream-server';
import { startS3rver } from '@callthemes/common/testing/s3rver';
import { startSageMakerAsyncStandin } from '@callthemes/common/testing/sagemaker-async-standin';
import { startServingRouter } from '@callthemes/common/testing/serving-router';

const { values } = parseArgs({ options: { 'latency-ms': { type: 'string', default: '5000' } } });
const bucket = 'inference';
const s3 = await startS3rver(bucket);
const upstream = await startOfflineUpstream();
const router = await startServingRouter({ chat: upstream.url, embed: upstream.url, classify: upstream.url });
// One endpoint name per bench run: the deterministic names then never meet an earlier run's answers.
const endpoints = Array.from({ length: 64 }, (_, i) => `bench-${i}`);
const standin = await startSageMakerAsyncStandin({
  s3: s3.newClient(),
  s3OutputPath: `s3://${bucket}/inference/responses/`,
  s3FailurePath: `s3://${bucket}/inference/failures/`,
  containerUrl: router.url,
  endpoints,
  latencyMs: Number(values['latency-ms']),
});
console.log(`READY ${JSON.stringify({ standin: standin.url, s3: s3.endpoint, bucket })}`);
process.on('SIGTERM', async () => {
  await standin.close();
  await router.close();
  await upstream.close();
  await s3.stop();
  process.exit(0);
});
