/**
 * The script-tag entry: one self-contained module (lit and supabase-js inside) that
 * registers every element, for pages with no build step:
 * `<script type="module" src=".../flock.js"></script>`.
 */
export * from './index.js';
