/** Gzip sizes in bytes, printed by `npm run bench -- size` and enforced by test/e2e/size.test.ts. */
export const SIZE_BUDGETS = {
  /** (a) the kit's own code: all elements + connection, lit and supabase-js left out (issue 10's target). */
  kitGzip: 25_000,
  /** (c) dist/flock.js whole (issue 10's target). */
  cdnGzip: 90_000,
} as const;

/**
 * What the test holds the kit to until it reaches `kitGzip`: today's size (35.6 kB) and about 1% more,
 * room for a fix, not a feature. Lower it as the kit shrinks; raise it only in a change that
 * says why.
 */
export const KIT_CEILING_GZIP = 35_900;
