/**
 * A **stand-in** for the Service Quotas API on 127.0.0.1 (moto's knows too little of SageMaker's quotas): the two
 * calls `doctor` makes, in the API's JSON 1.1 protocol as the SDK sends them — `ListAWSDefaultServiceQuotas`
 * (SageMaker's defaults, paged by NextToken) and `GetServiceQuota` (the account's applied value, or
 * `NoSuchResourceException` when the account never had one). Point the SDK at it with
 * AWS_ENDPOINT_URL_SERVICE_QUOTAS.
 */
import { createServer } from 'node:http';
import { listenOnLoopback } from '@callthemes/common/testing';

export interface QuotaEntry {
  name: string;
  code: string;
  defaultValue: number;
  /** The account's value; absent = never changed (GetServiceQuota answers NoSuchResourceException). */
  applied?: number;
}

export interface ServiceQuotasStandIn {
  url: string;
  quotas: QuotaEntry[];
  /** Targets called, in order (e.g. `GetServiceQuota`). */
  calls: string[];
  stop(): Promise<void>;
}

export async function startServiceQuotasStandIn(
  quotas: QuotaEntry[],
  pageSize = 2,
): Promise<ServiceQuotasStandIn> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const target =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      calls.push(target);
      const input = body ? (JSON.parse(body) as Record<string, string | undefined>) : {};
      const reply = (status: number, obj: unknown) =>
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(obj));
      const quota = (q: QuotaEntry, value: number) => ({
        ServiceCode: 'sagemaker',
        ServiceName: 'Amazon SageMaker',
        QuotaCode: q.code,
        QuotaName: q.name,
        QuotaArn: `arn:aws:servicequotas:us-east-1::sagemaker/${q.code}`,
        Value: value,
        Unit: 'None',
        Adjustable: true,
        GlobalQuota: false,
      });
      if (input.ServiceCode !== 'sagemaker')
        return reply(400, {
          __type: 'NoSuchResourceException',
          message: `service ${input.ServiceCode}: not in this stand-in`,
        });
      if (target === 'ListAWSDefaultServiceQuotas') {
        const start = Number(input.NextToken ?? 0);
        const page = quotas.slice(start, start + pageSize).map((q) => quota(q, q.defaultValue));
        return reply(200, {
          Quotas: page,
          ...(start + pageSize < quotas.length ? { NextToken: String(start + pageSize) } : {}),
        });
      }
      if (target === 'GetServiceQuota') {
        const q = quotas.find((x) => x.code === input.QuotaCode);
        if (!q || q.applied === undefined)
          return reply(400, {
            __type: 'NoSuchResourceException',
            message: `no applied quota ${input.QuotaCode}`,
          });
        return reply(200, { Quota: quota(q, q.applied) });
      }
      return reply(400, { __type: 'UnknownOperationException', message: target });
    });
  });
  const { url, close } = await listenOnLoopback(server);
  return { url, quotas, calls, stop: close };
}
