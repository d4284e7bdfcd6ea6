/**
 * The Counters port on DynamoDB: one table, partition key `pk`, no sort key. Every write is a single
 * conditional PutItem/UpdateItem, so duplicates and races resolve in DynamoDB itself:
 * - `run#<runId>`: the plan (kind 'plan');
 * - `run#<runId>#<quarter>`: the quarter (kind 'quarter'): expected/firms, the `done` and `sent` number sets,
 *   doneCount, firm sums, `<flag>ClaimedAt` / `<flag>SentAt`, `quarterDoneSentAt` (themed), lastCompletedAt.
 * The table's schema is described in docs/DESIGN.md ("Counters table (DynamoDB)").
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type CompletionResult,
  type Counters,
  flagStates,
  QUARTER_FLAGS,
  type QuarterFlag,
  type QuarterState,
  quarterComplete,
  type RunPlan,
} from './counters.js';

/** The attribute that records a themed quarter (kept from when it was a flag, so existing tables read the same). */
const THEMED_ATTRIBUTE = 'quarterDoneSentAt';

export interface DynamoDbCountersOptions {
  client: DynamoDBClient;
  tableName: string;
  /** The clock for the `...At` attributes (tests). */
  now?: () => Date;
}

type Item = Record<string, AttributeValue>;

/** The key separator; ids containing it would let a run's plan key collide with another run's quarter key. */
const SEP = '#';

function checkId(what: string, value: string): void {
  if (value === '' || value.includes(SEP)) {
    throw new Error(
      `${what} ${JSON.stringify(value)} is not valid for the counters table (empty or contains "${SEP}")`,
    );
  }
}

export const planKey = (runId: string) => `run${SEP}${runId}`;
export const quarterKey = (runId: string, quarter: string) => `run${SEP}${runId}${SEP}${quarter}`;

const s = (v: string): AttributeValue => ({ S: v });
const n = (v: number): AttributeValue => ({ N: String(v) });
const ns = (v: number): AttributeValue => ({ NS: [String(v)] });

function isConditionFailed(err: unknown): err is ConditionalCheckFailedException {
  return (
    err instanceof ConditionalCheckFailedException ||
    (err instanceof Error && err.name === 'ConditionalCheckFailedException')
  );
}

function num(item: Item | undefined, name: string): number | null {
  const v = item?.[name]?.N;
  return v === undefined ? null : Number(v);
}

function numSet(item: Item | undefined, name: string): number[] {
  return (item?.[name]?.NS ?? []).map(Number).sort((a, b) => a - b);
}

function planFromItem(item: Item): RunPlan {
  const runId = item.runId?.S;
  const settingsHash = item.settingsHash?.S;
  const createdAt = item.createdAt?.S;
  const settings = item.settings?.S;
  if (
    runId === undefined ||
    settingsHash === undefined ||
    createdAt === undefined ||
    settings === undefined
  ) {
    throw new Error(
      `counters table: plan item ${item.pk?.S ?? '(no pk)'} lacks runId, settingsHash, settings or createdAt`,
    );
  }
  return {
    runId,
    quarters: (item.quarters?.L ?? []).map((q) => q.S ?? ''),
    settingsHash,
    settings: JSON.parse(settings) as Record<string, unknown>,
    createdAt,
  };
}

export class DynamoDbCounters implements Counters {
  private readonly client: DynamoDBClient;
  private readonly table: string;
  private readonly now: () => Date;

  constructor(options: DynamoDbCountersOptions) {
    this.client = options.client;
    this.table = options.tableName;
    this.now = options.now ?? (() => new Date());
  }

  async putPlan(plan: RunPlan): Promise<RunPlan> {
    checkId('run id', plan.runId);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            pk: s(planKey(plan.runId)),
            kind: s('plan'),
            runId: s(plan.runId),
            quarters: { L: plan.quarters.map(s) },
            settingsHash: s(plan.settingsHash),
            settings: s(JSON.stringify(plan.settings)),
            createdAt: s(plan.createdAt),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return plan;
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      const existing = await this.getPlan(plan.runId);
      if (!existing) throw new Error(`run ${plan.runId}: its plan exists yet cannot be read`);
      return existing;
    }
  }

  async getPlan(runId: string): Promise<RunPlan | null> {
    checkId('run id', runId);
    const item = await this.get(planKey(runId));
    return item ? planFromItem(item) : null;
  }

  async listRuns(): Promise<RunPlan[]> {
    const plans: RunPlan[] = [];
    let start: Item | undefined;
    do {
      const out = await this.client.send(
        new ScanCommand({
          TableName: this.table,
          FilterExpression: '#kind = :plan',
          ExpressionAttributeNames: { '#kind': 'kind' },
          ExpressionAttributeValues: { ':plan': s('plan') },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of out.Items ?? []) plans.push(planFromItem(item));
      start = out.LastEvaluatedKey;
    } while (start);
    // Newest first; equal times by run id, descending, so the order is total.
    return plans.sort((a, b) =>
      a.createdAt === b.createdAt ? b.runId.localeCompare(a.runId) : b.createdAt.localeCompare(a.createdAt),
    );
  }

  async setExpected(
    runId: string,
    quarter: string,
    expected: number,
    firms: number,
  ): Promise<{ expected: number; firms: number }> {
    try {
      const out = await this.update(runId, quarter, {
        UpdateExpression:
          'SET #expected = :expected, #firms = :firms, #kind = :kind, #runId = :runId, #quarter = :quarter',
        ConditionExpression: 'attribute_not_exists(#expected)',
        ExpressionAttributeNames: { '#expected': 'expected', '#firms': 'firms' },
        ExpressionAttributeValues: { ':expected': n(expected), ':firms': n(firms) },
      });
      return { expected: num(out, 'expected') ?? expected, firms: num(out, 'firms') ?? firms };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      const item = err.Item ?? (await this.get(quarterKey(runId, quarter)));
      const recorded = num(item, 'expected');
      if (recorded === null)
        throw new Error(`run ${runId} quarter ${quarter}: expected is recorded yet unreadable`);
      return { expected: recorded, firms: num(item, 'firms') ?? 0 };
    }
  }

  async markPartitionSent(runId: string, quarter: string, partition: number): Promise<void> {
    await this.update(runId, quarter, {
      UpdateExpression: 'ADD #sent :p SET #kind = :kind, #runId = :runId, #quarter = :quarter',
      ExpressionAttributeNames: { '#sent': 'sent' },
      ExpressionAttributeValues: { ':p': ns(partition) },
    });
  }

  async completePartition(
    runId: string,
    quarter: string,
    partition: number,
    firms: { ok: number; rejected: number },
  ): Promise<CompletionResult> {
    let item: Item | undefined;
    let newlyCompleted = true;
    try {
      item = await this.update(runId, quarter, {
        UpdateExpression:
          'ADD #done :p, #doneCount :one, #firmsOk :ok, #firmsRejected :rej ' +
          'SET #lastCompletedAt = :now, #kind = :kind, #runId = :runId, #quarter = :quarter',
        // The partition is added (and its firms counted) only the first time.
        ConditionExpression: 'attribute_not_exists(#done) OR NOT contains(#done, :pn)',
        ExpressionAttributeNames: {
          '#done': 'done',
          '#doneCount': 'doneCount',
          '#firmsOk': 'firmsOk',
          '#firmsRejected': 'firmsRejected',
          '#lastCompletedAt': 'lastCompletedAt',
        },
        ExpressionAttributeValues: {
          ':p': ns(partition),
          ':pn': n(partition),
          ':one': n(1),
          ':ok': n(firms.ok),
          ':rej': n(firms.rejected),
          ':now': s(this.now().toISOString()),
        },
      });
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      newlyCompleted = false;
      item = err.Item ?? (await this.get(quarterKey(runId, quarter)));
    }
    const done = num(item, 'doneCount') ?? 0;
    const expected = num(item, 'expected');
    return { newlyCompleted, done, expected, quarterComplete: quarterComplete({ expected, done }) };
  }

  async claim(runId: string, quarter: string, flag: QuarterFlag, owner: string): Promise<boolean> {
    try {
      // The winner's own redelivery claims again (same owner) and keeps the first time.
      await this.update(runId, quarter, {
        UpdateExpression:
          'SET #claimed = if_not_exists(#claimed, :now), #by = :owner, #kind = :kind, #runId = :runId, #quarter = :quarter',
        ConditionExpression: 'attribute_not_exists(#claimed) OR #by = :owner',
        ExpressionAttributeNames: {
          '#claimed': `${flagName(flag)}ClaimedAt`,
          '#by': `${flagName(flag)}ClaimedBy`,
        },
        ExpressionAttributeValues: { ':now': s(this.now().toISOString()), ':owner': s(owner) },
      });
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  async markSent(runId: string, quarter: string, flag: QuarterFlag): Promise<void> {
    await this.markOnce(runId, quarter, `${flagName(flag)}SentAt`);
  }

  async markThemed(runId: string, quarter: string): Promise<void> {
    await this.markOnce(runId, quarter, THEMED_ATTRIBUTE);
  }

  /** Sets a time attribute once: if_not_exists keeps the first time on a second mark. */
  private async markOnce(runId: string, quarter: string, attribute: string): Promise<void> {
    await this.update(runId, quarter, {
      UpdateExpression:
        'SET #at = if_not_exists(#at, :now), #kind = :kind, #runId = :runId, #quarter = :quarter',
      ExpressionAttributeNames: { '#at': attribute },
      ExpressionAttributeValues: { ':now': s(this.now().toISOString()) },
    });
  }

  async quarterState(runId: string, quarter: string): Promise<QuarterState> {
    checkId('run id', runId);
    checkId('quarter', quarter);
    const item = await this.get(quarterKey(runId, quarter));
    const flags = flagStates((flag) => ({
      claimed: item?.[`${flag}ClaimedAt`] !== undefined,
      sent: item?.[`${flag}SentAt`] !== undefined,
    }));
    return {
      quarter,
      expected: num(item, 'expected'),
      firms: num(item, 'firms'),
      done: numSet(item, 'done'),
      sent: numSet(item, 'sent'),
      firmsOk: num(item, 'firmsOk') ?? 0,
      firmsRejected: num(item, 'firmsRejected') ?? 0,
      flags,
      themed: item?.[THEMED_ATTRIBUTE] !== undefined,
      lastCompletedAt: item?.lastCompletedAt?.S ?? null,
    };
  }

  private async get(pk: string): Promise<Item | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: { pk: s(pk) }, ConsistentRead: true }),
    );
    return out.Item;
  }

  /**
   * One UpdateItem on the quarter's item; the expression also sets kind/runId/quarter (named #kind, #runId,
   * #quarter) so the item is self-describing whichever write creates it. Returns the item after the update.
   */
  private async update(
    runId: string,
    quarter: string,
    expr: {
      UpdateExpression: string;
      ConditionExpression?: string;
      ExpressionAttributeNames: Record<string, string>;
      ExpressionAttributeValues: Item;
    },
  ): Promise<Item | undefined> {
    checkId('run id', runId);
    checkId('quarter', quarter);
    const out = await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { pk: s(quarterKey(runId, quarter)) },
        UpdateExpression: expr.UpdateExpression,
        ...(expr.ConditionExpression ? { ConditionExpression: expr.ConditionExpression } : {}),
        ExpressionAttributeNames: {
          ...expr.ExpressionAttributeNames,
          '#kind': 'kind',
          '#runId': 'runId',
          '#quarter': 'quarter',
        },
        ExpressionAttributeValues: {
          ...expr.ExpressionAttributeValues,
          ':kind': s('quarter'),
          ':runId': s(runId),
          ':quarter': s(quarter),
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return out.Attributes;
  }
}

function flagName(flag: QuarterFlag): QuarterFlag {
  if (!QUARTER_FLAGS.includes(flag)) throw new Error(`unknown quarter flag ${JSON.stringify(flag)}`);
  return flag;
}
