import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Command, Option } from 'commander';
import { AppError } from '../../errors.js';
import { EXPORT_FORMATS, type ExportFormat, renderExport } from '../../export/records.js';
import { buildFilter } from '../../indicators/filter.js';
import { INDICATOR_TYPES } from '../../indicators/types.js';
import { withContext } from '../context.js';

interface ExportOptions {
  format: ExportFormat;
  type?: string;
  source?: string;
  since?: string;
  all?: boolean;
  output?: string;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('stream indicators (active ones unless --all) in a format other tools read')
    .addOption(new Option('--format <format>', 'output format').choices(EXPORT_FORMATS).default('json'))
    .addOption(new Option('--type <type>', 'only this indicator type').choices(INDICATOR_TYPES))
    .option('--source <feed>', 'only indicators this feed reports')
    .option('--since <date>', 'only indicators first seen on or after this date (YYYY-MM-DD or ISO 8601)')
    .option('--all', 'include indicators no feed lists any more')
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .action(async (opts: ExportOptions) => {
      await withContext(async ({ config, store }) => {
        const filter = buildFilter(
          { type: opts.type, source: opts.source, since: opts.since, active: opts.all ? undefined : true },
          config.feeds.map((f) => f.name),
          { type: '--type', source: '--source', since: '--since' },
        );
        const urls = new Map(config.feeds.map((f) => [f.name, f.url]));
        const chunks = renderExport(
          store.exportRecords(filter),
          opts.format,
          (name) => urls.get(name) ?? name,
        );
        const out = opts.output ? createWriteStream(opts.output) : process.stdout;
        try {
          await pipeline(Readable.from(chunks), out, { end: out !== process.stdout });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EPIPE') return; // e.g. `| head`
          throw new AppError('INVALID_ARGUMENT', `cannot write the export: ${(err as Error).message}`);
        }
      });
    });
}
