/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Your Supabase project's URL; unset: the local server, http://127.0.0.1:54321. */
  readonly VITE_SUPABASE_URL?: string;
  /** Its anon or publishable key; unset: the local stack's public demo key. */
  readonly VITE_SUPABASE_ANON_KEY?: string;
}
