/**
 * Where the fleet's alarms go: one SNS topic encrypted with a customer-managed KMS key (rotated yearly), and an
 * email subscription when the deploy-time parameter `AlertEmail` is given (`cdk deploy --parameters
 * AlertEmail=me@example.org`; the address confirms by the link SNS mails it). CloudWatch may use the key to
 * publish; the endpoint's notification topics share it.
 */
import {
  CfnCondition,
  CfnParameter,
  Fn,
  aws_iam as iam,
  aws_kms as kms,
  RemovalPolicy,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

export const ALERT_EMAIL_PARAMETER = 'AlertEmail';

export class FleetAlerts extends Construct {
  readonly key: kms.Key;
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'callthemes: encrypts the alerts and inference notification topics',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch publishes alarm notifications as itself, so the key policy (not a role) must let it encrypt.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'callthemes alerts',
      masterKey: this.key,
      enforceSSL: true,
    });

    // Optional e-mail subscription: an empty parameter (the default) subscribes no one.
    const email = new CfnParameter(scope, ALERT_EMAIL_PARAMETER, {
      type: 'String',
      default: '',
      description: 'E-mail address that receives the fleet alarms (empty: none; subscribe later in SNS)',
      allowedPattern: '^$|^[^@\\s]+@[^@\\s]+$',
    });
    const hasEmail = new CfnCondition(this, 'HasEmail', {
      expression: Fn.conditionNot(Fn.conditionEquals(email.valueAsString, '')),
    });
    const subscription = new sns.CfnSubscription(this, 'Email', {
      topicArn: this.topic.topicArn,
      protocol: 'email',
      endpoint: email.valueAsString,
    });
    subscription.cfnOptions.condition = hasEmail;
  }
}
