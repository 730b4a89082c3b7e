import type { Command } from 'commander';
import { lookupValues } from '../../indicators/lookup.js';
import { withContext } from '../context.js';

export function registerLookup(program: Command): void {
  program
    .command('lookup')
    .description(
      'print JSON for each value: the matching indicator with its sightings, and for an IP the CIDRs containing it',
    )
    .argument('<values...>', 'IPs, CIDRs, URLs or domains')
    .action(async (values: string[]) => {
      await withContext(async ({ store }) => {
        console.log(JSON.stringify(await lookupValues(store, values), null, 2));
      });
    });
}
