/**
 * The counters table of the fleet's DynamoDB adapter (docs/DESIGN.md): one partition key `pk`
 * (`run#<id>` for the plan, `run#<id>#<quarter>` per quarter), no sort key; on demand, point-in-time recovery.
 */
import { aws_dynamodb as dynamodb, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export const COUNTERS_KEY = { name: 'pk', type: dynamodb.AttributeType.STRING } as const;

export class CountersTable extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: COUNTERS_KEY,
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
