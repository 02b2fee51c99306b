/**
 * Where `<flock-room>` connects when a page names no Supabase project: the local server
 * (`npm start` / `npx flock-kit serve`), at the same address and with the same public demo
 * key as a local Supabase stack (`supabase start`), so a page moves to a real project by
 * setting `supabase-url` and `supabase-key` and nothing else.
 */
export const LOCAL_SUPABASE_URL = 'http://127.0.0.1:54321';

/** The local stack's well-known anon key: a public demo value, never a secret. */
export const LOCAL_ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';
