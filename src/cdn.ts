/**
 * The script-tag entry: one self-contained module (lit and supabase-js inside) that
 * registers every element, for pages with no build step:
 * `<script type="module" src=".../flock.js"></script>`.
 */
export * from './index.js';
// supabase-js is inside this file anyway: a page without a build can make its own client
// (its own session storage, say) and hand it to <flock-room> as `client`.
export { createClient } from '@supabase/supabase-js';
