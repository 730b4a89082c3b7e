import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.js';
import { FeedRunner } from '../ingest/feed-runner.js';
import { Scheduler } from '../ingest/scheduler.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { buildApp } from './app.js';

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  scheduler: Scheduler;
  address: string;
  close(): Promise<void>;
}

/** Opens the store, starts HTTP and the scheduler. Never pulls before the server listens, so a host with no
 * network still starts at once and serves what it has. */
export async function startServer(config: Config): Promise<RunningServer> {
  const store = await openStore(config.databaseUrl);
  const runner = new FeedRunner(store, config);
  let scheduler: Scheduler | undefined;
  const app = await buildApp(
    {
      store,
      config,
      scheduler: { nextRunAt: (f) => scheduler?.nextRunAt(f) ?? null, isRunning: (f) => runner.isRunning(f) },
    },
    { logger: { level: config.logLevel } },
  );
  scheduler = new Scheduler(runner, config.feeds, app.log);
  let address: string;
  try {
    address = await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await app.close();
    await store.close();
    throw err;
  }
  scheduler.start(config.fetchOnStart);
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      // Stop taking requests and cancel pulls together; a pull's open snapshot rolls back after its batch.
      await Promise.all([app.close(), scheduler.stop()]);
      await store.close();
    })();
    return closing;
  };
  return { app, store, scheduler, address, close };
}
