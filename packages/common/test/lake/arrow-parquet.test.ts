import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, test } from 'vitest';
import { CHUNK_ROWS, writeArrowTable, writeParquetArrow } from '../../src/lake/arrow-parquet.js';
import { rowsToArrow } from '../../src/lake/arrow-rows.js';
import { openDuckDB, queryRows, sqlString } from '../../src/lake/duckdb.js';
import { writeParquet, writeParquetNdjson } from '../../src/lake/parquet.js';
import { type ColumnDef, type Row, TABLE_NAMES, TABLES, type TableDef } from '../../src/lake/schema.js';
import { tempDir } from '../helpers/paths.js';

const scratch = tempDir('arrow-parquet-');
afterAll(() => scratch.cleanup());
let seq = 0;
/** A fresh folder-free file name under the test's scratch folder. */
const file = (name: string) => join(scratch.path, `${seq++}-${name}`);

const TEXTS = [
  'Revenue grew 12% year over year, driven by demand in Asia.',
  'Unsere Marge lag bei 23,5 % — über Plan.',
  '营收同比增长，毛利率改善。',
  'Emoji 📈 and quotes: "fine", \'ok\', back\\slash, tab\tand\nnewline.',
  '',
];

/** A float32-exact vector of `dims` values (rounded through Math.fround so both writers agree). */
function vector(seed: number, dims: number): Float32Array {
  return Float32Array.from({ length: dims }, (_, d) => Math.fround(Math.sin(seed * 31 + d) * 0.37));
}

/** A realistic value for column `c` of row `i`: nulls, empty lists, unicode and 100-d vectors included. */
function value(table: TableDef, c: ColumnDef, i: number): unknown {
  if (c.nullable && i % 3 === 1) return null;
  switch (c.type) {
    case 'string':
      return c.name === 'text' || c.name === 'description' || c.name === 'reason'
        ? `${TEXTS[i % TEXTS.length]} #${i}`
        : `${table.name}-${c.name}-${i % 7}:${i}`;
    case 'int':
      return i % 5 === 0 && i > 0 ? -i * 11 : i * 37;
    case 'bigint':
      return i * 1_000_000_007;
    case 'double':
      return i % 4 === 0 ? 0 : (i * Math.PI) / 7;
    case 'float':
      return Math.fround(i / 3);
    case 'bool':
      return i % 2 === 0;
    case 'list<string>':
      return i % 4 === 2 ? [] : Array.from({ length: 1 + (i % 5) }, (_, k) => `kw-${k} ünï ${i}`);
    case 'list<float>':
      return i % 4 === 2 ? new Float32Array(0) : vector(i, 100);
  }
}

function rowsFor(table: TableDef, n: number): Row[] {
  return Array.from({ length: n }, (_, i) =>
    Object.fromEntries(table.columns.map((c) => [c.name, value(table, c, i)])),
  );
}

async function readBack(path: string) {
  const conn = await openDuckDB();
  const schema = await queryRows(
    conn,
    `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${sqlString(path)}))`,
  );
  const rows = await queryRows(conn, `SELECT * FROM read_parquet(${sqlString(path)})`);
  return { schema, rows };
}

const EXPECTED_TYPE: Record<ColumnDef['type'], string> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  float: 'FLOAT',
  bool: 'BOOLEAN',
  'list<string>': 'VARCHAR[]',
  'list<float>': 'FLOAT[]',
};

/** Writes `rows` with both writers, reads both files back and asserts the Arrow file's schema is the table's. */
async function writeBothAndReadBack(table: TableDef, rows: Row[]) {
  const [a, b] = [file('ndjson.parquet'), file('arrow.parquet')];
  await writeParquetNdjson(table, rows, a);
  await writeParquetArrow(table, rows, b);
  const [x, y] = [await readBack(a), await readBack(b)];
  assert.deepEqual(
    y.schema,
    table.columns.map((c) => ({ column_name: c.name, column_type: EXPECTED_TYPE[c.type] })),
  );
  return [x, y] as const;
}

for (const name of TABLE_NAMES) {
  for (const n of [0, 7, 2 * CHUNK_ROWS + 5]) {
    test(`${name}: ${n} rows — Arrow writer's Parquet equals the NDJSON writer's, row for row`, async () => {
      const table = TABLES[name];
      const rows = rowsFor(table, n);
      const [x, y] = await writeBothAndReadBack(table, rows);
      assert.deepEqual(y.schema, x.schema);
      assert.equal(y.rows.length, n);
      assert.deepEqual(y.rows, x.rows);
      // and the values are the ones written (float32 vectors compare exactly after the round trip)
      for (const [i, r] of y.rows.entries()) {
        for (const c of table.columns) {
          const want = rows[i]?.[c.name];
          const got = r[c.name];
          if (want instanceof Float32Array) assert.deepEqual(got, Array.from(want), `${c.name} row ${i}`);
          else assert.deepEqual(got, want, `${c.name} row ${i}`);
        }
      }
    });
  }
}

/** Every column type of schema.ts, required and nullable (no lake table has bool, bigint or float yet). */
const ALL_TYPES: TableDef = {
  ...TABLES.rejects,
  columns: (Object.keys(EXPECTED_TYPE) as ColumnDef['type'][]).flatMap((type) => [
    { name: `req_${type.replace(/\W/g, '_')}`, type, nullable: false, doc: '' },
    { name: `opt_${type.replace(/\W/g, '_')}`, type, nullable: true, doc: '' },
  ]),
};

for (const n of [0, 9, CHUNK_ROWS, 2 * CHUNK_ROWS + 13]) {
  test(`every column type, ${n} rows: both writers agree and the values round-trip`, async () => {
    const rows = rowsFor(ALL_TYPES, n);
    const [x, y] = await writeBothAndReadBack(ALL_TYPES, rows);
    assert.deepEqual(y.rows, x.rows);
    assert.equal(y.rows.length, n);
    if (n > 9) {
      const r = y.rows[9] as Row; // row 9: i % 3 === 0, so the nullable columns hold values
      assert.equal(r.req_bigint, 9_000_000_063);
      assert.equal(r.opt_bool, false);
      assert.equal(r.req_float, Math.fround(3));
      assert.equal(y.rows.filter((row) => row.opt_string === null).length, Math.floor((n + 1) / 3));
    }
  });
}

test('a topics part: 100-d centroid, keyword lists, a null description, an empty list', async () => {
  const out = file('topics.parquet');
  const centroid = vector(3, 100);
  await writeParquetArrow(
    TABLES.topics,
    [
      {
        topic_id: 'AAPL:2021Q2:t0',
        firm_id: 'AAPL',
        size: 42,
        keywords: ['iphone', 'services', 'wearables'],
        name: 'iPhone und Dienste — 成長',
        name_source: 'llm',
        description: null,
        representative_sentence_ids: [],
        centroid,
        embedding_model: 'sif-wink-100d',
      },
    ],
    out,
  );
  const { rows } = await readBack(out);
  assert.equal(rows.length, 1);
  const r = rows[0] as Row;
  assert.deepEqual(r.keywords, ['iphone', 'services', 'wearables']);
  assert.equal(r.name, 'iPhone und Dienste — 成長');
  assert.equal(r.description, null);
  assert.deepEqual(r.representative_sentence_ids, []);
  assert.equal((r.centroid as number[]).length, 100);
  assert.equal((r.centroid as number[])[7], centroid[7]);
  assert.equal(r.size, 42);
});

test('rowsToArrow: exact Arrow types and nullability from the schema', () => {
  const t = rowsToArrow(TABLES.topics, rowsFor(TABLES.topics, 3));
  assert.equal(t.numRows, 3);
  assert.deepEqual(
    t.schema.fields.map((f) => [f.name, String(f.type), f.nullable]),
    [
      ['topic_id', 'Utf8', false],
      ['firm_id', 'Utf8', false],
      ['size', 'Int32', false],
      ['keywords', 'List<Utf8>', false],
      ['name', 'Utf8', false],
      ['name_source', 'Utf8', false],
      ['description', 'Utf8', true],
      ['representative_sentence_ids', 'List<Utf8>', false],
      ['centroid', 'List<Float32>', false],
      ['embedding_model', 'Utf8', false],
    ],
  );
  assert.equal(t.getChild('description')?.nullCount, 1);
  assert.equal(t.getChild('size')?.get(2), 74);
});

test('bad rows are refused naming the table, column and problem (as the NDJSON writer does)', async () => {
  const base = rowsFor(TABLES.sentences, 1)[0] as Row;
  const cases: [Row, string][] = [
    [{ ...base, text: null }, 'sentences.text: missing value'],
    [{ ...base, position: 1.5 }, 'sentences.position: expected int, got number'],
    [{ ...base, section: 3 }, 'sentences.section: expected string, got number'],
  ];
  for (const [row, message] of cases) {
    await assert.rejects(writeParquetArrow(TABLES.sentences, [row], file('a.parquet')), { message });
    await assert.rejects(writeParquetNdjson(TABLES.sentences, [row], file('b.parquet')), { message });
  }
  const topic = rowsFor(TABLES.topics, 1)[0] as Row;
  assert.throws(() => rowsToArrow(TABLES.sentences, [{ ...base, position: 2 ** 31 }]), {
    message: 'sentences.position: int out of range (2147483648)',
  });
  assert.throws(() => rowsToArrow(TABLES.topics, [{ ...topic, keywords: ['a', 7] }]), {
    message: 'topics.keywords[1]: expected string, got number',
  });
  assert.throws(() => rowsToArrow(TABLES.topics, [{ ...topic, centroid: 'x' }]), {
    message: 'topics.centroid: expected list<float>, got string',
  });
});

test('writeParquet is the Arrow writer: NaN and Infinity stay, where JSON turned them into NULL', async () => {
  const rows = [
    { topic_id: 't0', theme_id: 'th0', similarity: Number.NaN },
    { topic_id: 't1', theme_id: 'th0', similarity: Number.POSITIVE_INFINITY },
    { topic_id: 't2', theme_id: 'th1', similarity: 0.5 },
  ];
  const [a, b] = [file('default.parquet'), file('ndjson.parquet')];
  await writeParquet(TABLES.topic_themes, rows, a);
  await writeParquetNdjson(TABLES.topic_themes, rows, b);
  const sims = async (p: string) => (await readBack(p)).rows.map((r) => r.similarity);
  assert.deepEqual(await sims(a), [Number.NaN, Number.POSITIVE_INFINITY, 0.5]);
  assert.deepEqual(await sims(b), [null, null, 0.5]);
});

test('concurrent writes on the shared connection each get their own rows', async () => {
  const outs = Array.from({ length: 8 }, (_, k) => file(`concurrent-${k}.parquet`));
  await Promise.all(
    outs.map((out, k) => writeParquet(TABLES.sentences, rowsFor(TABLES.sentences, 100 + k * 300), out)),
  );
  for (const [k, out] of outs.entries()) {
    const { rows } = await readBack(out);
    assert.equal(rows.length, 100 + k * 300);
    assert.equal(rows[0]?.sentence_id, 'sentences-sentence_id-0:0');
  }
});

test('writeArrowTable refuses an Arrow table whose column types are not the schema’s', async () => {
  const wrong = tableFromArrays({
    topic_id: ['t0'],
    theme_id: ['th0'],
    similarity: Float32Array.from([0.5]),
  });
  await assert.rejects(writeArrowTable(TABLES.topic_themes, wrong, file('wrong.parquet')), {
    // tableFromArrays dictionary-encodes strings: refused before the float column is looked at
    message: 'topic_themes.topic_id: Arrow type Dictionary<Int32, Utf8> is not Utf8',
  });
});
