/**
 * What stands in for AWS when the synthesized state machine runs here:
 * - `resolveTemplate`: CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Join) resolved to fixed test names;
 * - `LocalBatch`: `batch:submitJob.sync` as a real CLI process per attempt, the command line taken from the
 *   synthesized job definition (`Ref::` parameters filled), the job definition's own retry strategy applied to
 *   failed attempts, concurrency measured, and spot reclaims simulated by killing an attempt;
 * - `FakeEcs`: a fake of the ECS control plane (desired counts, tasks that become HEALTHY after a few polls).
 * `s3://<bucket>/…` arguments map to a local folder (the lake) and the input prefix to the examples folder.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const BUCKET = 'callthemes-test-bucket';

type Json = unknown;
type Template = { Resources: Record<string, { Type: string; Properties: Record<string, Json> }> };

/** A deterministic stand-in value for `Ref` of each resource type. */
function refValue(template: Template, id: string): string {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'Callthemes',
  };
  if (pseudo[id]) return pseudo[id];
  const type = template.Resources[id]?.Type;
  if (type === 'AWS::S3::Bucket') return BUCKET;
  if (type === 'AWS::Batch::JobDefinition')
    return `arn:aws:batch:${REGION}:${ACCOUNT}:job-definition/${id}:1`;
  if (type === 'AWS::Batch::JobQueue') return `arn:aws:batch:${REGION}:${ACCOUNT}:job-queue/${id}`;
  return id;
}

export function resolveTemplate(template: Template, value: Json): Json {
  if (Array.isArray(value)) return value.map((v) => resolveTemplate(template, v));
  if (value && typeof value === 'object') {
    const o = value as Record<string, Json>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === 'Ref') return refValue(template, String(o.Ref));
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
      const [id, attr] = o['Fn::GetAtt'] as [string, string];
      if (template.Resources[id]?.Type === 'AWS::S3::Bucket' && attr === 'Arn')
        return `arn:aws:s3:::${BUCKET}`;
      return `${id}.${attr}`;
    }
    if (keys.length === 1 && keys[0] === 'Fn::Join') {
      const [sep, parts] = o['Fn::Join'] as [string, Json[]];
      return parts.map((p) => String(resolveTemplate(template, p))).join(sep);
    }
    return Object.fromEntries(keys.map((k) => [k, resolveTemplate(template, o[k])]));
  }
  return value;
}

interface EvaluateOnExit {
  Action: string;
  OnStatusReason?: string;
  OnReason?: string;
  OnExitCode?: string;
}

interface JobDefinition {
  logicalId: string;
  command: string[];
  parameters: Record<string, string>;
  environment: Record<string, string>;
  attempts: number;
  evaluateOnExit: EvaluateOnExit[];
}

export interface AttemptRecord {
  stage: string;
  args: string[];
  attempt: number;
  exitCode: number | null;
  statusReason: string;
  reason: string;
}

const SERVICE_FLAGS = new Set(['--llm-url', '--llm-model', '--embed-url', '--embed-model']);

export interface LocalBatchOptions {
  template: Template;
  /** Folder standing for the bucket: `s3://BUCKET/key` → `<bucketDir>/key`. */
  bucketDir: string;
  /** Folder standing for `s3://BUCKET/input`. */
  inputDir: string;
  repoRoot: string;
  /** CLI commands available on this branch; jobs of other commands go to `standIns` or are skipped. */
  availableCommands: Set<string>;
  standIns?: Record<string, string[]>;
  /**
   * Drops the inference-service flags (`--llm-url`… `--embed-model`) from job command lines: the vLLM services
   * are AWS-only, so local jobs run on the embedded default (offline embeddings, keyword names).
   */
  withoutServices?: boolean;
  /** Decides whether an attempt is reclaimed (killed after its first output line). */
  reclaim?: (stage: string, params: Record<string, string>, attempt: number) => boolean;
}

/** Batch semantics: glob patterns with a trailing `*`; the first matching entry decides; no match → retry. */
export function retryDecision(
  rules: EvaluateOnExit[],
  a: { statusReason: string; reason: string; exitCode: number | null },
) {
  const glob = (pattern: string | undefined, value: string) =>
    pattern === undefined ||
    (pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : value === pattern);
  for (const r of rules) {
    if (
      glob(r.OnStatusReason, a.statusReason) &&
      glob(r.OnReason, a.reason) &&
      glob(r.OnExitCode, a.exitCode === null ? '' : String(a.exitCode))
    )
      return r.Action.toUpperCase();
  }
  return 'RETRY';
}

export class LocalBatch {
  readonly attempts: AttemptRecord[] = [];
  readonly skipped: string[] = [];
  /** Most jobs of each stage running at once. */
  readonly maxRunning = new Map<string, number>();
  private readonly running = new Map<string, number>();
  private readonly definitions = new Map<string, JobDefinition>();

  constructor(private readonly o: LocalBatchOptions) {
    for (const [id, res] of Object.entries(o.template.Resources)) {
      if (res.Type !== 'AWS::Batch::JobDefinition') continue;
      const p = resolveTemplate(o.template, res.Properties) as Record<string, any>;
      const env = Object.fromEntries(
        ((p.ContainerProperties?.Environment ?? []) as { Name: string; Value: string }[]).map((e) => [
          e.Name,
          e.Value,
        ]),
      );
      this.definitions.set(refValue(o.template, id), {
        logicalId: id,
        command: p.ContainerProperties.Command,
        parameters: p.Parameters ?? {},
        environment: env,
        attempts: p.RetryStrategy?.Attempts ?? 1,
        evaluateOnExit: p.RetryStrategy?.EvaluateOnExit ?? [],
      });
    }
  }

  /** The handler for a `batch:submitJob.sync` state: resolves when the job succeeds, throws when it fails. */
  submitJobSync = async (input: Record<string, any>): Promise<Record<string, unknown>> => {
    const def = this.definitions.get(input.JobDefinition);
    if (!def) throw new Error(`unknown job definition ${input.JobDefinition}`);
    const params = { ...def.parameters, ...(input.Parameters ?? {}) } as Record<string, string>;
    const args = def.command
      .map((a) => (a.startsWith('Ref::') ? String(params[a.slice(5)] ?? a) : a))
      .map((a) => this.localPath(a))
      .filter(
        (a, i, all) => !(this.o.withoutServices && (SERVICE_FLAGS.has(a) || SERVICE_FLAGS.has(all[i - 1]))),
      );
    const env: Record<string, string> = { ...def.environment };
    for (const e of (input.ContainerOverrides?.Environment ?? []) as { Name: string; Value: string }[])
      env[e.Name] = e.Value;
    const stage = args[0];
    for (let attempt = 1; ; attempt++) {
      const result = await this.runAttempt(stage, args, env, attempt, params);
      if (result === null) return { JobName: input.JobName, Status: 'SUCCEEDED', Skipped: true };
      this.attempts.push(result);
      if (result.exitCode === 0) return { JobName: input.JobName, Status: 'SUCCEEDED', Attempts: attempt };
      const action = retryDecision(def.evaluateOnExit, result);
      if (action === 'EXIT' || attempt >= def.attempts) {
        const err = new Error(
          `job ${input.JobName} (${args.join(' ')}) failed: ${result.statusReason || result.reason}`,
        );
        err.name = 'States.TaskFailed';
        throw err;
      }
    }
  };

  /** `s3://BUCKET/input…` → the examples folder; other `s3://BUCKET/key` → the local bucket folder. */
  localPath(arg: string): string {
    const prefix = `s3://${BUCKET}/`;
    if (!arg.startsWith(prefix)) return arg;
    const key = arg.slice(prefix.length);
    if (key === 'input' || key.startsWith('input/')) return this.o.inputDir;
    return join(this.o.bucketDir, key);
  }

  private async runAttempt(
    stage: string,
    args: string[],
    env: Record<string, string>,
    attempt: number,
    params: Record<string, string>,
  ): Promise<AttemptRecord | null> {
    let argv: string[];
    if (this.o.availableCommands.has(stage))
      argv = [join(this.o.repoRoot, 'packages', 'producer', 'bin', 'callthemes.js'), ...args];
    else if (this.o.standIns?.[stage]) argv = [...this.o.standIns[stage], ...args.slice(1)];
    else {
      this.skipped.push(`${stage} ${params.quarter ?? ''}`.trim());
      return null;
    }
    const now = (this.running.get(stage) ?? 0) + 1;
    this.running.set(stage, now);
    this.maxRunning.set(stage, Math.max(this.maxRunning.get(stage) ?? 0, now));
    try {
      const reclaim = this.o.reclaim?.(stage, params, attempt) ?? false;
      const child = spawn(process.execPath, argv, {
        cwd: this.o.repoRoot,
        env: { ...process.env, ...env, CALLTHEMES_FROM_SOURCE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let killed = false;
      child.stdout.resume();
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        // A spot reclaim: the host goes away mid-job, after the job has started writing.
        if (reclaim && !killed && stderr.includes('\n')) {
          killed = true;
          child.kill('SIGKILL');
        }
      });
      const exitCode = await new Promise<number | null>((res) => child.on('close', (code) => res(code)));
      if (killed)
        return {
          stage,
          args,
          attempt,
          exitCode: null,
          statusReason: 'Host EC2 (instance i-0abc123def4567890) terminated.',
          reason: '',
        };
      return {
        stage,
        args,
        attempt,
        exitCode,
        statusReason: exitCode === 0 ? '' : 'Essential container in task exited',
        reason: exitCode === 0 ? '' : stderr.trim().split('\n')[0].slice(0, 200),
      };
    } finally {
      this.running.set(stage, (this.running.get(stage) ?? 1) - 1);
    }
  }
}

/** A fake ECS control plane: services with desired counts; a task turns HEALTHY after `bootPolls` polls. */
export class FakeEcs {
  readonly desired = new Map<string, number>();
  readonly calls: string[] = [];
  private readonly polls = new Map<string, number>();

  constructor(private readonly bootPolls = 2) {}

  updateService = async (input: { Service: string; DesiredCount: number }) => {
    this.calls.push(`updateService ${input.Service} ${input.DesiredCount}`);
    this.desired.set(input.Service, input.DesiredCount);
    if (input.DesiredCount === 0) this.polls.delete(input.Service);
    return { Service: { ServiceName: input.Service, DesiredCount: input.DesiredCount } };
  };

  listTasks = async (input: { ServiceName: string }) => {
    const n = (this.polls.get(input.ServiceName) ?? 0) + 1;
    this.polls.set(input.ServiceName, n);
    this.calls.push(`listTasks ${input.ServiceName}`);
    const count = this.desired.get(input.ServiceName) ?? 0;
    // The first poll finds no task yet (instance still launching).
    if (count === 0 || n < 2) return { TaskArns: [] };
    return {
      TaskArns: Array.from(
        { length: count },
        (_, i) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/c/${input.ServiceName}-${i}`,
      ),
    };
  };

  describeTasks = async (input: { Tasks: string[] }) => {
    const service = input.Tasks[0].split('/').pop()!.replace(/-\d+$/, '');
    const healthy = (this.polls.get(service) ?? 0) > this.bootPolls;
    return {
      Tasks: input.Tasks.map((TaskArn) => ({ TaskArn, HealthStatus: healthy ? 'HEALTHY' : 'UNKNOWN' })),
    };
  };
}

/** The S3 GetObject integration over the local bucket folder (text bodies, as Step Functions returns them). */
export function localGetObject(bucketDir: string) {
  return async (input: { Bucket: string; Key: string }) => {
    if (input.Bucket !== BUCKET) throw new Error(`unknown bucket ${input.Bucket}`);
    return { Body: await readFile(join(bucketDir, input.Key), 'utf8') };
  };
}
