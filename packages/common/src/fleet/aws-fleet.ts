/** The fleet on AWS: SQS queues and the DynamoDB counters table named by the settings. */
import type { Fleet, FleetSettings } from './open-fleet.js';

export async function openAwsFleet(settings: FleetSettings): Promise<Fleet> {
  const missing = (
    [
      ['CALLTHEMES_PARTITIONS_QUEUE_URL', settings.partitionsQueueUrl],
      ['CALLTHEMES_THEMES_QUEUE_URL', settings.themesQueueUrl],
      ['CALLTHEMES_COUNTERS_TABLE', settings.countersTable],
    ] as const
  )
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length > 0) throw new Error(`the aws backend needs ${missing.join(', ')}`);
  throw new Error('the aws backend is not wired yet');
}
