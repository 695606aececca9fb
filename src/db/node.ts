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
  const database = openNodeConnection(path);
  migrate(database.db as never, { migrationsFolder });
  return database;
}

/**
 * One more connection to a database file that is already migrated (the server's work thread
 * writes large documents through its own): the same settings, no migration.
 */
export function openNodeConnection(path: string): NodeDatabase {
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  return { db: db as unknown as Database, sqlite, close: () => sqlite.close() };
}
