import { AppError } from '../errors.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

/** Opens the store named by DATABASE_URL (a SQLite file path, or `sqlite:` URL) and migrates it. */
export async function openStore(databaseUrl: string): Promise<Store> {
  let store: Store;
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    throw new AppError(
      'INVALID_CONFIG',
      'PostgreSQL is not supported yet: DATABASE_URL must be a SQLite file path',
    );
  }
  const path = databaseUrl.replace(/^sqlite:(\/\/)?/i, '');
  if (path === '') throw new AppError('INVALID_CONFIG', 'DATABASE_URL is empty');
  store = new SqliteStore(path);
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  return store;
}
