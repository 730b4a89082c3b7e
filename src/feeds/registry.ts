import { etBlock } from './et-block.js';
import { etCompromised } from './et-compromised.js';
import { feodotracker } from './feodotracker.js';
import type { FeedModule } from './types.js';
import { urlhaus } from './urlhaus.js';

/** The built-in feeds, by their stable names. A new source is one module here. */
export const FEED_MODULES: readonly FeedModule[] = [urlhaus, feodotracker, etCompromised, etBlock];

export function feedModule(name: string): FeedModule | undefined {
  return FEED_MODULES.find((m) => m.name === name);
}
