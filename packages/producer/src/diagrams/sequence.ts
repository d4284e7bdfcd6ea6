/**
 * One quarter as a sequence diagram: the producer enqueues partitions, firm workers consume them and call the
 * inference endpoint, the counters detect the quarter's completion and one winner sends the theme message, the
 * theme worker enqueues the next quarter. Labels come from the synthesized template (queues, table key, services,
 * endpoint) when one is given, else from the local adapters.
 */
import type { FleetShape } from './fleet.js';
import { type Diagram, document, label, quoted } from './puml.js';
import type { SystemFacts } from './system.js';

export function sequenceDiagram(f: SystemFacts, fleet?: FleetShape): Diagram {
  const s = f.settings;
  const program = (command: string) => f.programs.find((x) => x.command === command)!;
  const [producer, firm, theme] = ['producer enqueue', 'firm-worker', 'theme-worker'].map(program);
  const q = (name: string) => fleet?.queues.find((x) => x.name === name);
  const svc = (queue: string) => fleet?.services.find((x) => x.queue === queue);
  const partitions = q('partitions');
  const themes = q('themes');
  const firmSvc = svc('partitions');
  const themeSvc = svc('themes');
  const queueText = (name: string, x = q(name)) =>
    x
      ? `${name} queue (SQS)\nvisibility ${x.visibilitySeconds} s, DLQ after ${x.maxReceiveCount}`
      : `${name} queue\n(SQLite, DLQ after 3)`;
  const workerText = (p: typeof firm, x = p.consumes ? svc(p.consumes) : undefined) =>
    `${p.name}${p.inThisBuild ? '' : ' (not in this build)'}\n${
      x
        ? `${x.name}: ${x.minTasks}..${x.maxTasks} tasks, ${x.capacity.join(' + ') || 'FARGATE'}`
        : 'local process'
    }`;
  const ep = fleet?.endpoint;
  const inference = ep
    ? `SageMaker async\n${ep.name}, ${ep.instanceTypes.join(' | ')}, ${ep.minInstances}..${ep.maxInstances}`
    : `inference\nembed: ${s.embedder}\nname: ${s.llm}\nclassify: ${s.classifier}`;
  const counters = fleet?.table
    ? `counters (DynamoDB)\n${fleet.table.key.join(', ')}`
    : 'counters\n(SQLite, same semantics)';
  const lake = fleet?.bucket ? `lake\nS3 ${fleet.bucket}/lake` : `lake\n${s.lake}`;
  const body: string[] = ['skinparam shadowing false', 'autonumber'];
  body.push('actor Researcher');
  body.push(`participant ${quoted(`${producer.name}\npnpm ${producer.command}`)} as prod`);
  body.push(`queue ${quoted(queueText('partitions', partitions))} as pq`);
  body.push(`participant ${quoted(workerText(firm, firmSvc))} as fw`);
  body.push(`participant ${quoted(inference)} as inf`);
  body.push(`database ${quoted(counters)} as cnt`);
  body.push(`database ${quoted(lake)} as lake`);
  body.push(`queue ${quoted(queueText('themes', themes))} as tq`);
  body.push(`participant ${quoted(workerText(theme, themeSvc))} as tw`);
  body.push(`Researcher -> prod : ${label('pnpm producer enqueue --quarters Q1..Qn')}`);
  body.push('prod -> cnt : plan (ordered quarters, source, settings hash)');
  body.push(`prod -> prod : ${label(`list Q1's firms, partitions of ${s.partitionSize}`)}`);
  body.push('prod -> cnt : expected = number of partitions');
  body.push('prod -> pq : one message per partition (idempotent)');
  if (firmSvc) body.push(`prod -> fw : ${label(`raise ${firmSvc.name}'s desired count (SQS metrics lag)`)}`);
  body.push('== one quarter Q ==');
  body.push(`par ${firmSvc ? `up to ${firmSvc.maxTasks} tasks` : 'K worker processes'}`);
  body.push('  pq -> fw : receive a partition (heartbeat keeps it invisible)');
  body.push('  loop each firm of the partition');
  body.push('    fw -> fw : fetch, sentences, topics');
  body.push(
    `    fw -> inf : ${label(ep ? 'embed, name, classify (request in S3, InvokeEndpointAsync)' : 'embed, name, classify')}`,
  );
  body.push('    inf --> fw : result');
  body.push('  end');
  body.push(`  fw -> lake : ${label(`${firm.writes.join(', ')} parts, manifest last`)}`);
  body.push('  fw -> cnt : completePartition(run, Q, p) (idempotent)');
  body.push('  alt the quarter is complete and themeEnqueued was unset');
  body.push('    fw -> cnt : claim themeEnqueued');
  body.push('    fw -> tq : the quarter’s theme message');
  body.push('  end');
  body.push('  fw -> pq : delete the message');
  body.push('end');
  body.push('tq -> tw : receive the theme message');
  body.push(`tw -> lake : ${label(`read ${theme.reads.join(', ')}`)}`);
  body.push('tw -> inf : name themes');
  body.push(`tw -> lake : ${label(theme.writes.join(', '))}`);
  body.push('tw -> cnt : completeQuarter; claim nextEnqueued');
  body.push('== next quarter Q+1 ==');
  body.push('tw -> pq : the next quarter’s partitions (each recorded as sent)');
  if (firmSvc) body.push(`tw -> fw : ${label(`raise ${firmSvc.name}'s desired count`)}`);
  body.push(
    `note over pq, tw : ${label(`after ${partitions?.maxReceiveCount ?? 3} failed receives a message moves to its DLQ; pnpm producer redrive moves it back`)}`,
  );
  body.push('Researcher -> cnt : pnpm producer status (partitions done/expected, queue and DLQ depths)');
  const notBuilt = f.programs.filter((x) => !x.inThisBuild).map((x) => x.command);
  if (notBuilt.length > 0)
    body.push(`note over fw : ${label(`not in this build yet: ${notBuilt.join(', ')}`)}`);
  const title = `One quarter${fleet ? ' on AWS (SQS fleet)' : ' (local fleet)'}`;
  return {
    name: 'quarter-sequence',
    title,
    source: document(title, body),
    mentions: ['producer', 'firm worker', 'theme worker', 'partitions queue', 'themes queue', 'next quarter'],
  };
}
