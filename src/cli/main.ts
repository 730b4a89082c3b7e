import { Command, CommanderError } from 'commander';
import { describeError, isAppError } from '../errors.js';
import { registerExport } from './commands/export.js';
import { registerFeeds } from './commands/feeds.js';
import { registerFetch } from './commands/fetch.js';
import { registerImport } from './commands/import.js';
import { registerLookup } from './commands/lookup.js';
import { registerServe } from './commands/serve.js';

/** Exit codes: 0 success, 1 a feed failed or an internal error, 2 a usage or configuration error. */
const USER_ERRORS = new Set(['INVALID_ARGUMENT', 'INVALID_CONFIG', 'UNKNOWN_FEED', 'FEED_BUSY']);

export function buildProgram(): Command {
  const program = new Command('threat-aggregator')
    .description('Collects Indicators of Compromise from public feeds and serves them')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerServe(program);
  registerFetch(program);
  registerImport(program);
  registerFeeds(program);
  registerLookup(program);
  registerExport(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    process.exitCode = handleError(err);
  }
}

function handleError(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message; help and version exit cleanly.
    return err.exitCode === 0 ? 0 : 2;
  }
  if (isAppError(err)) {
    console.error(`threat-aggregator: ${err.message}`);
    return USER_ERRORS.has(err.code) ? 2 : 1;
  }
  console.error(`threat-aggregator: internal error: ${describeError(err)}`);
  if (process.env.DEBUG) console.error(err);
  return 1;
}
