/** The `callthemes` CLI: thin commands over the pipeline, query and the other parts. */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { UsageError } from './common.js';

export function buildProgram(): Command {
  const program = new Command('callthemes')
    .description("Turn a quarter's earnings calls into research data: topics, themes, sentiment.")
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  // A subcommand's bad flag prints the reason and then that command's usage (DESIGN "Settings").
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError();
  return program;
}

/** Runs one command line; the exit code: 0 ok, 1 the work failed, 2 a bad flag or value (reason + usage). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; commander already printed the reason and usage for bad flags.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UsageError) {
      const sub = program.commands.find((c) => argv.includes(c.name()));
      process.stderr.write(`error: ${err.message}\n`);
      process.stderr.write(`${(sub ?? program).helpInformation()}`);
      return 2;
    }
    process.stderr.write(`error: ${(err as Error).message}\n`);
    if (process.env.CALLTHEMES_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}
