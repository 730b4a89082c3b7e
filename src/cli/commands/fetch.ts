import type { Command } from 'commander';
import { findFeed } from '../../config/config.js';
import { AppError } from '../../errors.js';
import { withContext } from '../context.js';
import { maxRemovalShareOption, withRemovalShare } from '../options.js';
import { runFailed, summarizeRun } from '../summary.js';

export function registerFetch(program: Command): void {
  program
    .command('fetch')
    .description('pull the named feeds (default: every enabled feed) once')
    .argument('[feeds...]', 'feed names')
    .addOption(maxRemovalShareOption)
    .action(async (names: string[], opts: { maxRemovalShare?: string }) => {
      process.exitCode = await withContext(async ({ config, runner }) => {
        const feeds =
          names.length > 0 ? names.map((n) => findFeed(config, n)) : config.feeds.filter((f) => f.enabled);
        if (feeds.length === 0)
          throw new AppError('INVALID_ARGUMENT', 'no feed is enabled; name one, or enable one in FEEDS_FILE');
        const reports = await Promise.all(
          feeds.map((f) => runner.pull(withRemovalShare(f, opts.maxRemovalShare), 'fetch')),
        );
        for (const r of reports) console.log(summarizeRun(r));
        return reports.some(runFailed) ? 1 : 0;
      });
    });
}
