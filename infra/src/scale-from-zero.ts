/**
 * The step policy that leaves zero capacity, for the endpoint and the worker services alike: target tracking
 * never scales out from zero, so a 0/1 metric ("work waiting, nothing running") adds one unit when it is 1 and
 * target tracking takes over from there.
 */
import {
  aws_applicationautoscaling as appscaling,
  type aws_cloudwatch as cw,
  type Duration,
} from 'aws-cdk-lib';

export function scaleOutFromZero(
  target: appscaling.ScalableTarget,
  metric: cw.IMetric,
  cooldown: Duration,
): void {
  target.scaleOnMetric('FromZero', {
    metric,
    adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
    scalingSteps: [
      { upper: 0, change: 0 },
      { lower: 1, change: 1 },
    ],
    evaluationPeriods: 1,
    cooldown,
  });
}
