/**
 * `pnpm rehearse`: the AWS path as deployed, on this machine, with only AWS itself and the GPU replaced.
 * Once per invocation: 1. the template (`pnpm synth -o`), 2. both workers' artifacts (their Dockerfiles' steps,
 * root-owned). Then per scenario, each on its own: 3. the stack on fresh moto servers (emulator.ts), 4. the
 * inference path: the SageMaker async stand-in → the serving image's router (infra/serving) → fake model servers
 * (4096-d embedder), 5. the container-credentials endpoint (tasks get no keys), 6. the scenario, 7. a local run of
 * the same input through the same stand-in, 8. the two lakes compared. The artifacts are only read by the tasks
 * (root-owned, uid 1000); each scenario gives them a fresh home. Everything started is stopped, whatever happens.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
import { type CfnTemplate, ofType, readTemplate, resolve, taskDefinitions } from './template.js';

export interface RehearsalResult {
  scenario: string;
  ok: boolean;
  /** The scenario's summary, its last line `rehearsal: ok (<name>) …` or `rehearsal: FAILED (<name>): …`. */
  lines: string[];
  /** The scenario's own wall time (its stack up to the lakes compared), the shared build not included. */
  seconds: number;
}

const SERVICE_OF: Record<WorkerName, string> = { 'firm-worker': 'firm', 'theme-worker': 'theme' };
const WORKERS: WorkerName[] = ['firm-worker', 'theme-worker'];

/** What every scenario of one invocation shares: the synthesized template and both artifacts, built once. */
interface SharedBuild {
  template: CfnTemplate;
  artifacts: Record<WorkerName, WorkerArtifact>;
  seconds: number;
}

/** Where a run registers what it must stop; run in reverse, once, on success, failure or a signal. */
class Stoppers {
  private list: (() => Promise<unknown> | unknown)[] = [];
  private firstList: (() => Promise<unknown> | unknown)[] = [];
  push(s: () => Promise<unknown> | unknown): void {
    this.list.push(s);
  }
  /** Stopped before everything pushed (the tasks, before the servers they talk to). */
  first(s: () => Promise<unknown> | unknown): void {
    this.firstList.push(s);
  }
  async stopAll(): Promise<void> {
    const list = [...this.firstList, ...this.list.reverse()];
    this.list = [];
    this.firstList = [];
    for (const s of list) {
      try {
        await s();
      } catch {
        // already stopped
      }
    }
  }
}

/**
 * Runs `scenarios` one after another over one template and one build of both artifacts, each scenario on its
 * own emulated stack, stand-in, credentials endpoint and reference run (nothing of one reaches the next);
 * `onResult` gets each scenario's result as it ends. A failed build fails every scenario; a failed scenario
 * does not stop the next.
 */
export async function rehearse(
  repoRoot: string,
  scenarios: Scenario[],
  o: RehearsalOptions,
  log: (line: string) => void,
  onResult: (r: RehearsalResult) => void = () => {},
): Promise<RehearsalResult[]> {
  const work = mkdtempSync(join(tmpdir(), 'callthemes-rehearsal-'));
  chmodSync(work, 0o755);
  const outer = new Stoppers();
  outer.push(() => rmSync(work, { recursive: true, force: true }));
  let current: Stoppers | undefined;
  // Ctrl-C or a kill: the current scenario's cleanup and the build's, then exit as a signal would.
  const onSignal = (sig: NodeJS.Signals) => {
    log(`${sig}: stopping everything the rehearsal started`);
    stopBuilds();
    void (async () => {
      await current?.stopAll();
      await outer.stopAll();
    })().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const results: RehearsalResult[] = [];
  try {
    let build: SharedBuild;
    try {
      build = await buildOnce(repoRoot, work, scenarios, log);
    } catch (err) {
      stopBuilds();
      for (const s of scenarios) {
        const r = failed(s, [], err, 0);
        results.push(r);
        onResult(r);
      }
      return results;
    }
    for (const scenario of scenarios) {
      current = new Stoppers();
      const t0 = performance.now();
      const lines: string[] = [];
      let r: RehearsalResult;
      try {
        r = await runScenario(repoRoot, build, scenario, o, log, join(work, scenario.name), current, lines);
      } catch (err) {
        r = failed(scenario, lines, err, (performance.now() - t0) / 1000);
      } finally {
        await current.stopAll();
        current = undefined;
      }
      results.push(r);
      onResult(r);
    }
    return results;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await outer.stopAll();
  }
}

function failed(scenario: Scenario, lines: string[], err: unknown, seconds: number): RehearsalResult {
  const first = (err as Error).message.split('\n')[0];
  return {
    scenario: scenario.name,
    ok: false,
    lines: [...lines, `rehearsal: FAILED (${scenario.name}): ${first}`],
    seconds,
  };
}

/** The template (`pnpm synth -o`) and both artifacts under `work`, once for every scenario of the invocation. */
async function buildOnce(
  repoRoot: string,
  work: string,
  scenarios: Scenario[],
  log: (line: string) => void,
): Promise<SharedBuild> {
  const t0 = performance.now();
  const shared = scenarios.length > 1 ? `, shared by ${scenarios.map((s) => s.name).join(', ')}` : '';
  log(`template: pnpm synth -o ${join(work, 'cdk.out')}${shared}`);
  const synth = await runCommand(
    process.execPath,
    [join(repoRoot, 'infra', 'bin', 'synth.js'), '-o', join(work, 'cdk.out')],
    process.env,
    repoRoot,
  );
  if (synth.code !== 0) throw new Error(`pnpm synth failed: ${synth.stderr.trim().split('\n').pop()}`);
  const template = readTemplate(synth.stdout.trim().split(':')[0]);
  const artifacts = {} as Record<WorkerName, WorkerArtifact>;
  for (const w of WORKERS) {
    log(
      `artifact ${w}: scripts/build-worker-artifact.sh ${w} (the Dockerfile's build stage), root-owned${shared}`,
    );
    artifacts[w] = await buildWorkerArtifact(repoRoot, w, join(work, w), (l) => log(`  ${l}`));
  }
  const seconds = (performance.now() - t0) / 1000;
  log(`template and artifacts ready in ${seconds.toFixed(0)} s`);
  return { template, artifacts, seconds };
}

/** One scenario on its own stack; throws on a failure before the comparison, returns the comparison's result. */
async function runScenario(
  repoRoot: string,
  build: SharedBuild,
  scenario: Scenario,
  o: RehearsalOptions,
  log: (line: string) => void,
  work: string,
  stoppers: Stoppers,
  lines: string[],
): Promise<RehearsalResult> {
  const t0 = performance.now();
  const { template } = build;
  const tasks: WorkerTask[] = [];
  stoppers.first(() => Promise.all(tasks.map((t) => t.stop(5000))));
  mkdirSync(work, { recursive: true });
  chmodSync(work, 0o755);
  stoppers.push(() => rmSync(work, { recursive: true, force: true }));
  // The artifacts as built (read-only to the tasks), each with a home of this scenario's own.
  const artifacts = {} as Record<WorkerName, WorkerArtifact>;
  for (const w of WORKERS) {
    const home = join(work, `home-${w}`);
    mkdirSync(home, { recursive: true });
    chownSync(home, build.artifacts[w].uid, build.artifacts[w].uid);
    artifacts[w] = { ...build.artifacts[w], home };
  }
  const deviations: string[] = [];
  log(`scenario ${scenario.name}: its own emulated stack, stand-in, credentials endpoint and reference run`);
  log(
    `emulated AWS: moto (SQS, S3, CloudFormation, ECS; DynamoDB serial), resources from the template, time ÷ ${o.timeScale}`,
  );
  const stack: EmulatedStack = await emulateStack(template, { timeScale: o.timeScale, label: scenario.name });
  stoppers.push(() => stack.stop());
  deviations.push(...stack.deviations);
  const keys = stack.credentials;
  const admin = stack.clientConfig;

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
  // Stopped with the scenario if it fails first, so it never runs on into the next scenario.
  const stopReference = new AbortController();
  stoppers.first(() => stopReference.abort());
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
    stopReference.signal,
  );
  // Awaited below when the scenario succeeds; a scenario that throws leaves it to the stop above.
  reference.catch(() => {});
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
    `wall time: ${seconds.toFixed(0)} s (scenario ${scenarioSeconds.toFixed(0)} s) after the template and artifacts (${build.seconds.toFixed(0)} s, once per invocation), time ÷ ${o.timeScale}`,
    'deviations from the template:',
    ...deviations.map((d) => `  - ${d}`),
  );
  if (differences.length > 0) {
    lines.push(...differences.map((d) => `difference: ${d}`));
    lines.push(
      `rehearsal: FAILED (${scenario.name}): the S3 lake ${lakeUri} differs from the local run (${differences[0]})`,
    );
    return { scenario: scenario.name, ok: false, lines, seconds };
  }
  lines.push(
    `rehearsal: ok (${scenario.name}) in ${seconds.toFixed(0)} s, the lake ${lakeUri} equals a local run's`,
  );
  return { scenario: scenario.name, ok: true, lines, seconds };
}
