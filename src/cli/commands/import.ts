import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { findFeed } from '../../config/config.js';
import { AppError } from '../../errors.js';
import { withContext } from '../context.js';
import { maxRemovalShareOption, withRemovalShare } from '../options.js';
import { runFailed, summarizeRun } from '../summary.js';

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      "run a local file (or - for stdin) through the feed's parser as a complete snapshot of that feed",
    )
    .argument('<feed>', 'feed name')
    .argument('<file>', 'path of the file, or - to read standard input')
    .addOption(maxRemovalShareOption)
    .action(async (name: string, file: string, opts: { maxRemovalShare?: string }) => {
      process.exitCode = await withContext(async ({ config, runner }) => {
        const feed = withRemovalShare(findFeed(config, name), opts.maxRemovalShare);
        if (file !== '-') {
          const info = await stat(file).catch(() => null);
          if (!info?.isFile()) throw new AppError('INVALID_ARGUMENT', `cannot read ${file}: no such file`);
        }
        const body = file === '-' ? process.stdin : createReadStream(file);
        const report = await runner.import(feed, body, file === '-' ? 'stdin' : file);
        console.log(summarizeRun(report));
        return runFailed(report) ? 1 : 0;
      });
    });
}
