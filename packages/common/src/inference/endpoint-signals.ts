/**
 * What an async endpoint's callers need to know about its capacity, read from the real signals: SageMaker's
 * DescribeEndpoint (the variants' current instance count), its endpoint config (`MaxConcurrentInvocationsPerInstance`)
 * and, when the callers run as an ECS service, that service's running task count (DescribeServices). Endpoints
 * come from the SDK's standard AWS_ENDPOINT_URL_SAGEMAKER / AWS_ENDPOINT_URL_ECS, so tests point it at stand-ins.
 */
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';

export interface EndpointSignals {
  /** Instances in service now (0 while scaled to zero or still starting). */
  instances: number;
  /** The endpoint config's MaxConcurrentInvocationsPerInstance, when it sets one. */
  perInstance?: number;
  /** Running tasks of the service sharing the endpoint (at least 1: this one). */
  tasks: number;
}

/**
 * Invocations one task keeps in flight: its share of what the endpoint runs at once,
 * ⌈perInstance × max(1, instances) ÷ tasks⌉ — at zero instances each task still queues some, so the endpoint sees
 * the backlog that scales it out, and the fleet never floods the async queue beyond what the GPUs can take.
 */
export function inFlightCap(perInstance: number, instances: number, tasks: number): number {
  return Math.max(1, Math.ceil((perInstance * Math.max(1, instances)) / Math.max(1, tasks)));
}

export interface EndpointSignalsOptions {
  endpointName: string;
  /** `cluster/service` of the ECS service whose tasks share the endpoint; unset: one task. */
  service?: string;
  /** MaxConcurrentInvocationsPerInstance when known (the template sets it); else read from the endpoint config. */
  perInstance?: number;
  sagemaker?: SageMakerClient;
  log?: (line: string) => void;
}

/** A reader of the endpoint's signals (each call asks AWS; the invoker caches). */
export function endpointSignals(o: EndpointSignalsOptions): {
  read(): Promise<EndpointSignals>;
  close(): void;
} {
  const own = !o.sagemaker;
  const sagemaker = o.sagemaker ?? new SageMakerClient({});
  const perInstanceByConfig = new Map<string, number | undefined>();
  let ecs: {
    client: import('@aws-sdk/client-ecs').ECSClient;
    mod: typeof import('@aws-sdk/client-ecs');
  } | null = null;

  async function runningTasks(): Promise<number> {
    if (!o.service) return 1;
    const [cluster, service] = o.service.split('/');
    try {
      if (!ecs) {
        const mod = await import('@aws-sdk/client-ecs');
        ecs = { client: new mod.ECSClient({}), mod };
      }
      const r = await ecs.client.send(new ecs.mod.DescribeServicesCommand({ cluster, services: [service] }));
      return Math.max(1, r.services?.[0]?.runningCount ?? 1);
    } catch (err) {
      o.log?.(
        `${o.service}: running task count unknown (${(err as Error).message}); counting this task only`,
      );
      return 1;
    }
  }

  return {
    async read() {
      const [ep, tasks] = await Promise.all([
        sagemaker.send(new DescribeEndpointCommand({ EndpointName: o.endpointName })),
        runningTasks(),
      ]);
      const instances = (ep.ProductionVariants ?? []).reduce((n, v) => n + (v.CurrentInstanceCount ?? 0), 0);
      if (o.perInstance !== undefined) return { instances, perInstance: o.perInstance, tasks };
      const config = ep.EndpointConfigName;
      if (config && !perInstanceByConfig.has(config)) {
        const c = await sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: config }));
        perInstanceByConfig.set(
          config,
          c.AsyncInferenceConfig?.ClientConfig?.MaxConcurrentInvocationsPerInstance,
        );
      }
      const perInstance = config ? perInstanceByConfig.get(config) : undefined;
      return perInstance === undefined ? { instances, tasks } : { instances, perInstance, tasks };
    },
    close() {
      if (own) sagemaker.destroy();
      ecs?.client.destroy();
    },
  };
}
