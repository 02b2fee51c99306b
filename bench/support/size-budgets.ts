/** Gzip budgets in bytes (issue 10), enforced by test/e2e/size.test.ts and printed by `npm run bench -- size`. */
export const SIZE_BUDGETS = {
  /** (a) the kit's own code: all elements + connection, lit and supabase-js left out. */
  kitGzip: 25_000,
  /** (c) dist/flock.js whole. */
  cdnGzip: 90_000,
} as const;
