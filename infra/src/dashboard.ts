/**
 * The fleet's CloudWatch dashboard and alarms: queue and DLQ depth and age, running tasks per service, the
 * endpoint's backlog and instances, and the workers' `PartitionsCompleted` / `FirmsCompleted` per quarter
 * (embedded-metric log lines, namespace `Callthemes`, dimension `Quarter`). Alarms: any DLQ message, and a
 * stuck quarter (nothing completed for 30 minutes while the partitions queue holds messages); both notify the
 * alerts topic.
 */
import { FLEET_METRICS } from '@callthemes/common/config';
import {
  aws_cloudwatch as cw,
  aws_cloudwatch_actions as cwActions,
  Duration,
  type aws_sns as sns,
  type aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { AsyncEndpoint } from './inference.js';
import type { WorkQueue } from './queues.js';
import type { WorkerService } from './worker-service.js';

export interface FleetDashboardProps {
  dashboardName: string;
  queues: { name: string; queue: WorkQueue }[];
  services: { name: string; service: WorkerService }[];
  endpoint: AsyncEndpoint;
  /** The queue whose backlog makes a quarter "incomplete" for the stuck alarm. */
  partitions: WorkQueue;
  /** Where the alarms notify (the stuck quarter's two halves only feed the composite, which notifies). */
  alerts: sns.ITopic;
}

const MINUTE = Duration.minutes(1);

/** A per-quarter SEARCH of one of the workers' metrics (every Quarter value, summed per period). */
export function perQuarter(metricName: string): cw.MathExpression {
  return new cw.MathExpression({
    expression: `SEARCH('{${FLEET_METRICS.namespace},${FLEET_METRICS.dimension}} MetricName="${metricName}"', 'Sum', 300)`,
    usingMetrics: {},
    period: Duration.minutes(5),
    label: metricName,
  });
}

export class FleetDashboard extends Construct {
  readonly dashboard: cw.Dashboard;
  readonly dlqAlarms: cw.Alarm[] = [];
  readonly stuckQuarter: cw.CompositeAlarm;

  constructor(scope: Construct, id: string, props: FleetDashboardProps) {
    super(scope, id);
    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });

    const queueWidgets = props.queues.map(({ name, queue }) => queueWidget(`${name} queue`, queue.queue));
    const dlqWidgets = props.queues.map(({ name, queue }) => queueWidget(`${name} DLQ`, queue.dlq));
    const tasks = new cw.GraphWidget({
      title: 'running tasks',
      left: props.services.map(({ name, service }) => service.runningTasks.with({ label: name })),
      width: 12,
    });
    const ep = props.endpoint;
    const endpoint = new cw.GraphWidget({
      title: `endpoint ${ep.endpointName}`,
      left: [
        ep.metric('ApproximateBacklogSize', 'Average').with({ label: 'backlog' }),
        ep.metric('ApproximateBacklogSizePerInstance', 'Average').with({ label: 'backlog per instance' }),
      ],
      right: [
        ep.metricInstances(),
        ep.metric('HasBacklogWithoutCapacity', 'Maximum').with({ label: 'backlog without capacity' }),
      ],
      width: 12,
    });
    const progress = [FLEET_METRICS.partitionsCompleted, FLEET_METRICS.firmsCompleted].map(
      (m) => new cw.GraphWidget({ title: `${m} per quarter`, left: [perQuarter(m)], width: 12 }),
    );

    for (const { name, queue } of props.queues) {
      this.dlqAlarms.push(
        new cw.Alarm(this, `${name}DlqAlarm`, {
          alarmDescription: `messages in the ${name} DLQ: inspect, fix, then pnpm producer redrive --queue ${name}`,
          metric: queue.dlq.metricApproximateNumberOfMessagesVisible({
            period: MINUTE,
            statistic: 'Maximum',
          }),
          threshold: 0,
          comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    // Stuck quarter = (visible + in-flight partitions) > 0 AND Σ PartitionsCompleted over 30 min == 0.
    // The first half is metric math on the partitions queue. The second needs the sum over every Quarter value,
    // which plain metric math cannot name in an alarm (SEARCH is not allowed there), so it is a Metrics Insights
    // query; missing data counts as "nothing completed". A composite alarm ANDs the two.
    const periods = FLEET_METRICS.stuckMinutes / 5;
    const q = props.partitions.queue;
    const backlog = new cw.Alarm(this, 'PartitionsBacklog', {
      alarmDescription: `partitions queue non-empty for ${FLEET_METRICS.stuckMinutes} min`,
      metric: new cw.MathExpression({
        expression: 'v + nv',
        usingMetrics: {
          v: q.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }),
          nv: q.metricApproximateNumberOfMessagesNotVisible({ statistic: 'Maximum' }),
        },
        period: Duration.minutes(5),
        label: 'partitions outstanding',
      }),
      threshold: 0,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    const nothingCompleted = new cw.Alarm(this, 'NothingCompleted', {
      alarmDescription: `no ${FLEET_METRICS.partitionsCompleted} in any quarter for ${FLEET_METRICS.stuckMinutes} min`,
      metric: new cw.MathExpression({
        expression: `SELECT SUM(${FLEET_METRICS.partitionsCompleted}) FROM SCHEMA("${FLEET_METRICS.namespace}", ${FLEET_METRICS.dimension})`,
        usingMetrics: {},
        period: Duration.minutes(5),
        label: 'partitions completed',
      }),
      threshold: 0,
      comparisonOperator: cw.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: cw.TreatMissingData.BREACHING,
    });
    this.stuckQuarter = new cw.CompositeAlarm(this, 'StuckQuarter', {
      alarmDescription:
        `a quarter is stuck: partitions outstanding and nothing completed for ${FLEET_METRICS.stuckMinutes} min ` +
        '(check the firm service’s running tasks, its logs and the endpoint’s backlog)',
      alarmRule: cw.AlarmRule.allOf(backlog, nothingCompleted),
    });
    const notify = new cwActions.SnsAction(props.alerts);
    for (const alarm of [...this.dlqAlarms, this.stuckQuarter]) alarm.addAlarmAction(notify);

    this.dashboard.addWidgets(...queueWidgets);
    this.dashboard.addWidgets(...dlqWidgets);
    this.dashboard.addWidgets(tasks, endpoint);
    this.dashboard.addWidgets(...progress);
    this.dashboard.addWidgets(
      new cw.AlarmStatusWidget({
        title: 'alarms',
        alarms: [...this.dlqAlarms, this.stuckQuarter],
        width: 24,
      }),
    );
  }
}

/** A queue's depth (visible, in flight) and its oldest message's age, minute by minute. */
function queueWidget(title: string, queue: sqs.IQueue): cw.GraphWidget {
  return new cw.GraphWidget({
    title,
    left: [
      queue.metricApproximateNumberOfMessagesVisible({ period: MINUTE, label: 'visible' }),
      queue.metricApproximateNumberOfMessagesNotVisible({ period: MINUTE, label: 'in flight' }),
    ],
    right: [queue.metricApproximateAgeOfOldestMessage({ period: MINUTE, label: 'oldest (s)' })],
    width: 12,
  });
}
