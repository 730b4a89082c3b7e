import type { Config } from '../config/config.js';
import type { Store } from '../store/types.js';

/** What the scheduler tells the API and the web page about feeds it runs. */
export interface SchedulerView {
  nextRunAt(feed: string): Date | null;
  isRunning(feed: string): boolean;
}

/** Everything the HTTP layer needs, passed in so tests can build an app on any store. */
export interface AppDeps {
  store: Store;
  config: Config;
  scheduler: SchedulerView;
}

/** For an app without a scheduler (tests, read-only serving). */
export const NO_SCHEDULER: SchedulerView = { nextRunAt: () => null, isRunning: () => false };
