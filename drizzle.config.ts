import { defineConfig } from 'drizzle-kit';

// The Node migrator and `wrangler d1 migrations apply` both read ./migrations.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
  strict: true,
});
