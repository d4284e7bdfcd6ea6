/**
 * Rows of a lake table as an `apache-arrow` Table with the schema's exact column types (string → Utf8,
 * int → Int32, bigint → Int64, double → Float64, float → Float32, bool → Bool, list<string> → List<Utf8>,
 * list<float> → List<Float32>) and its nullable flags. Rows are checked with the same rules and messages as
 * the NDJSON writer (`validateRow`), plus the checks a typed column needs that JSON left to DuckDB: int
 * range and list elements.
 */
import {
  Bool,
  type Builder,
  type DataType,
  Field,
  Float32,
  Float64,
  Int32,
  Int64,
  List,
  makeBuilder,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
} from 'apache-arrow';
import type { ColumnDef, ColumnType, Row, TableDef } from './schema.js';

/** Checks a row against the table's columns; throws naming the table, column and problem. */
export function validateRow(table: TableDef, row: Row): void {
  for (const col of table.columns) {
    const v = row[col.name];
    if (v === null || v === undefined) {
      if (!col.nullable) throw new Error(`${table.name}.${col.name}: missing value`);
      continue;
    }
    const ok =
      col.type === 'string'
        ? typeof v === 'string'
        : col.type === 'int' || col.type === 'bigint'
          ? typeof v === 'number' && Number.isInteger(v)
          : col.type === 'double' || col.type === 'float'
            ? typeof v === 'number'
            : col.type === 'bool'
              ? typeof v === 'boolean'
              : Array.isArray(v) || ArrayBuffer.isView(v);
    if (!ok) throw new Error(`${table.name}.${col.name}: expected ${col.type}, got ${typeof v}`);
  }
}

export function arrowType(t: ColumnType): DataType {
  switch (t) {
    case 'string':
      return new Utf8();
    case 'int':
      return new Int32();
    case 'bigint':
      return new Int64();
    case 'double':
      return new Float64();
    case 'float':
      return new Float32();
    case 'bool':
      return new Bool();
    case 'list<string>':
      return new List(new Field('item', new Utf8(), false));
    case 'list<float>':
      return new List(new Field('item', new Float32(), false));
  }
}

export function arrowSchema(table: TableDef): Schema {
  return new Schema(table.columns.map((c) => new Field(c.name, arrowType(c.type), c.nullable)));
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** The value as its Arrow builder takes it, after the checks `validateRow` does not make. */
function arrowValue(table: TableDef, col: ColumnDef, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (col.type) {
    case 'int':
      if ((v as number) < INT32_MIN || (v as number) > INT32_MAX)
        throw new Error(`${table.name}.${col.name}: int out of range (${v})`);
      return v;
    case 'bigint':
      if (!Number.isSafeInteger(v)) throw new Error(`${table.name}.${col.name}: bigint beyond 2^53 (${v})`);
      return BigInt(v as number);
    case 'list<string>':
    case 'list<float>': {
      const want = col.type === 'list<string>' ? 'string' : 'number';
      const items = v as ArrayLike<unknown>;
      for (let i = 0; i < items.length; i++) {
        if (typeof items[i] !== want)
          throw new Error(`${table.name}.${col.name}[${i}]: expected ${want}, got ${typeof items[i]}`);
      }
      return v;
    }
    default:
      return v;
  }
}

/** Builds the Arrow table; throws on the first bad row, naming the table, column and problem. */
export function rowsToArrow(table: TableDef, rows: readonly Row[]): Table {
  const schema = arrowSchema(table);
  const builders: Builder[] = schema.fields.map((f) => makeBuilder({ type: f.type, nullValues: [null] }));
  for (const row of rows) {
    validateRow(table, row);
    for (const [j, col] of table.columns.entries()) {
      (builders[j] as Builder).append(arrowValue(table, col, row[col.name]));
    }
  }
  const children = builders.map((b) => b.finish().flush());
  const data = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
  return new Table([new RecordBatch(schema, data)]);
}
