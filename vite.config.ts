import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { absentModules } from './build/absent-modules.ts';
import { minifyLitTemplates } from './build/minify-lit-templates.ts';

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

const standIn = (file: string): string => fileURLToPath(new URL(`src/cdn/${file}`, import.meta.url));

/**
 * The script-tag file carries supabase-js's auth, REST and Realtime parts only: the kit never uses
 * Storage or Functions, nor auth's admin API, WebAuthn or web3 sign-in, which GoTrueClient makes
 * eagerly (src/cdn/absent*.ts say so if a page uses them).
 */
const CDN_ABSENT = [
  { path: /\/@supabase\/(storage|functions)-js\//, standIn: standIn('absent.ts') },
  { path: /\/@supabase\/auth-js\/dist\/module\/(GoTrueAdminApi|lib\/webauthn|lib\/web3\/ethereum)\.js$/, standIn: standIn('absent-auth.ts') },
];

export default defineConfig(({ mode }) => {
  const cdn = mode === 'cdn';
  return {
    // Both builds: Lit's css/html templates without their indentation (the size bench uses it too).
    plugins: [minifyLitTemplates(), ...(cdn ? [absentModules(CDN_ABSENT)] : [])],
    build: {
      outDir: 'dist',
      // The library build runs first (`npm run build`) and starts from an empty dist/; the others add to it.
      emptyOutDir: !cdn,
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
              entry: { index: 'src/index.ts', memory: 'src/memory.ts', react: 'src/react.ts', ...ELEMENT_ENTRIES },
              formats: ['es' as const],
              fileName: (_format: string, name: string) => `${name}.js`,
            },
            rollupOptions: {
              // react (and react/jsx-runtime) is the app's: flock-kit/react imports it, never bundles it.
              external: [/^lit(\/|$)/, /^@lit\//, /^@supabase\//, /^react(\/|$)/],
            },
          }),
    },
  };
});
