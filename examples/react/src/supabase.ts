import { createClient, type SupabaseClient, type User } from '@supabase/supabase-js';
import { LOCAL_ANON_KEY, LOCAL_SUPABASE_URL } from 'flock-kit';

/**
 * The app's own supabase-js client. Flock is handed this one (`<FlockRoom client={supabase}>`),
 * so the app and the kit share one socket and one session. With no VITE_SUPABASE_URL it is the
 * local server (`npx flock-kit serve`) with the local stack's public demo key.
 */
export const supabase: SupabaseClient = createClient(
  import.meta.env.VITE_SUPABASE_URL ?? LOCAL_SUPABASE_URL,
  import.meta.env.VITE_SUPABASE_ANON_KEY ?? LOCAL_ANON_KEY,
);

// For poking at it in the devtools console (and for the repository's end-to-end test).
window.supabase = supabase;

declare global {
  interface Window {
    supabase: SupabaseClient;
  }
}

const NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Ken', 'Margaret', 'Dennis'];

/**
 * The signed-in user: the stored session, else an anonymous sign-in with a name (`?name=Ada`
 * or a random one). Started once at module load, so React's StrictMode, which runs effects
 * twice, cannot sign in twice. The kit never signs an app's client in: that is the app's job.
 */
export const signedIn: Promise<User> = (async () => {
  const { data } = await supabase.auth.getSession();
  if (data.session) return data.session.user;
  const name = new URLSearchParams(location.search).get('name') ?? NAMES[Math.floor(Math.random() * NAMES.length)];
  const { data: signIn, error } = await supabase.auth.signInAnonymously({ options: { data: { name } } });
  if (error || !signIn.user) throw error ?? new Error('Anonymous sign-in returned no user');
  return signIn.user;
})();
