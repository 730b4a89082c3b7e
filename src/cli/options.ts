import { Option } from 'commander';
import type { FeedConfig } from '../config/config.js';
import { AppError } from '../errors.js';

/** `--max-removal-share`: lets an operator apply a snapshot the removal guard would refuse. */
export const maxRemovalShareOption = new Option(
  '--max-removal-share <share>',
  "refuse a snapshot that removes more than this share (0-1) of the feed's active entries (default: the feed's setting, 0.5)",
);

export function withRemovalShare(feed: FeedConfig, value: string | undefined): FeedConfig {
  if (value === undefined) return feed;
  const share = Number(value);
  if (value.trim() === '' || !(share >= 0 && share <= 1)) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `--max-removal-share must be a number from 0 to 1, got "${value}"`,
    );
  }
  return { ...feed, maxRemovalShare: share };
}
