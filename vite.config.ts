import { defineConfig } from 'vite';

/**
 * Two builds from one config, chosen by `--mode`:
 * - `lib`: the ES module library, one file per entry (dist/index.js, dist/memory.js) over
 *   shared chunks; lit, @lit/context and supabase-js stay imports so an app bundles one copy
 *   of each and can hand Flock its own client.
 * - `cdn`: dist/flock.js, one self-contained, fully minified module for a script tag, everything
 *   inside. Not a library-mode build: Vite keeps whitespace in library-mode ES output.
 */
/** One entry per element (dist/chat.js …): each registers its tag and `<flock-room>` only, so unused elements tree-shake away. */
const ELEMENT_ENTRIES = Object.fromEntries(
  ['room', 'status', 'avatars', 'cursors', 'chat', 'bell'].map((name) => [name, `src/entries/${name}.ts`]),
);

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
              entry: { index: 'src/index.ts', memory: 'src/memory.ts', ...ELEMENT_ENTRIES },
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
