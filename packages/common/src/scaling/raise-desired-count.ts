/**
 * Raising an ECS service's desired count when work is enqueued. SQS's CloudWatch metrics can lag up to 15
 * minutes after a queue was idle, so the queue-based autoscaling alone would leave a scaled-to-zero firm service
 * waiting; the producer and the theme worker call this right after they enqueue. It only ever raises (never
 * lowers: scale-in is the autoscaler's), and never above `max`.
 */
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';

export interface RaiseOptions {
  /** `cluster/service` (CALLTHEMES_FIRM_WORKER_SERVICE, CALLTHEMES_THEME_WORKER_SERVICE); empty = no-op (local runs have no service). */
  service: string | undefined;
  /** The count the service should have at least, e.g. the partitions just enqueued. */
  atLeast: number;
  /** Upper bound (the service's autoscaling maximum). Default 20, the deployment's firmWorkerMaxTasks. */
  max?: number;
  client?: ECSClient;
}

export type RaiseResult =
  | { changed: false; reason: 'no service' | 'already enough'; desiredCount?: number }
  | { changed: true; from: number; to: number };

export const DEFAULT_MAX_TASKS = 20;

/** `cluster/service` → its two names; a clear error for anything else. */
export function parseService(value: string): { cluster: string; service: string } {
  const parts = value.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1])
    throw new Error(
      `ECS service "${value}": expected <cluster>/<service> (CALLTHEMES_FIRM_WORKER_SERVICE, CALLTHEMES_THEME_WORKER_SERVICE)`,
    );
  return { cluster: parts[0], service: parts[1] };
}

export async function raiseDesiredCount(o: RaiseOptions): Promise<RaiseResult> {
  const setting = (o.service ?? '').trim();
  if (!setting) return { changed: false, reason: 'no service' };
  const { cluster, service } = parseService(setting);
  const max = o.max ?? DEFAULT_MAX_TASKS;
  const target = Math.min(Math.max(0, Math.ceil(o.atLeast)), max);
  const client = o.client ?? new ECSClient({});
  const described = await client.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const found = described.services?.find((s) => s.serviceName === service);
  if (!found) {
    const why = described.failures?.[0]?.reason ?? 'not found';
    throw new Error(`ECS service ${cluster}/${service}: ${why}`);
  }
  const current = found.desiredCount ?? 0;
  if (current >= target) return { changed: false, reason: 'already enough', desiredCount: current };
  await client.send(new UpdateServiceCommand({ cluster, service, desiredCount: target }));
  return { changed: true, from: current, to: target };
}
