/**
 * The lake's data model as an entity diagram, generated from the table definitions in src/lake/schema.ts:
 * primary keys, the partition column, and foreign keys found by name (`firm_id` → firms, `from_theme_id` →
 * themes, `representative_sentence_ids` → sentences).
 */
import { TABLES, type TableDef, type TableName } from '@callthemes/common/lake';
import { partitionMessageSchema, themeMessageSchema } from '@callthemes/common/messages';
import type { FleetShape } from './fleet.js';
import { alias, type Diagram, document } from './puml.js';

/** A zod object's fields as `name : type` (the schema's own kinds: string, number, array, literal …). */
export function messageFields(schema: { shape: Record<string, unknown> }): string[] {
  return Object.entries(schema.shape).map(([k, v]) => {
    const def = (v as { _zod?: { def?: { type?: string; values?: unknown[] } } })._zod?.def;
    const type = def?.type === 'literal' ? `= ${JSON.stringify(def.values?.[0])}` : (def?.type ?? '?');
    return `${k} : ${type}`;
  });
}

export interface ForeignKey {
  from: TableName;
  column: string;
  to: TableName;
  /** The column is a list of ids (one row refers to many). */
  many: boolean;
  nullable: boolean;
  /** The column is the table's whole primary key: at most one row per referenced row. */
  oneToOne: boolean;
}

/** Tables that own an id: `topics` owns `topic_id` (its first key column, named for the table). */
function idOwners(tables: readonly TableDef[]): Map<string, TableName> {
  const owners = new Map<string, TableName>();
  for (const t of tables) {
    const first = t.primaryKey[0];
    if (first && `${first.replace(/_id$/, '')}s` === t.name) owners.set(first, t.name);
  }
  return owners;
}

export function foreignKeys(tables: readonly TableDef[] = Object.values(TABLES)): ForeignKey[] {
  const owners = idOwners(tables);
  const out: ForeignKey[] = [];
  for (const t of tables) {
    for (const c of t.columns) {
      const many = c.type === 'list<string>' && c.name.endsWith('_ids');
      const idName = many ? c.name.slice(0, -1) : c.name;
      const owner = [...owners.entries()].find(([id]) => idName === id || idName.endsWith(`_${id}`));
      if (!owner || owner[1] === t.name) continue;
      out.push({
        from: t.name,
        column: c.name,
        to: owner[1],
        many,
        nullable: c.nullable,
        oneToOne: t.primaryKey.length === 1 && t.primaryKey[0] === c.name,
      });
    }
  }
  return out;
}

export function entityDiagram(
  tables: readonly TableDef[] = Object.values(TABLES),
  fleet?: FleetShape,
): Diagram {
  const body: string[] = ['hide circle', 'skinparam linetype ortho', 'skinparam shadowing false'];
  const fks = foreignKeys(tables);
  for (const t of tables) {
    body.push(`entity "${t.name}" as ${alias(t.name)} {`);
    const keyCols = [...t.primaryKey];
    const partitionInKey = keyCols.includes(t.partitionKey);
    for (const k of keyCols) {
      const col = t.columns.find((c) => c.name === k);
      const type = col?.type ?? 'string';
      const tags = [k === t.partitionKey ? 'PK, partition' : 'PK'];
      if (fks.some((f) => f.from === t.name && f.column === k)) tags.push('FK');
      body.push(`  * ${k} : ${type} <<${tags.join(', ')}>>`);
    }
    if (!partitionInKey) body.push(`  * ${t.partitionKey} : string <<partition>>`);
    body.push('  --');
    for (const c of t.columns) {
      if (keyCols.includes(c.name)) continue;
      const fk = fks.find((f) => f.from === t.name && f.column === c.name);
      body.push(`  ${c.nullable ? '' : '* '}${c.name} : ${c.type}${fk ? ' <<FK>>' : ''}`);
    }
    body.push('}');
  }
  for (const f of fks) {
    // Crow's foot: many child rows (or a list of ids) per parent; `|o` when the key is the child's whole key.
    const childEnd = f.oneToOne ? '|o' : '}o';
    const parentEnd = f.nullable ? 'o|' : '||';
    body.push(`${alias(f.from)} ${childEnd}--${parentEnd} ${alias(f.to)} : ${f.column}`);
  }
  body.push(
    'note as partitioning',
    '  Every table is partitioned by quarter',
    '  (Hive folders quarter=YYYYQn, Parquet parts',
    '  named by batch); ids embed the quarter.',
    'end note',
  );
  // The fleet's own records: the queue messages (from their zod schemas) and the counters' items.
  body.push('package "fleet messages and counters" {');
  for (const [name, schema] of [
    ['partition message', partitionMessageSchema],
    ['theme message', themeMessageSchema],
  ] as const) {
    body.push(`  entity "${name}" as ${alias(name)} {`);
    for (const f of messageFields(schema)) body.push(`    ${f}`);
    body.push('  }');
  }
  const key = fleet?.table?.key.join(', ') ?? 'pk (partition)';
  body.push('  entity "counters item" as counters_item {');
  body.push(`    * ${key}`);
  body.push('    --');
  body.push('    run#‹id›: the plan (ordered quarters, source, settings hash)');
  body.push('    run#‹id›#‹quarter›: expected, done partitions, flags');
  body.push('  }');
  body.push('}');
  body.push('partition_message }o--|| counters_item : runId + quarter');
  body.push('theme_message |o--|| counters_item : runId + quarter');
  return {
    name: 'data-model',
    title: 'callthemes lake: tables, keys and references',
    source: document('callthemes lake: tables, keys and references', body),
    mentions: [...tables.map((t) => t.name), 'partition message', 'counters item'],
  };
}
