/**
 * The fleet's shape read from a synthesized template: the work queues with their DLQs (a queue with a
 * RedrivePolicy), the counters table's key, the worker services with the queue their scaling follows, and
 * the async endpoint. The sequence and component diagrams take their AWS labels from here.
 */
import { type CfnTemplate, friendlyId, referencesIn } from './cfn.js';

export interface FleetQueue {
  id: string;
  /** `partitions`, `themes`: the logical id without its construct prefix and `Queue` suffix. */
  name: string;
  dlqId: string;
  maxReceiveCount: number;
  visibilitySeconds: number;
  maxMessageBytes: number | null;
}

export interface FleetService {
  name: string;
  command: string;
  capacity: string[];
  minTasks: number;
  maxTasks: number;
  /** The queue (FleetQueue.name) whose backlog scales the service. */
  queue: string | null;
}

export interface FleetShape {
  queues: FleetQueue[];
  table: { key: string[]; billing: string } | null;
  services: FleetService[];
  endpoint: { name: string; instanceTypes: string[]; minInstances: number; maxInstances: number } | null;
  dashboard: string | null;
  alarms: number;
  bucket: string | null;
}

const dig = (v: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>(
    (cur, k) => (cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined),
    v,
  );

function queueName(id: string): string {
  const f = friendlyId(id)
    .replace(/^Queues/, '')
    .replace(/Queue$/, '');
  return f.charAt(0).toLowerCase() + f.slice(1);
}

export function fleetShape(t: CfnTemplate): FleetShape {
  const res = Object.entries(t.Resources);
  const ids = new Set(Object.keys(t.Resources));
  const queues: FleetQueue[] = [];
  for (const [id, r] of res) {
    if (r.Type !== 'AWS::SQS::Queue') continue;
    const p = r.Properties ?? {};
    const redrive = dig(p, 'RedrivePolicy');
    if (!redrive) continue;
    queues.push({
      id,
      name: queueName(id),
      dlqId: [...referencesIn(redrive, ids)][0] ?? '',
      maxReceiveCount: Number(dig(redrive, 'maxReceiveCount')),
      visibilitySeconds: Number(dig(p, 'VisibilityTimeout') ?? 30),
      maxMessageBytes: typeof p.MaximumMessageSize === 'number' ? p.MaximumMessageSize : null,
    });
  }
  const tableRes = res.find(([, r]) => /^AWS::DynamoDB::(GlobalTable|Table)$/.test(r.Type))?.[1];
  const table = tableRes
    ? {
        key: (
          (dig(tableRes.Properties, 'KeySchema') as { AttributeName: string; KeyType: string }[]) ?? []
        ).map((k) => `${k.AttributeName} (${k.KeyType === 'HASH' ? 'partition' : 'sort'})`),
        billing: String(dig(tableRes.Properties, 'BillingMode') ?? 'PROVISIONED'),
      }
    : null;

  // Scalable targets and the queue named in each target's tracking policy.
  const targetOf = new Map<string, { min: number; max: number; queue: string | null }>();
  for (const [id, r] of res) {
    if (r.Type !== 'AWS::ApplicationAutoScaling::ScalableTarget') continue;
    const resourceId = String(dig(r.Properties, 'ResourceId') ?? '');
    let queue: string | null = null;
    for (const [, pol] of res) {
      if (pol.Type !== 'AWS::ApplicationAutoScaling::ScalingPolicy') continue;
      if (!referencesIn(dig(pol.Properties, 'ScalingTargetId'), new Set([id])).size) continue;
      const q = queues.find((x) => referencesIn(pol.Properties ?? {}, new Set([x.id])).size > 0);
      if (q) queue = q.name;
    }
    targetOf.set(resourceId, {
      min: Number(dig(r.Properties, 'MinCapacity')),
      max: Number(dig(r.Properties, 'MaxCapacity')),
      queue,
    });
  }
  const clusterName = (ref: unknown): string => {
    const cid = [...referencesIn(ref, ids)][0];
    return String(dig(cid ? t.Resources[cid]?.Properties : undefined, 'ClusterName') ?? '');
  };
  const services: FleetService[] = [];
  for (const [, r] of res) {
    if (r.Type !== 'AWS::ECS::Service') continue;
    const p = r.Properties ?? {};
    const name = String(p.ServiceName ?? '');
    const taskId = [...referencesIn(p.TaskDefinition, ids)][0];
    const command = dig(
      taskId ? t.Resources[taskId]?.Properties : undefined,
      'ContainerDefinitions',
      0,
      'Command',
    );
    const target = targetOf.get(`service/${clusterName(p.Cluster)}/${name}`);
    services.push({
      name,
      command: Array.isArray(command) ? command.join(' ') : '',
      capacity: ((p.CapacityProviderStrategy as { CapacityProvider: string }[]) ?? []).map(
        (c) => c.CapacityProvider,
      ),
      minTasks: target?.min ?? Number(p.DesiredCount ?? 0),
      maxTasks: target?.max ?? Number(p.DesiredCount ?? 0),
      queue: target?.queue ?? null,
    });
  }
  const ep = res.find(([, r]) => r.Type === 'AWS::SageMaker::Endpoint')?.[1];
  const cfg = res.find(([, r]) => r.Type === 'AWS::SageMaker::EndpointConfig')?.[1];
  let endpoint: FleetShape['endpoint'] = null;
  if (ep) {
    const name = String(dig(ep.Properties, 'EndpointName') ?? 'endpoint');
    const variant = dig(cfg?.Properties, 'ProductionVariants', 0);
    const pools = dig(variant, 'InstancePools');
    const target = [...targetOf.entries()].find(([k]) => k.startsWith(`endpoint/${name}/`))?.[1];
    endpoint = {
      name,
      instanceTypes: Array.isArray(pools)
        ? pools.map((x) => String(dig(x, 'InstanceType')))
        : [String(dig(variant, 'InstanceType') ?? '?')],
      minInstances: target?.min ?? 1,
      maxInstances: target?.max ?? 1,
    };
  }
  const dash = res.find(([, r]) => r.Type === 'AWS::CloudWatch::Dashboard')?.[1];
  const bucket = res.find(([id, r]) => r.Type === 'AWS::S3::Bucket' && /^LakeBucket/.test(id))?.[0];
  return {
    queues,
    table,
    services,
    endpoint,
    dashboard: dash ? String(dig(dash.Properties, 'DashboardName') ?? 'dashboard') : null,
    alarms: res.filter(([, r]) => /^AWS::CloudWatch::(Alarm|CompositeAlarm)$/.test(r.Type)).length,
    bucket: bucket ? friendlyId(bucket) : null,
  };
}
