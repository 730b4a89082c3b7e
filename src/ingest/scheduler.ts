import type { FastifyBaseLogger } from 'fastify';
import type { SchedulerView } from '../api/deps.js';
import type { FeedConfig } from '../config/config.js';
import { describeError } from '../errors.js';
import type { FeedRunner, RunReport } from './feed-runner.js';

interface Slot {
  feed: FeedConfig;
  timer: NodeJS.Timeout | undefined;
  nextRunAt: Date | null;
  current: Promise<RunReport | undefined> | undefined;
}

/**
 * Pulls every enabled feed at its interval, each on its own timer: a slow or failing feed never delays
 * another. The next pull is planned from the start of the previous one, and a feed still running when its
 * time comes is skipped rather than run twice.
 */
export class Scheduler implements SchedulerView {
  private readonly slots = new Map<string, Slot>();
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(
    private readonly runner: FeedRunner,
    feeds: readonly FeedConfig[],
    private readonly log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>,
    private readonly onRun?: (report: RunReport) => void,
  ) {
    for (const feed of feeds) {
      if (feed.enabled)
        this.slots.set(feed.name, { feed, timer: undefined, nextRunAt: null, current: undefined });
    }
  }

  start(fetchOnStart: boolean): void {
    for (const slot of this.slots.values()) {
      if (fetchOnStart) this.fire(slot, 'start');
      else this.plan(slot, Date.now() + slot.feed.intervalMs);
    }
  }

  nextRunAt(feed: string): Date | null {
    return this.slots.get(feed)?.nextRunAt ?? null;
  }

  isRunning(feed: string): boolean {
    return this.slots.get(feed)?.current !== undefined;
  }

  /** Stops planning, cancels running pulls (their snapshots roll back) and waits for them to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    for (const slot of this.slots.values()) {
      clearTimeout(slot.timer);
      slot.nextRunAt = null;
    }
    await Promise.allSettled([...this.slots.values()].map((s) => s.current));
  }

  private plan(slot: Slot, at: number): void {
    if (this.stopped) return;
    clearTimeout(slot.timer);
    slot.nextRunAt = new Date(at);
    slot.timer = setTimeout(() => this.fire(slot, 'schedule'), Math.max(0, at - Date.now()));
    slot.timer.unref();
  }

  private fire(slot: Slot, trigger: 'start' | 'schedule'): void {
    if (this.stopped) return;
    const startedAt = Date.now();
    this.plan(slot, startedAt + slot.feed.intervalMs);
    if (slot.current) {
      this.log.warn({ feed: slot.feed.name }, 'previous pull still running; skipping this one');
      return;
    }
    slot.current = this.runner
      .pull(slot.feed, trigger, this.abort.signal)
      .then((report) => {
        const r = report.result;
        const fields = { feed: report.feed, run: report.runId, outcome: r.outcome, ms: report.durationMs };
        if (r.outcome === 'ok' || r.outcome === 'not_modified') {
          this.log.info(
            { ...fields, parsed: r.parsed, new: r.new, removed: r.removed, rejected: r.rejected },
            'feed pulled',
          );
        } else {
          this.log.warn({ ...fields, error: r.error }, 'feed pull did not apply');
        }
        this.onRun?.(report);
        return report;
      })
      .catch((err) => {
        this.log.error({ feed: slot.feed.name, error: describeError(err) }, 'feed pull crashed');
        return undefined;
      })
      .finally(() => {
        slot.current = undefined;
      });
  }
}
