/**
 * ECS task scale-in protection while a worker holds a message. Target tracking on backlog per task scales the
 * service in at a quarter's tail, and ECS picks the tasks to stop at random: a task busy with a partition would
 * lose it (and its receive). Through the container agent's endpoint (`$ECS_AGENT_URI/task-protection/v1/state`,
 * which calls Get/UpdateTaskProtection with the task role) a worker marks its task protected when it takes a
 * message, renews the mark while it works, and clears it when a receive finds the queue empty. Outside ECS
 * (`ECS_AGENT_URI` unset) there is nothing to protect. A failed call is logged, never fatal: the worst case is
 * today's behaviour, a redelivery.
 */

export interface TaskProtection {
  /** The task holds a message: protect it (once; renewed every half expiry while busy). */
  busy(): Promise<void>;
  /** The queue was found empty: clear the protection, if set. */
  idle(): Promise<void>;
  /** Clears the protection and the renewal (on shutdown). */
  close(): Promise<void>;
  readonly protected: boolean;
}

export interface TaskProtectionOptions {
  /** Minutes each protection lasts (ECS: 1–2,880; default 60), renewed every half of it while busy. */
  expiresInMinutes?: number;
  log?: (line: string) => void;
  timeoutMs?: number;
}

/** The agent's path under ECS_AGENT_URI. */
export const TASK_PROTECTION_PATH = '/task-protection/v1/state';

/** A protection for this task, or null outside ECS (no ECS_AGENT_URI). */
export function taskProtectionFrom(
  env: NodeJS.ProcessEnv = process.env,
  o: TaskProtectionOptions = {},
): TaskProtection | null {
  const base = env.ECS_AGENT_URI;
  if (!base) return null;
  const minutes = Math.min(2880, Math.max(1, Math.round(o.expiresInMinutes ?? 60)));
  const url = `${base.replace(/\/+$/, '')}${TASK_PROTECTION_PATH}`;
  let on = false;
  let renew: NodeJS.Timeout | null = null;
  // One call at a time, in order: a release must not overtake the protect before it.
  let chain: Promise<void> = Promise.resolve();

  const put = async (enabled: boolean): Promise<boolean> => {
    try {
      const res = await fetch(url, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(
          enabled ? { ProtectionEnabled: true, ExpiresInMinutes: minutes } : { ProtectionEnabled: false },
        ),
        signal: AbortSignal.timeout(o.timeoutMs ?? 5000),
      });
      const body = (await res.json().catch(() => ({}))) as {
        protection?: { ProtectionEnabled?: boolean };
        failure?: { Reason?: string };
        error?: { Code?: string; Message?: string };
      };
      if (res.ok && body.protection?.ProtectionEnabled === enabled) return true;
      const why = body.failure?.Reason ?? body.error?.Message ?? body.error?.Code ?? `HTTP ${res.status}`;
      o.log?.(`task scale-in protection ${enabled ? 'on' : 'off'} failed: ${why}`);
    } catch (err) {
      o.log?.(`task scale-in protection ${enabled ? 'on' : 'off'} failed: ${(err as Error).message}`);
    }
    return false;
  };
  const step = (f: () => Promise<void>) => {
    chain = chain.then(f);
    return chain;
  };
  const stopRenewing = () => {
    if (renew) clearInterval(renew);
    renew = null;
  };

  return {
    get protected() {
      return on;
    },
    busy: () =>
      step(async () => {
        if (on) return;
        on = await put(true);
        if (!on) return;
        renew = setInterval(
          () => void step(async () => void (on && (await put(true)))),
          (minutes * 60_000) / 2,
        );
        renew.unref();
      }),
    idle: () =>
      step(async () => {
        if (!on) return;
        stopRenewing();
        if (await put(false)) on = false;
      }),
    close: () =>
      step(async () => {
        stopRenewing();
        if (on && (await put(false))) on = false;
      }),
  };
}
