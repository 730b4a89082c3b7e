import type { Command } from 'commander';
import { formatDuration } from '../../config/duration.js';
import { redact } from '../../ingest/download.js';
import { withContext } from '../context.js';

export function registerFeeds(program: Command): void {
  program
    .command('feeds')
    .description('list the feeds with their URL, last run, outcome and active count')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { json?: boolean }) => {
      await withContext(async ({ config, store }) => {
        const health = await store.feedHealth(config.feeds.map((f) => f.name));
        const rows = config.feeds.map((f, i) => {
          const h = health[i]!;
          return {
            name: f.name,
            enabled: f.enabled,
            url: redact(f.url),
            interval: formatDuration(f.intervalMs),
            lastRun: h.lastRun?.finishedAt ?? h.lastRun?.startedAt ?? null,
            outcome: h.lastRun?.outcome ?? null,
            error: h.lastRun?.error ?? null,
            lastSuccess: h.lastSuccessAt,
            active: h.active,
          };
        });
        if (opts.json) {
          console.log(JSON.stringify(rows, null, 2));
          return;
        }
        const table = [['FEED', 'ENABLED', 'INTERVAL', 'LAST RUN', 'OUTCOME', 'ACTIVE', 'URL']];
        for (const r of rows) {
          table.push([
            r.name,
            r.enabled ? 'yes' : 'no',
            r.interval,
            r.lastRun ?? 'never',
            r.outcome ?? '-',
            String(r.active),
            r.url,
          ]);
        }
        const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
        for (const row of table)
          console.log(
            row
              .map((cell, c) => cell.padEnd(widths[c]!))
              .join('  ')
              .trimEnd(),
          );
        for (const r of rows)
          if (r.outcome === 'failed' || r.outcome === 'refused') console.log(`${r.name}: ${r.error}`);
      });
    });
}
