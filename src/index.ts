/**
 * flock-kit: custom elements that add live collaboration to any page.
 *
 * This is the ES module entry for apps with a bundler: lit, @lit/context and
 * @supabase/supabase-js are peer imports here, so an app shares its own copies and client.
 * @packageDocumentation
 */
export { VERSION, WIRE_VERSION } from './version.js';
export { LOCAL_ANON_KEY, LOCAL_SUPABASE_URL } from './connection/local-defaults.js';
