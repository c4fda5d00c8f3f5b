import { defineConfig } from 'drizzle-kit'

// drizzle-kit only generates SQL here; wrangler applies it to D1 and the
// Node suite applies the same files to a libSQL database.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
})
