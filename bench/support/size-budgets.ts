/** Gzip sizes in bytes, printed by `npm run bench -- size` and enforced by test/e2e/size.test.ts. */
export const SIZE_BUDGETS = {
  /** (a) the kit's own code: all elements + connection, lit and supabase-js left out (issue 10's target). */
  kitGzip: 25_000,
  /** (c) dist/flock.js whole (issue 10's target). */
  cdnGzip: 90_000,
} as const;

/**
 * What the test holds the kit to until it reaches `kitGzip`: today's size, so it can only
 * shrink. Lower it as the kit shrinks; never raise it without saying why in the change.
 */
export const KIT_CEILING_GZIP = 35_500;

/** The same for dist/flock.js, until it is under `cdnGzip`. */
export const CDN_CEILING_GZIP = 91_000;
