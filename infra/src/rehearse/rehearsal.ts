/**
 * `pnpm rehearse`: the AWS path as deployed, on this machine, with only AWS itself and the GPU replaced.
 * 1. the template (`pnpm synth -o`), 2. both workers' artifacts (their Dockerfiles' steps, root-owned),
 * 3. the stack on moto (emulator.ts), 4. the inference path: the SageMaker async stand-in → the serving image's
 * router (infra/serving) → fake model servers (4096-d embedder), 5. the container-credentials endpoint (tasks get
 * no keys), 6. the scenario, 7. a local run of the same input through the same stand-in, 8. the two lakes
 * compared. Everything started is stopped, whatever happens.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { openStore } from '@callthemes/common/lake';
import {
  type ContainerCredentials,
  type FakeModelServers,
  type SageMakerAsyncStandin,
  type ServingRouter,
  startContainerCredentials,
  startFakeModelServers,
  startSageMakerAsyncStandin,
  startServingRouter,
} from '@callthemes/common/testing';
import { buildWorkerArtifact, stopBuilds, type WorkerArtifact, type WorkerName } from './artifact.js';
import { describeQuarters, lakeDifferences, summarizeLake } from './compare.js';
import { type EmulatedStack, emulateStack } from './emulator.js';
import { runCommand, type WorkerEvent, WorkerTask } from './processes.js';
import type { RehearsalContext, RehearsalOptions, Scenario } from './scenario.js';
import { ofType, readTemplate, resolve, taskDefinitions } from './template.js';

export interface RehearsalResult {
  ok: boolean;
  lines: string[];
}

const SERVICE_OF: Record<WorkerName, string> = { 'firm-worker': 'firm', 'theme-worker': 'theme' };

export async function rehearse(
  repoRoot: string,
  scenario: Scenario,
  o: RehearsalOptions,
  log: (line: string) => void,
): Promise<RehearsalResult> {
  const t0 = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'callthemes-rehearsal-'));
  chmodSync(work, 0o755);
  const stoppers: (() => Promise<unknown> | unknown)[] = [];
  const tasks: WorkerTask[] = [];
  const lines: string[] = [];
  let cleaned: Promise<void> | undefined;
  /** Stops every task, server and build this run started and removes its folder (once). */
  const cleanup = () =>
    (cleaned ??= (async () => {
      stopBuilds();
      await Promise.all(tasks.map((t) => t.stop(5000)));
      for (const s of [...stoppers].reverse()) {
        try {
          await s();
        } catch {
          // already stopped
        }
      }
      rmSync(work, { recursive: true, force: true });
    })());
  // Ctrl-C or a kill: the same cleanup, then exit as a signal would.
  const onSignal = (sig: NodeJS.Signals) => {
    log(`${sig}: stopping everything the rehearsal started`);
    void cleanup().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const deviations: string[] = [];
  try {
    log(`template: pnpm synth -o ${join(work, 'cdk.out')}`);
    const synth = await runCommand(
      process.execPath,
      [join(repoRoot, 'infra', 'bin', 'synth.js'), '-o', join(work, 'cdk.out')],
      process.env,
      repoRoot,
    );
    if (synth.code !== 0) throw new Error(`pnpm synth failed: ${synth.stderr.trim().split('\n').pop()}`);
    const template = readTemplate(synth.stdout.trim().split(':')[0]);

    const artifacts = {} as Record<WorkerName, WorkerArtifact>;
    for (const w of ['firm-worker', 'theme-worker'] as WorkerName[]) {
      log(`artifact ${w}: scripts/build-worker-artifact.sh ${w} (the Dockerfile's build stage), root-owned`);
      artifacts[w] = await buildWorkerArtifact(repoRoot, w, join(work, w), (l) => log(`  ${l}`));
    }

    log(
      `emulated AWS: moto (SQS, S3, CloudFormation, ECS; DynamoDB serial), resources from the template, time ÷ ${o.timeScale}`,
    );
    const stack: EmulatedStack = await emulateStack(template, { timeScale: o.timeScale });
    stoppers.push(() => stack.stop());
    deviations.push(...stack.deviations);
    const keys = stack.credentials;
    const admin = { endpoint: stack.endpoint, region: stack.region, credentials: keys };

    // The inference path: stand-in (runtime + DescribeEndpoint) → router → fake model servers.
    const models: FakeModelServers = await startFakeModelServers({ cacheDir: join(repoRoot, '.cache') });
    stoppers.push(() => models.close());
    const router: ServingRouter = await startServingRouter(models.urls);
    stoppers.push(() => router.close());
    const [[configId, config]] = ofType(template, 'AWS::SageMaker::EndpointConfig');
    const out = config.Properties?.AsyncInferenceConfig?.OutputConfig ?? {};
    const s3ForStandin = new S3Client({ ...admin, forcePathStyle: true });
    stoppers.push(() => s3ForStandin.destroy());
    const endpointName = stack.outputs.InferenceEndpoint;
    const standin: SageMakerAsyncStandin = await startSageMakerAsyncStandin({
      s3: s3ForStandin,
      s3OutputPath: resolve(out.S3OutputPath, stack.created),
      s3FailurePath: resolve(out.S3FailurePath, stack.created),
      containerUrl: router.url,
      endpoints: [endpointName],
      latencyMs: 200,
    });
    stoppers.push(() => standin.close());
    deviations.push(
      `SageMaker endpoint ${endpointName} (${configId}): the async stand-in on 127.0.0.1 → infra/serving's router → fake model servers (4096-d embedder, keyword-name chat, lexicon classifier), 200 ms queueing`,
    );
    const creds: ContainerCredentials = await startContainerCredentials(keys);
    stoppers.push(() => creds.close());

    // What every task gets beyond its task definition: the emulator's endpoints and the credentials endpoint.
    const emulatorEnv = {
      AWS_REGION: stack.region,
      AWS_ENDPOINT_URL: stack.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: stack.dynamodbEndpoint,
      AWS_ENDPOINT_URL_S3: stack.s3.url,
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: standin.url,
      AWS_ENDPOINT_URL_SAGEMAKER: standin.url,
      ...creds.env,
    };
    deviations.push(
      'tasks get AWS_ENDPOINT_URL[_DYNAMODB|_S3|_SAGEMAKER[_RUNTIME]] of the emulator and AWS_CONTAINER_CREDENTIALS_FULL_URI of a 127.0.0.1 credentials endpoint; no ECS agent (no ECS_AGENT_URI: task protection is off)',
    );
    const defs = taskDefinitions(template, stack.created);
    const defOf = (w: WorkerName) => {
      const d = defs.find((x) => x.logicalId.toLowerCase().startsWith(SERVICE_OF[w]));
      if (!d) throw new Error(`template: no task definition for ${w}`);
      return d;
    };
    for (const w of ['firm-worker', 'theme-worker'] as WorkerName[])
      if (defOf(w).command.join(' ') !== artifacts[w].spec.cmd.join(' '))
        throw new Error(
          `${w}: the task definition's command ${defOf(w).command.join(' ')} is not the image's CMD`,
        );

    const listeners: ((t: WorkerTask, e: WorkerEvent) => void)[] = [];
    let taskNo = 0;
    const operatorEnv = {
      ...process.env,
      AWS_REGION: stack.region,
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_ENDPOINT_URL: stack.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: stack.dynamodbEndpoint,
      AWS_ENDPOINT_URL_S3: stack.s3.url,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    for (const k of Object.keys(operatorEnv))
      if (k.startsWith('CALLTHEMES_') && k !== 'CALLTHEMES_CACHE_DIR')
        delete (operatorEnv as Record<string, unknown>)[k];
    const cli = join(repoRoot, 'packages', 'producer', 'bin', 'callthemes.js');
    const ctx: RehearsalContext = {
      options: o,
      stack,
      standin,
      startTask(w) {
        const def = defOf(w);
        const name = `${SERVICE_OF[w]}-task-${++taskNo}`;
        const task = new WorkerTask(
          name,
          artifacts[w],
          { ...def.environment, ...emulatorEnv, ...ctx.extraEnv },
          def.command,
          (t, e) => {
            for (const l of listeners) l(t, e);
          },
        );
        tasks.push(task);
        void task.exited.then((code) => {
          if (!task.killed && code !== 0 && code !== null)
            log(`${name} exited ${code}: ${task.stderr.trim().split('\n').slice(-3).join(' | ')}`);
        });
        log(
          `${name}: started (${def.command.join(' ')}, uid ${artifacts[w].uid}, task definition ${def.logicalId})`,
        );
        return task;
      },
      onEvent: (l) => listeners.push(l),
      producer: (args) =>
        runCommand(process.execPath, [cli, ...args], { ...operatorEnv, ...ctx.extraEnv }, repoRoot),
      async waitUntilThemed(timeoutMs) {
        const until = Date.now() + timeoutMs;
        let last = '';
        for (;;) {
          const s = await ctx.producer(['status', '--backend', 'aws']);
          const text = s.stdout.trim();
          const line = text
            .split('\n')
            .filter((l) => /^\s*\d{4}Q\d\s+partitions/.test(l))
            .map((l) => l.trim().replace(/\s+/g, ' '))
            .join('; ');
          if (line && line !== last) log(`producer status: ${line}`);
          last = line;
          if (s.code === 0 && /: done\b/.test(text)) return;
          if (Date.now() > until) throw new Error(`not themed after ${timeoutMs / 1000} s: ${line}`);
          await new Promise((r) => setTimeout(r, 5000));
        }
      },
      extraEnv: {},
      log,
      report: lines,
      deviations,
    };

    // The local reference runs alongside the scenario (both mostly wait on the stand-in and the queues).
    log('local reference: the same input on the local fleet (SQLite, folder lake) through the same stand-in');
    const refLake = join(work, 'reference-lake');
    const reference = runCommand(
      process.execPath,
      [
        cli,
        'run',
        '--source',
        o.source,
        '--input',
        o.input,
        '--quarters',
        o.quarters,
        '--lake',
        refLake,
        '--concurrency',
        String(o.concurrency),
        '--partition-size',
        String(o.partitionSize),
      ],
      {
        ...operatorEnv,
        CALLTHEMES_INFERENCE: `sagemaker:${endpointName}`,
        CALLTHEMES_INFERENCE_BUCKET: stack.outputs.InferenceBucket,
        // Not through the counting proxy: the request counts are the AWS fleet's.
        AWS_ENDPOINT_URL_S3: stack.endpoint,
        AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: standin.url,
        AWS_ENDPOINT_URL_SAGEMAKER: standin.url,
      },
      repoRoot,
    );
    log(`scenario ${scenario.name}: ${scenario.description}`);
    const tScenario = performance.now();
    await scenario.run(ctx);
    const scenarioSeconds = (performance.now() - tScenario) / 1000;
    await Promise.all(tasks.map((t) => t.stop()));
    const s3Counts = { ...stack.s3.counts };
    const ref = await reference;
    if (ref.code !== 0)
      throw new Error(`the local reference run exited ${ref.code}: ${ref.stderr.trim().split('\n').pop()}`);

    const lakeUri = stack.outputs.LakeUri;
    const saved = { ...process.env };
    Object.assign(process.env, operatorEnv);
    let got: Awaited<ReturnType<typeof summarizeLake>>;
    try {
      got = await summarizeLake(openStore(lakeUri));
    } finally {
      process.env = saved;
    }
    const want = await summarizeLake(refLake);
    const differences = lakeDifferences(got, want);

    const quarters = Object.keys(got).filter((k) => k.startsWith('firms ')).length || 1;
    const seconds = (performance.now() - t0) / 1000;
    lines.unshift(...describeQuarters(got));
    lines.push(
      `S3 requests of the tasks and the producer (its upload included): ${s3Counts.PUT} PUT, ${s3Counts.GET} GET, ${s3Counts.LIST} LIST, ${s3Counts.HEAD} HEAD (${(s3Counts.PUT / quarters).toFixed(0)} / ${(s3Counts.GET / quarters).toFixed(0)} / ${(s3Counts.LIST / quarters).toFixed(0)} per quarter)`,
      `credentials: ${creds.served} requests to the container-credentials endpoint; async invocations: ${standin.accepted.length}`,
      `wall time: ${seconds.toFixed(0)} s (scenario ${scenarioSeconds.toFixed(0)} s), time ÷ ${o.timeScale}`,
      'deviations from the template:',
      ...deviations.map((d) => `  - ${d}`),
    );
    if (differences.length > 0) {
      lines.push(...differences.map((d) => `difference: ${d}`));
      lines.push(`rehearsal: FAILED: the S3 lake ${lakeUri} differs from the local run (${differences[0]})`);
      return { ok: false, lines };
    }
    lines.push(
      `rehearsal: ok (${scenario.name}) in ${seconds.toFixed(0)} s, the lake ${lakeUri} equals a local run's`,
    );
    return { ok: true, lines };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}
