import { sql } from 'drizzle-orm';
import type { Database } from './client.js';

/** Resolves when the database answers a query; throws when it cannot (the health check). */
export async function pingDatabase(db: Database): Promise<void> {
  await db.run(sql`select 1`);
}
