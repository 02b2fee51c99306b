import vue from '@vitejs/plugin-vue';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * Inside the flock-kit repository, with nothing installed here, `flock-kit` is the repository's
 * built package (`npm run build` first): the same files npm would ship, never its sources.
 * Copied out with flock-kit installed, the alias steps aside.
 */
const installed = existsSync(fileURLToPath(new URL('node_modules/flock-kit/package.json', import.meta.url)));
const dist = (file: string) => fileURLToPath(new URL(`../../dist/${file}`, import.meta.url));

export default defineConfig({
  plugins: [
    vue({
      // <flock-*> are custom elements, not Vue components: Vue leaves them to the browser.
      template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith('flock-') } },
    }),
  ],
  resolve: {
    alias: installed ? [] : [{ find: /^flock-kit$/, replacement: dist('index.js') }],
    // One vue, one lit, one supabase-js, even when flock-kit is linked from elsewhere (`file:`).
    dedupe: ['vue', 'lit', '@supabase/supabase-js'],
  },
});
