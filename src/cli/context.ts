import { type Config, loadConfig } from '../config/config.js';
import { FeedRunner } from '../ingest/feed-runner.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';

export interface CliContext {
  config: Config;
  store: Store;
  runner: FeedRunner;
}

/** Loads the configuration, opens the store, runs `fn`, and always closes the store. */
export async function withContext<T>(fn: (ctx: CliContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openStore(config.databaseUrl);
  try {
    return await fn({ config, store, runner: new FeedRunner(store, config) });
  } finally {
    await store.close();
  }
}
