import type { DatabaseRole } from '../db.ts';

/**
 * The API keys `supabase start` prints for every local stack. They are public demo values,
 * signed with the local JWT secret; a real project has its own.
 */
export const LOCAL_ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';
export const LOCAL_SERVICE_ROLE_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU';

/** Newer CLIs' opaque keys: supabase-js sends them as `apikey` (and as the bearer when signed out). */
export const LOCAL_PUBLISHABLE_KEY = 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH';
export const LOCAL_SECRET_KEY = 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz';

/** Opaque (non-JWT) keys and the role each stands for. */
export const OPAQUE_KEYS: ReadonlyMap<string, DatabaseRole> = new Map([
  [LOCAL_PUBLISHABLE_KEY, 'anon'],
  [LOCAL_SECRET_KEY, 'service_role'],
]);
