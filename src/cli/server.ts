import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { call, UsageError, withApi } from './api.js';

export const serveUsage = `parallax serve [--port 8787] [--host 127.0.0.1]

Starts the HTTP server, as npm start does (settings from the environment; --port and --host
override PORT and HOST). Stops on Ctrl-C.`;

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { port: { type: 'string' }, host: { type: 'string' } },
  });
  if (values.port !== undefined && !/^\d{1,5}$/.test(values.port))
    throw new UsageError('--port takes a port number (0 picks a free one)');
  if (values.port !== undefined) process.env.PORT = values.port;
  if (values.host !== undefined) process.env.HOST = values.host;
  // The entry point serves until a signal stops it; it exits the process itself.
  await import('../node.js');
  return 0;
}

export const migrateUsage = `parallax migrate [--server URL]

Creates the SQLite file (DATABASE_PATH) if needed and applies the migrations in migrations/.
With --server, checks that the server is up (a server migrates its own database at start).`;

export async function migrateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { server: { type: 'string' } } });
  if (values.server) {
    return withApi(values.server, async (api) => {
      await call(api.client.GET('/healthz'));
      console.log(`server ${api.where} is up; it migrated its database when it started`);
      return 0;
    });
  }
  const { createNodeRuntime } = await import('../runtime-node.js');
  const runtime = await createNodeRuntime({ LOG_LEVEL: 'warn', ...process.env });
  try {
    const [row] = await runtime.deps.db.all<{ n: number }>(
      sql`select count(*) as n from __drizzle_migrations`,
    );
    console.log(
      `database ${runtime.config.DATABASE_PATH} is migrated (${row?.n ?? 0} migrations applied)`,
    );
    return 0;
  } finally {
    await runtime.close();
  }
}
