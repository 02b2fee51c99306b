import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build, type Rolldown } from 'vite';
import { minifyLitTemplates } from '../../build/minify-lit-templates.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Bytes of one piece of code: minified, gzip (level 9) and brotli (quality 11). */
export interface Size {
  min: number;
  gzip: number;
  brotli: number;
}

/** lit and supabase-js stay outside "the kit's own code": every page pays for them once, whoever uses them. */
export const PEER_LIBRARIES = [/^lit(\/|$)/, /^@lit\//, /^@supabase\//];

/** What each element costs alone: its one-element entry (the element and `<flock-room>`, which it needs), nothing else. */
export const ELEMENTS = {
  'flock-room': 'src/entries/room.ts',
  'flock-status': 'src/entries/status.ts',
  'flock-avatars': 'src/entries/avatars.ts',
  'flock-cursors': 'src/entries/cursors.ts',
  'flock-chat': 'src/entries/chat.ts',
  'flock-bell': 'src/entries/bell.ts',
} as const;

export function sizeOf(code: string | Uint8Array): Size {
  const bytes = typeof code === 'string' ? Buffer.from(code) : code;
  return {
    min: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/**
 * Bundles `source` (module text, resolved from the project root) with the same bundler and
 * minifier as the shipped files (Vite: Rolldown and Oxc), in memory, tree-shaken, one chunk.
 * `external` leaves those imports out.
 */
export async function bundle(source: string, external: RegExp[] = []): Promise<string> {
  return (await bundleChunk(source, external, true)).code;
}

/** As `bundle`, but the whole output chunk (with each module's rendered code), minified or not. */
export async function bundleChunk(source: string, external: RegExp[], minify: boolean): Promise<Rolldown.OutputChunk> {
  const entry = '\0size-entry';
  const result = await build({
    configFile: false,
    root,
    logLevel: 'silent',
    plugins: [
      // As vite.config.ts does for the shipped files, so this measures what ships.
      minifyLitTemplates(),
      {
        name: 'size-entry',
        resolveId: (id) => (id === entry ? id : undefined),
        load: (id) => (id === entry ? source : undefined),
      },
    ],
    build: {
      write: false,
      minify,
      target: 'es2022',
      rollupOptions: {
        input: entry,
        external,
        preserveEntrySignatures: 'strict',
        output: { format: 'es', codeSplitting: false },
      },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const chunk = outputs[0]?.output.find((o) => o.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('the size build produced no chunk');
  return chunk;
}

/** The size of `source` bundled as above. */
export const bundledSize = async (source: string, external: RegExp[] = []): Promise<Size> => sizeOf(await bundle(source, external));

/** (a) everything the kit ships, lit and supabase-js left out. */
export const kitSize = (): Promise<Size> => bundledSize(`export * from '/src/index.ts';`, PEER_LIBRARIES);

/** (b) one element alone, registered as a page would. */
export const elementSize = (tag: keyof typeof ELEMENTS): Promise<Size> => bundledSize(`import '/${ELEMENTS[tag]}';`, PEER_LIBRARIES);

/** (c) the script-tag file as built. */
export async function cdnSize(): Promise<Size> {
  return sizeOf(await readFile(`${root}dist/flock.js`));
}
