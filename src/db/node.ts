import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { Database } from './client.js';
import * as schema from './schema.js';

export interface NodeDatabase {
  db: Database;
  sqlite: BetterSqlite3.Database;
  close(): void;
}

/** Opens (creating the folder if needed) and migrates the SQLite file; WAL mode for concurrent readers. */
export function openNodeDatabase(path: string, migrationsFolder = './migrations'): NodeDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  return { db: db as unknown as Database, sqlite, close: () => sqlite.close() };
}
