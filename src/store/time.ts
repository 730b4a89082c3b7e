/** ISO 8601 UTC to the second (`2026-12-03T16:43:55Z`), the one timestamp form the store keeps. */
export function isoSeconds(date: Date = new Date()): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
