import { defineConfig } from 'vite';

/**
 * Two builds from one config, chosen by `--mode`:
 * - `lib`: dist/index.js, the ES module library; lit, @lit/context and supabase-js stay
 *   imports so an app bundles one copy of each and can hand Flock its own client.
 * - `cdn`: dist/flock.js, one self-contained module for a script tag, everything inside.
 */
export default defineConfig(({ mode }) => {
  const cdn = mode === 'cdn';
  return {
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
      sourcemap: true,
      minify: cdn,
      lib: {
        entry: cdn ? 'src/cdn.ts' : 'src/index.ts',
        formats: ['es'],
        fileName: () => (cdn ? 'flock.js' : 'index.js'),
      },
      rollupOptions: {
        external: cdn ? [] : [/^lit(\/|$)/, /^@lit\//, /^@supabase\//],
      },
    },
  };
});
