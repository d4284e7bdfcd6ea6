/** `--<name> <n>` from this process's arguments as a number, else `fallback` (the LLM load benchmark and its server). */
export function numberFlag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
