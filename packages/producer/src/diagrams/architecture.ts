/**
 * The AWS architecture from a synthesized template: resources grouped by service, many of a kind folded into
 * one node, and two kinds of arrows — a property that references another resource, and an IAM grant from a
 * role's policy (dashed).
 */

import { type CfnResource, type CfnTemplate, friendlyId, referencesIn } from './cfn.js';
import { alias, type Diagram, document, label, quoted } from './puml.js';

const SERVICES: [RegExp, string][] = [
  [/^AWS::SQS::/, 'Amazon SQS'],
  [/^AWS::DynamoDB::/, 'Amazon DynamoDB'],
  [/^AWS::SageMaker::/, 'Amazon SageMaker'],
  [/^AWS::ApplicationAutoScaling::/, 'Application Auto Scaling'],
  [/^AWS::CloudWatch::/, 'Amazon CloudWatch'],
  [/^AWS::ECS::/, 'Amazon ECS (Fargate)'],
  [/^AWS::AutoScaling::/, 'EC2 Auto Scaling'],
  [/^AWS::S3::/, 'Amazon S3'],
  [/^AWS::Glue::/, 'AWS Glue'],
  [/^AWS::Athena::/, 'Amazon Athena'],
  [/^AWS::ServiceDiscovery::/, 'AWS Cloud Map'],
  [/^AWS::ElasticLoadBalancingV2::/, 'Elastic Load Balancing'],
  [/^AWS::EC2::/, 'Amazon VPC / EC2'],
  [/^AWS::Logs::/, 'CloudWatch Logs'],
  [/^AWS::SecretsManager::/, 'Secrets Manager'],
  [/^AWS::ECR::/, 'Amazon ECR'],
  [/^AWS::Events::/, 'EventBridge'],
  [/^AWS::SNS::/, 'Amazon SNS'],
  [/^AWS::Lambda::/, 'AWS Lambda'],
];

/** Plumbing that would crowd the picture without telling a reader anything about the system. */
const HIDDEN = [
  /^AWS::IAM::/,
  /^AWS::CDK::Metadata$/,
  /^Custom::/,
  /^AWS::CloudFormation::/,
  /^AWS::SSM::Parameter$/,
  /^AWS::S3::BucketPolicy$/,
  /^AWS::SQS::QueuePolicy$/,
  /^AWS::SNS::TopicPolicy$/,
  /^AWS::EC2::(Route|RouteTable|SubnetRouteTableAssociation|VPCGatewayAttachment|InternetGateway|EIP|SecurityGroupIngress|SecurityGroupEgress|NetworkAcl.*)$/,
  // Network internals: every compute resource references them; the VPC and its endpoints stay.
  /^AWS::EC2::(SecurityGroup|Subnet|FlowLog|LaunchTemplate)$/,
  /^AWS::AutoScaling::LaunchConfiguration$/,
  /^AWS::ServiceDiscovery::Service$/,
  /^AWS::ECS::ClusterCapacityProviderAssociations$/,
  /^AWS::Lambda::Permission$/,
];

function serviceOf(type: string): string {
  return SERVICES.find(([re]) => re.test(type))?.[1] ?? type.split('::')[1] ?? type;
}

function shape(type: string): string {
  if (/::(Bucket|Database)$/.test(type)) return 'database';
  if (/::(Queue|Topic)$/.test(type)) return 'queue';
  if (/::(GlobalTable|Table)$/.test(type)) return 'database';
  if (/::(Cluster|Endpoint)$/.test(type)) return 'node';
  if (/::Service$/.test(type)) return 'component';
  return 'rectangle';
}

/** A nested property, or undefined: `dig(p, 'ComputeResources', 'InstanceTypes')`. */
function dig(v: unknown, ...path: (string | number)[]): unknown {
  let cur = v;
  for (const k of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/** A one-line summary of the properties a reader of the architecture cares about. */
function summary(res: CfnResource): string {
  const p = res.Properties ?? {};
  const bits: string[] = [];
  const command = dig(p, 'ContainerDefinitions', 0, 'Command');
  if (Array.isArray(command))
    bits.push(`cmd: ${command.filter((x: unknown) => typeof x === 'string').join(' ')}`);
  const stop = dig(p, 'ContainerDefinitions', 0, 'StopTimeout');
  if (typeof stop === 'number') bits.push(`stop ${stop} s`);
  const redrive = dig(p, 'RedrivePolicy', 'maxReceiveCount');
  if (typeof redrive === 'number') bits.push(`DLQ after ${redrive} receives`);
  const vis = dig(p, 'VisibilityTimeout');
  if (typeof vis === 'number') bits.push(`visibility ${vis} s`);
  const keys = dig(p, 'KeySchema');
  if (Array.isArray(keys)) bits.push(`key ${keys.map((k) => dig(k, 'AttributeName')).join(', ')}`);
  const billing = dig(p, 'BillingMode');
  if (typeof billing === 'string') bits.push(billing.toLowerCase().replace(/_/g, ' '));
  const strategy = dig(p, 'CapacityProviderStrategy');
  if (Array.isArray(strategy)) bits.push(strategy.map((x) => dig(x, 'CapacityProvider')).join(' + '));
  const variant = dig(p, 'ProductionVariants', 0);
  if (variant) {
    const pools = dig(variant, 'InstancePools');
    bits.push(
      Array.isArray(pools)
        ? pools.map((x) => dig(x, 'InstanceType')).join(' | ')
        : String(dig(variant, 'InstanceType') ?? ''),
    );
  }
  if (dig(p, 'AsyncInferenceConfig')) bits.push('async');
  const scalable = dig(p, 'ScalableDimension');
  if (typeof scalable === 'string') bits.push(`${dig(p, 'MinCapacity')}..${dig(p, 'MaxCapacity')}`);
  const desired = dig(p, 'DesiredCount');
  if (typeof desired === 'number') bits.push(`desired ${desired}`);
  const cutoff = dig(p, 'WorkGroupConfiguration', 'BytesScannedCutoffPerQuery');
  if (typeof cutoff === 'number') bits.push(`scan limit ${Math.round(cutoff / 1e9)} GB/query`);
  if (dig(p, 'BucketEncryption')) bits.push('encrypted');
  if (dig(p, 'PublicAccessBlockConfiguration', 'BlockPublicAcls')) bits.push('public access blocked');
  const svc = dig(p, 'ServiceName');
  if (typeof svc === 'string') bits.push(`endpoint ${svc.split('.').pop()}`);
  else if (svc && typeof svc === 'object')
    bits.push(`${String(dig(p, 'VpcEndpointType') ?? 'gateway').toLowerCase()} endpoint`);
  return bits.join(', ');
}

/** Items joined with commas, `per` to a line. */
function chunk(items: string[], per: number): string[] {
  const lines: string[] = [];
  for (let k = 0; k < items.length; k += per) lines.push(items.slice(k, k + per).join(', '));
  return lines;
}

interface Node {
  key: string;
  service: string;
  type: string;
  ids: string[];
  label: string;
}

/** Folds more than `fold` resources of one type into one node listing their names. */
function nodes(t: CfnTemplate, fold: number): { nodes: Node[]; nodeOf: Map<string, Node> } {
  const byType = new Map<string, string[]>();
  for (const [id, res] of Object.entries(t.Resources)) {
    if (HIDDEN.some((re) => re.test(res.Type))) continue;
    byType.set(res.Type, [...(byType.get(res.Type) ?? []), id]);
  }
  const out: Node[] = [];
  const nodeOf = new Map<string, Node>();
  for (const [type, ids] of byType) {
    const short = type.split('::').slice(2).join('::');
    const groups = ids.length > fold ? [ids] : ids.map((id) => [id]);
    for (const g of groups) {
      const first = t.Resources[g[0]];
      const name = (id: string): string => {
        const p = t.Resources[id].Properties ?? {};
        const n = dig(p, 'TableInput', 'Name') ?? dig(p, 'Name') ?? dig(p, 'ServiceName');
        return typeof n === 'string' ? n : friendlyId(id);
      };
      const text =
        g.length > 1
          ? `${short} ×${g.length}\n${chunk(g.map(name), 4).join('\n')}`
          : [friendlyId(g[0]), short, summary(first)].filter(Boolean).join('\n');
      const node: Node = { key: `n_${alias(g[0])}`, service: serviceOf(type), type, ids: g, label: text };
      out.push(node);
      for (const id of g) nodeOf.set(id, node);
    }
  }
  return { nodes: out, nodeOf };
}

interface Edge {
  from: string;
  to: string;
  text: string;
  dashed: boolean;
}

export function architectureDiagram(t: CfnTemplate, opts: { fold?: number; title?: string } = {}): Diagram {
  const ids = new Set(Object.keys(t.Resources));
  const { nodes: all, nodeOf } = nodes(t, opts.fold ?? 4);
  const edges = new Map<string, Edge>();
  const add = (from: Node | undefined, to: Node | undefined, text: string, dashed = false) => {
    if (!from || !to || from === to) return;
    const key = `${from.key}->${to.key}`;
    if (!edges.has(key) || (edges.get(key)!.dashed && !dashed))
      edges.set(key, { from: from.key, to: to.key, text, dashed });
  };
  // Property references between drawn resources.
  for (const [id, res] of Object.entries(t.Resources)) {
    const from = nodeOf.get(id);
    if (!from) continue;
    for (const [prop, value] of Object.entries(res.Properties ?? {})) {
      for (const ref of referencesIn(value, ids)) add(from, nodeOf.get(ref), prop);
    }
  }
  // IAM grants: a resource uses a role; the role's policies name other resources.
  const roleUsers = new Map<string, Node[]>();
  for (const [id, res] of Object.entries(t.Resources)) {
    const user = nodeOf.get(id);
    if (!user) continue;
    for (const ref of referencesIn(res.Properties ?? {}, ids)) {
      if (t.Resources[ref].Type === 'AWS::IAM::Role')
        roleUsers.set(ref, [...(roleUsers.get(ref) ?? []), user]);
    }
  }
  // Roles reached through an instance profile.
  for (const [id, res] of Object.entries(t.Resources)) {
    if (res.Type !== 'AWS::IAM::InstanceProfile') continue;
    const profileUsers = Object.entries(t.Resources)
      .filter(([, r]) => referencesIn(r.Properties ?? {}, new Set([id])).size > 0)
      .map(([uid]) => nodeOf.get(uid))
      .filter((n): n is Node => Boolean(n));
    for (const role of referencesIn(res.Properties ?? {}, ids))
      roleUsers.set(role, [...(roleUsers.get(role) ?? []), ...profileUsers]);
  }
  for (const res of Object.values(t.Resources)) {
    if (res.Type !== 'AWS::IAM::Policy') continue;
    const roles = [...referencesIn(dig(res.Properties, 'Roles') ?? [], ids)];
    const granted = referencesIn(dig(res.Properties, 'PolicyDocument') ?? {}, ids);
    for (const role of roles)
      for (const user of roleUsers.get(role) ?? [])
        for (const g of granted) add(user, nodeOf.get(g), 'IAM', true);
  }
  const body: string[] = [
    'skinparam shadowing false',
    'skinparam defaultTextAlignment center',
    'left to right direction',
  ];
  const services = [...new Set(all.map((n) => n.service))];
  for (const svc of services) {
    body.push(`package ${quoted(svc)} {`);
    for (const n of all.filter((x) => x.service === svc))
      body.push(`  ${shape(n.type)} ${quoted(n.label)} as ${n.key}`);
    body.push('}');
  }
  for (const e of edges.values())
    body.push(`${e.from} ${e.dashed ? '..>' : '-->'} ${e.to} : ${label(e.text)}`);
  const hidden = Object.values(t.Resources).filter((r) => HIDDEN.some((re) => re.test(r.Type))).length;
  body.push(
    'legend right',
    `  ${label(`${Object.keys(t.Resources).length} resources; ${hidden} plumbing resources (IAM, network internals, custom resources) not drawn`)}`,
    '  solid: property reference; dashed: IAM grant',
    'endlegend',
  );
  const title = opts.title ?? 'callthemes on AWS: architecture from the synthesized template';
  return {
    name: 'aws-architecture',
    title,
    source: document(title, body),
    mentions: services,
  };
}
