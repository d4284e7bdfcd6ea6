/**
 * The lake bucket: Parquet lake under `lake/`, transcripts under `input/`, Athena results, and SageMaker async
 * requests/responses/failures under `inference/` (expired: they are scratch, the lake keeps what matters);
 * access logs in a second bucket.
 */
import { FLEET_NAMES } from '@callthemes/common/config';
import { Duration, RemovalPolicy, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export const FLOW_LOGS_PREFIX = 'vpc-flow-logs';

export class LakeBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'lake-bucket/',
      lifecycleRules: [
        // A spot task killed mid-upload cannot abort its multipart upload; S3 expires the parts.
        { id: 'abort-incomplete-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // Async inference payloads are read once by the worker that wrote them; failures kept longer to debug.
        {
          id: 'expire-inference-requests',
          prefix: FLEET_NAMES.inferenceRequests,
          expiration: Duration.days(2),
        },
        {
          id: 'expire-inference-responses',
          prefix: FLEET_NAMES.inferenceResponses,
          expiration: Duration.days(2),
        },
        {
          id: 'expire-inference-failures',
          prefix: FLEET_NAMES.inferenceFailures,
          expiration: Duration.days(14),
        },
        {
          id: 'expire-athena-results',
          prefix: `${FLEET_NAMES.athenaPrefix}/`,
          expiration: Duration.days(30),
        },
        { id: 'expire-flow-logs', prefix: `${FLOW_LOGS_PREFIX}/`, expiration: Duration.days(30) },
        {
          id: 'lake-intelligent-tiering',
          prefix: `${FLEET_NAMES.lakePrefix}/`,
          transitions: [
            { storageClass: s3.StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(30) },
          ],
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
