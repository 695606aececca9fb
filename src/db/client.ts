import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from './schema.js';

/**
 * The database as the rest of the app sees it: Drizzle over better-sqlite3 on Node or over D1
 * on Workers. Code written against it always awaits and never opens interactive transactions,
 * so it runs on both drivers.
 */
export type Database = BaseSQLiteDatabase<'sync' | 'async', unknown, typeof schema>;
