import { defineConfig } from 'vite';

/**
 * Two builds from one config, chosen by `--mode`:
 * - `lib`: the ES module library, one file per entry (dist/index.js, dist/memory.js) over
 *   shared chunks; lit, @lit/context and supabase-js stay imports so an app bundles one copy
 *   of each and can hand Flock its own client.
 * - `cdn`: dist/flock.js, one self-contained, fully minified module for a script tag, everything
 *   inside. Not a library-mode build: Vite keeps whitespace in library-mode ES output.
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
      copyPublicDir: false,
      ...(cdn
        ? {
            rollupOptions: {
              input: { flock: 'src/cdn.ts' },
              preserveEntrySignatures: 'strict' as const,
              output: { format: 'es' as const, entryFileNames: '[name].js', codeSplitting: false },
            },
          }
        : {
            lib: {
              entry: { index: 'src/index.ts', memory: 'src/memory.ts' },
              formats: ['es' as const],
              fileName: (_format: string, name: string) => `${name}.js`,
            },
            rollupOptions: {
              external: [/^lit(\/|$)/, /^@lit\//, /^@supabase\//],
            },
          }),
    },
  };
});
