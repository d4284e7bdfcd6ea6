/**
 * A bench script's `--name value` flags, each typed by its default: a number default reads a number (a value that
 * is not one stops the script naming the flag), a string stays a string, `false` makes a switch, `undefined` an
 * optional string with no default. An unknown flag is refused, as `parseArgs` does.
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

type FlagDefault = number | string | boolean | undefined;

export type Flags<S extends Record<string, FlagDefault>> = {
  [K in keyof S]: S[K] extends number
    ? number
    : S[K] extends boolean
      ? boolean
      : S[K] extends string
        ? string
        : string | undefined;
};

export function benchFlags<S extends Record<string, FlagDefault>>(spec: S): Flags<S> {
  const options: ParseArgsOptionsConfig = {};
  for (const [name, d] of Object.entries(spec))
    options[name] =
      typeof d === 'boolean'
        ? { type: 'boolean', default: d }
        : { type: 'string', ...(d === undefined ? {} : { default: String(d) }) };
  const { values } = parseArgs({ options });
  const flags: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(spec)) {
    const v = values[name];
    if (typeof d === 'number' && !Number.isFinite(Number(v)))
      throw new Error(`--${name}: not a number: ${v}`);
    flags[name] = typeof d === 'number' ? Number(v) : v;
  }
  return flags as Flags<S>;
}
