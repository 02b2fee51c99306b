import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * Vite 8 compiles TSX itself (Oxc, React's automatic JSX runtime): no React plugin is needed
 * for a build. Add @vitejs/plugin-react if you want Fast Refresh while developing.
 *
 * Inside the flock-kit repository, with nothing installed here, `flock-kit` and `flock-kit/react`
 * are the repository's built package (`npm run build` first): the same files npm would ship,
 * never its sources. Copied out with flock-kit installed, the alias steps aside.
 */
const installed = existsSync(fileURLToPath(new URL('node_modules/flock-kit/package.json', import.meta.url)));
const dist = (file: string) => fileURLToPath(new URL(`../../dist/${file}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: installed
      ? []
      : [
          { find: /^flock-kit$/, replacement: dist('index.js') },
          { find: /^flock-kit\/react$/, replacement: dist('react.js') },
        ],
    // One React, one lit, one supabase-js, even when flock-kit is linked from elsewhere (`file:`).
    dedupe: ['react', 'react-dom', 'lit', '@lit/react', '@supabase/supabase-js'],
  },
  oxc: { jsx: { runtime: 'automatic' } },
});
