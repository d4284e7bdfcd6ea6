/**
 * A STAND-IN for the ECS container agent's task scale-in protection endpoint (moto has no task protection), on
 * 127.0.0.1: `PUT|GET <ECS_AGENT_URI>/task-protection/v1/state` as the agent documents it — a PUT takes
 * `{ProtectionEnabled, ExpiresInMinutes?}` (default 120 min, 1–2,880) and answers `{protection: {…}}`, a bad
 * request `{error: {Code, Message}}`. Give a process `env.ECS_AGENT_URI` to point it here. Every PUT is recorded.
 */
import { createServer } from 'node:http';
import { listenOnLoopback } from '../../src/testing/loopback.js';

export interface ProtectionState {
  ProtectionEnabled: boolean;
  ExpirationDate?: string;
  TaskArn: string;
}

export interface EcsAgentStandin {
  /** What the agent injects as ECS_AGENT_URI (the endpoint path is appended by the caller). */
  agentUri: string;
  env: { ECS_AGENT_URI: string };
  /** Every PUT body, with the time it arrived. */
  puts: { at: number; body: { ProtectionEnabled?: unknown; ExpiresInMinutes?: unknown } }[];
  state: ProtectionState;
  /** Answer the next `n` PUTs with the agent's error shape (e.g. the task role lacks the permission). */
  failNext(n: number): void;
  close(): Promise<void>;
}

const TASK_ARN = 'arn:aws:ecs:us-east-1:000000000000:task/callthemes/0123456789abcdef';

export async function startEcsAgentStandin(): Promise<EcsAgentStandin> {
  let fail = 0;
  const standin = {
    puts: [],
    state: { ProtectionEnabled: false, TaskArn: TASK_ARN },
    failNext: (n: number) => {
      fail = n;
    },
  } as unknown as EcsAgentStandin;
  const server = createServer(async (req, res) => {
    let text = '';
    for await (const c of req) text += c;
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!req.url?.endsWith('/task-protection/v1/state')) return send(404, { error: { Code: 'NotFound' } });
    if (req.method === 'GET') return send(200, { protection: standin.state });
    if (req.method !== 'PUT') return send(405, { error: { Code: 'MethodNotAllowed' } });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text);
    } catch {
      return send(400, { error: { Code: 'InvalidRequest', Message: 'body is not JSON' } });
    }
    standin.puts.push({ at: Date.now(), body });
    if (fail > 0) {
      fail--;
      return send(400, {
        error: {
          Arn: TASK_ARN,
          Code: 'AccessDeniedException',
          Message: 'not authorized to UpdateTaskProtection',
        },
      });
    }
    if (typeof body.ProtectionEnabled !== 'boolean')
      return send(400, {
        error: {
          Code: 'InvalidRequest',
          Message: 'Invalid request: does not contain ProtectionEnabled field',
        },
      });
    const minutes = body.ExpiresInMinutes === undefined ? 120 : Number(body.ExpiresInMinutes);
    if (!(Number.isInteger(minutes) && minutes >= 1 && minutes <= 2880))
      return send(400, {
        error: { Code: 'InvalidParameterException', Message: 'expiresInMinutes out of range' },
      });
    standin.state = body.ProtectionEnabled
      ? {
          ProtectionEnabled: true,
          ExpirationDate: new Date(Date.now() + minutes * 60_000).toISOString(),
          TaskArn: TASK_ARN,
        }
      : { ProtectionEnabled: false, TaskArn: TASK_ARN };
    send(200, { protection: standin.state });
  });
  const { url, close } = await listenOnLoopback(server);
  standin.agentUri = `${url}/api/0123456789abcdef-1234567890`;
  standin.env = { ECS_AGENT_URI: standin.agentUri };
  standin.close = close;
  return standin;
}
