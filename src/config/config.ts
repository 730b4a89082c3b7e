import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AppError } from '../errors.js';
import { FEED_MODULES } from '../feeds/registry.js';
import type { FeedModule } from '../feeds/types.js';
import { formatDuration, parseDuration } from './duration.js';

export interface HttpSettings {
  connectTimeoutMs: number;
  /** Time to wait for the response headers. */
  headersTimeoutMs: number;
  /** Longest silence between two body chunks. */
  bodyTimeoutMs: number;
  /** Whole download, headers to last byte. */
  totalTimeoutMs: number;
  /** Cap on the body, compressed as received and decompressed alike. */
  maxBytes: number;
  /** Further attempts after a network error, a 5xx, or a 429/503. */
  retries: number;
  retryBaseMs: number;
  /** A Retry-After longer than this fails the run instead of waiting. */
  maxRetryAfterMs: number;
}

export interface FeedConfig {
  name: string;
  module: FeedModule;
  enabled: boolean;
  url: string;
  intervalMs: number;
  /** Extra request headers (the abuse.ch key is added at request time, never stored here). */
  headers: Record<string, string>;
  maxRemovalShare: number;
  allowEmpty: boolean;
  http: HttpSettings;
}

export interface Config {
  databaseUrl: string;
  host: string;
  port: number;
  fetchOnStart: boolean;
  logLevel: string;
  abusechAuthKey: string | undefined;
  feeds: FeedConfig[];
}

export const DEFAULT_HTTP: HttpSettings = {
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  totalTimeoutMs: 10 * 60_000,
  maxBytes: 1024 * 1024 * 1024,
  retries: 3,
  retryBaseMs: 2_000,
  maxRetryAfterMs: 5 * 60_000,
};

const DEFAULT_INTERVAL_MS = 3_600_000;
// abuse.ch asks for no more than one download every five minutes.
const MIN_INTERVAL_MS = { abuseCh: 5 * 60_000, other: 60_000 };
const FEED_KEYS = [
  'enabled',
  'url',
  'interval',
  'headers',
  'maxRemovalShare',
  'allowEmpty',
  'timeout',
  'maxBytes',
  'retries',
];

/** Reads the configuration from the environment; any bad value is an INVALID_CONFIG error naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT === undefined || env.PORT === '' ? 8000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new AppError('INVALID_CONFIG', `PORT must be an integer from 0 to 65535, got "${env.PORT}"`);
  }
  const fetchOnStart = parseBool(env.FETCH_ON_START, true, 'FETCH_ON_START');
  const overrides = env.FEEDS_FILE ? readFeedsFile(env.FEEDS_FILE) : {};
  return {
    databaseUrl: env.DATABASE_URL || './data/threats.db',
    host: env.HOST || '127.0.0.1',
    port,
    fetchOnStart,
    logLevel: env.LOG_LEVEL || 'info',
    abusechAuthKey: env.ABUSECH_AUTH_KEY || undefined,
    feeds: FEED_MODULES.map((m) => resolveFeed(m, overrides[m.name] ?? {})),
  };
}

function parseBool(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value === '') return fallback;
  const v = value.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new AppError('INVALID_CONFIG', `${name} must be true or false, got "${value}"`);
}

type FeedOverrides = Record<string, Record<string, unknown>>;

export function readFeedsFile(path: string): FeedOverrides {
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (err) {
    throw new AppError('INVALID_CONFIG', `FEEDS_FILE ${path} cannot be read: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new AppError(
      'INVALID_CONFIG',
      `FEEDS_FILE ${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(err as Error).message}`,
    );
  }
  if (!isObject(doc) || !isObject(doc.feeds) || Object.keys(doc).some((k) => k !== 'feeds')) {
    throw new AppError('INVALID_CONFIG', `FEEDS_FILE ${path} must be an object with one key, "feeds"`);
  }
  const known = FEED_MODULES.map((m) => m.name);
  for (const [name, value] of Object.entries(doc.feeds)) {
    if (!known.includes(name)) {
      throw new AppError(
        'INVALID_CONFIG',
        `FEEDS_FILE ${path}: unknown feed "${name}" (known: ${known.join(', ')})`,
      );
    }
    if (!isObject(value))
      throw new AppError('INVALID_CONFIG', `FEEDS_FILE ${path}: feeds.${name} must be an object`);
    for (const key of Object.keys(value)) {
      if (!FEED_KEYS.includes(key)) {
        throw new AppError(
          'INVALID_CONFIG',
          `FEEDS_FILE ${path}: feeds.${name}.${key} is not a setting (use: ${FEED_KEYS.join(', ')})`,
        );
      }
    }
  }
  return doc.feeds as FeedOverrides;
}

function resolveFeed(m: FeedModule, o: Record<string, unknown>): FeedConfig {
  const where = `FEEDS_FILE: feeds.${m.name}`;
  const bad = (key: string, want: string) =>
    new AppError('INVALID_CONFIG', `${where}.${key} must be ${want}, got ${JSON.stringify(o[key])}`);

  if (o.enabled !== undefined && typeof o.enabled !== 'boolean') throw bad('enabled', 'true or false');
  let url = m.defaultUrl;
  if (o.url !== undefined) {
    if (typeof o.url !== 'string' || !/^https?:\/\//i.test(o.url) || !URL.canParse(o.url))
      throw bad('url', 'an http(s) URL');
    url = o.url;
  }
  let intervalMs = DEFAULT_INTERVAL_MS;
  if (o.interval !== undefined) {
    const ms =
      typeof o.interval === 'string' || typeof o.interval === 'number' ? parseDuration(o.interval) : null;
    if (ms === null) throw bad('interval', 'a duration such as "30m", "1h" or "1h30m"');
    const min = m.abuseCh ? MIN_INTERVAL_MS.abuseCh : MIN_INTERVAL_MS.other;
    if (ms < min)
      throw bad(
        'interval',
        `at least ${formatDuration(min)}${m.abuseCh ? ' (abuse.ch asks for no more than one pull every 5 minutes)' : ''}`,
      );
    intervalMs = ms;
  }
  const headers: Record<string, string> = {};
  if (o.headers !== undefined) {
    if (!isObject(o.headers) || Object.values(o.headers).some((v) => typeof v !== 'string')) {
      throw bad('headers', 'an object of header names to string values');
    }
    Object.assign(headers, o.headers);
  }
  let maxRemovalShare = 0.5;
  if (o.maxRemovalShare !== undefined) {
    if (typeof o.maxRemovalShare !== 'number' || !(o.maxRemovalShare >= 0 && o.maxRemovalShare <= 1)) {
      throw bad('maxRemovalShare', 'a number from 0 to 1');
    }
    maxRemovalShare = o.maxRemovalShare;
  }
  if (o.allowEmpty !== undefined && typeof o.allowEmpty !== 'boolean')
    throw bad('allowEmpty', 'true or false');
  const http = { ...DEFAULT_HTTP };
  if (o.timeout !== undefined) {
    const ms =
      typeof o.timeout === 'string' || typeof o.timeout === 'number' ? parseDuration(o.timeout) : null;
    if (ms === null) throw bad('timeout', 'a duration such as "5m"');
    http.totalTimeoutMs = ms;
  }
  if (o.maxBytes !== undefined) {
    if (typeof o.maxBytes !== 'number' || !Number.isInteger(o.maxBytes) || o.maxBytes <= 0)
      throw bad('maxBytes', 'a positive integer');
    http.maxBytes = o.maxBytes;
  }
  if (o.retries !== undefined) {
    if (typeof o.retries !== 'number' || !Number.isInteger(o.retries) || o.retries < 0 || o.retries > 10)
      throw bad('retries', 'an integer from 0 to 10');
    http.retries = o.retries;
  }
  return {
    name: m.name,
    module: m,
    enabled: (o.enabled as boolean | undefined) ?? true,
    url,
    intervalMs,
    headers,
    maxRemovalShare,
    allowEmpty: (o.allowEmpty as boolean | undefined) ?? m.allowEmpty,
    http,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function findFeed(config: Config, name: string): FeedConfig {
  const feed = config.feeds.find((f) => f.name === name);
  if (!feed) {
    throw new AppError(
      'UNKNOWN_FEED',
      `unknown feed "${name}" (known: ${config.feeds.map((f) => f.name).join(', ')})`,
    );
  }
  return feed;
}
