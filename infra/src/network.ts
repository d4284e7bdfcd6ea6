/**
 * A VPC with public subnets only: no NAT gateway ($33 a month idle). Tasks get public IPs behind security
 * groups with no inbound rule; S3 and DynamoDB through free gateway endpoints; rejected flows logged to S3.
 */
import { aws_ec2 as ec2, type aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FLOW_LOGS_PREFIX } from './lake.js';

export interface NetworkProps {
  maxAzs: number;
  flowLogsBucket: s3.IBucket;
}

export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly workerSg: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: props.maxAzs,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20 }],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
      flowLogs: {
        toS3: {
          destination: ec2.FlowLogDestination.toS3(props.flowLogsBucket, `${FLOW_LOGS_PREFIX}/`),
          trafficType: ec2.FlowLogTrafficType.REJECT,
        },
      },
    });
    this.workerSg = new ec2.SecurityGroup(this, 'WorkerSg', {
      vpc: this.vpc,
      allowAllOutbound: true,
      description: 'fleet workers: no inbound; outbound to SQS, DynamoDB, S3, SageMaker and the source',
    });
  }
}
