import type { RunReport } from '../ingest/feed-runner.js';

/** One line a run: what a person reads after `fetch` or `import`. */
export function summarizeRun(r: RunReport): string {
  const res = r.result;
  const secs = `${(r.durationMs / 1000).toFixed(1)} s`;
  const counts =
    `parsed ${res.parsed ?? 0}, new ${res.new ?? 0}, updated ${res.updated ?? 0}, ` +
    `unchanged ${res.unchanged ?? 0}, removed ${res.removed ?? 0}, rejected ${res.rejected ?? 0}`;
  switch (res.outcome) {
    case 'ok':
      return `${r.feed}: ok in ${secs} (${res.format ?? 'unknown'} format, ${res.bytes ?? 0} bytes): ${counts}`;
    case 'not_modified':
      return `${r.feed}: not modified (HTTP 304) in ${secs}`;
    case 'refused':
      return `${r.feed}: refused, nothing changed: ${res.error} (${counts})`;
    case 'failed':
      return `${r.feed}: failed, nothing changed: ${res.error}${res.errorCode ? ` [${res.errorCode}]` : ''}`;
  }
}

export function runFailed(r: RunReport): boolean {
  return r.result.outcome === 'failed' || r.result.outcome === 'refused';
}
