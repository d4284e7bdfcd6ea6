/**
 * The lake's data model as an entity diagram, generated from the table definitions in src/lake/schema.ts:
 * primary keys, the partition column, and foreign keys found by name (`firm_id` → firms, `from_theme_id` →
 * themes, `representative_sentence_ids` → sentences).
 */
import { TABLES, type TableDef, type TableName } from '@callthemes/common/lake';
import { alias, type Diagram, document } from './puml.js';

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

export function entityDiagram(tables: readonly TableDef[] = Object.values(TABLES)): Diagram {
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
  return {
    name: 'data-model',
    title: 'callthemes lake: tables, keys and references',
    source: document('callthemes lake: tables, keys and references', body),
    mentions: tables.map((t) => t.name),
  };
}
