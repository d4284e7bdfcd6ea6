/**
 * Rows of a lake table as an `apache-arrow` Table with the schema's exact column types (string → Utf8,
 * int → Int32, bigint → Int64, double → Float64, float → Float32, bool → Bool, list<string> → List<Utf8>,
 * list<float> → List<Float32>) and its nullable flags. Rows are checked with the same rules and messages as
 * the NDJSON writer (`validateRow`), plus the checks a typed column needs that JSON left to DuckDB: int
 * range and list elements. Columns are built straight from typed buffers (one UTF-8 encode a column), not
 * through Arrow's per-value builders, which were the slow half of the Arrow writer.
 */
import {
  Bool,
  type Data,
  type DataType,
  Field,
  Float32,
  Float64,
  Int32,
  Int64,
  List,
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

/** Arrow validity bits (LSB first) for the values that are present; undefined when none is missing. */
function validity(values: readonly unknown[]): { bitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  const bitmap = new Uint8Array(Math.ceil(values.length / 8));
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) nullCount++;
    else bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
  }
  return { bitmap: nullCount ? bitmap : undefined, nullCount };
}

/** UTF-8 bytes and offsets of strings (a missing one is empty): one encode for the whole column. */
function utf8(values: readonly unknown[]): { data: Uint8Array; offsets: Int32Array } {
  const offsets = new Int32Array(values.length + 1);
  const parts: string[] = new Array(values.length);
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    const s = (values[i] as string | null | undefined) ?? '';
    parts[i] = s;
    at += Buffer.byteLength(s, 'utf8');
    offsets[i + 1] = at;
  }
  const data = Buffer.from(parts.join(''), 'utf8');
  if (data.length !== at) throw new Error('utf8: byte count mismatch'); // cannot happen; guards the offsets
  return { data, offsets };
}

function checkInt(table: TableDef, col: ColumnDef, values: readonly unknown[]): void {
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (col.type === 'int' && ((v as number) < INT32_MIN || (v as number) > INT32_MAX))
      throw new Error(`${table.name}.${col.name}: int out of range (${v})`);
    if (col.type === 'bigint' && !Number.isSafeInteger(v))
      throw new Error(`${table.name}.${col.name}: bigint beyond 2^53 (${v})`);
  }
}

function checkItems(table: TableDef, col: ColumnDef, values: readonly unknown[]): void {
  const want = col.type === 'list<string>' ? 'string' : 'number';
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const items = v as ArrayLike<unknown>;
    if (want === 'number' && items instanceof Float32Array) continue;
    for (let i = 0; i < items.length; i++) {
      if (typeof items[i] !== want)
        throw new Error(`${table.name}.${col.name}[${i}]: expected ${want}, got ${typeof items[i]}`);
    }
  }
}

/** One column of rows as Arrow data, built from typed buffers (no per-value builder calls). */
function columnData(table: TableDef, col: ColumnDef, type: DataType, values: readonly unknown[]): Data {
  const length = values.length;
  const { bitmap: nullBitmap, nullCount } = validity(values);
  const num = (v: unknown) => (v as number | null | undefined) ?? 0;
  switch (col.type) {
    case 'string': {
      const { data, offsets } = utf8(values);
      return makeData({ type: type as Utf8, length, nullCount, nullBitmap, valueOffsets: offsets, data });
    }
    case 'int':
      checkInt(table, col, values);
      return makeData({
        type: type as Int32,
        length,
        nullCount,
        nullBitmap,
        data: Int32Array.from(values, num),
      });
    case 'bigint':
      checkInt(table, col, values);
      return makeData({
        type: type as Int64,
        length,
        nullCount,
        nullBitmap,
        data: BigInt64Array.from(values, (v) => BigInt(num(v))),
      });
    case 'double':
      return makeData({
        type: type as Float64,
        length,
        nullCount,
        nullBitmap,
        data: Float64Array.from(values, num),
      });
    case 'float':
      return makeData({
        type: type as Float32,
        length,
        nullCount,
        nullBitmap,
        data: Float32Array.from(values, num),
      });
    case 'bool': {
      const bits = new Uint8Array(Math.ceil(length / 8));
      for (let i = 0; i < length; i++)
        if (values[i] === true) bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
      return makeData({ type: type as Bool, length, nullCount, nullBitmap, data: bits });
    }
    case 'list<string>':
    case 'list<float>': {
      checkItems(table, col, values);
      const offsets = new Int32Array(length + 1);
      for (let i = 0; i < length; i++)
        offsets[i + 1] = (offsets[i] as number) + ((values[i] as ArrayLike<unknown> | null)?.length ?? 0);
      const total = offsets[length] as number;
      const itemType = (type as List).valueType;
      let child: Data;
      if (col.type === 'list<string>') {
        const items: unknown[] = [];
        for (const v of values) if (v) for (const x of v as string[]) items.push(x);
        const { data, offsets: itemOffsets } = utf8(items);
        child = makeData({
          type: itemType as Utf8,
          length: total,
          nullCount: 0,
          valueOffsets: itemOffsets,
          data,
        });
      } else {
        const items = new Float32Array(total);
        for (let i = 0; i < length; i++) {
          const v = values[i] as ArrayLike<number> | null | undefined;
          if (v) items.set(v, offsets[i] as number);
        }
        child = makeData({ type: itemType as Float32, length: total, nullCount: 0, data: items });
      }
      return makeData({ type: type as List, length, nullCount, nullBitmap, valueOffsets: offsets, child });
    }
  }
}

/** Builds the Arrow table; throws on the first bad row, naming the table, column and problem. */
export function rowsToArrow(table: TableDef, rows: readonly Row[]): Table {
  for (const row of rows) validateRow(table, row);
  const schema = arrowSchema(table);
  const children = table.columns.map((col, j) =>
    columnData(
      table,
      col,
      (schema.fields[j] as Field).type,
      rows.map((r) => r[col.name]),
    ),
  );
  const data = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
  return new Table([new RecordBatch(schema, data)]);
}
