/**
 * `npm run analyze` writes custom-elements.json from the elements' JSDoc and Lit properties.
 * Storybook's docs and the framework wrappers read it; test/e2e/manifest.test.ts fails when the
 * committed file is stale, or when an element's attributes, events, parts or CSS custom
 * properties in the source are missing from it.
 *
 * Only the public surface goes in: the entry (its exports), the shared base and the six element
 * classes, not their controllers and helpers, which are internal.
 */
const ELEMENTS = ['room', 'status', 'avatars', 'cursors', 'chat', 'bell'];

/** What the analyzer finds that is not public API, dropped from every declaration. */
function publicOnly() {
  return {
    name: 'flock-public-only',
    packageLinkPhase({ customElementsManifest }) {
      // Sorted by path so the file is the same whatever order the file system lists them in.
      customElementsManifest.modules.sort((a, b) => a.path.localeCompare(b.path));
      for (const module of customElementsManifest.modules) {
        for (const declaration of module.declarations ?? []) {
          if (declaration.members) {
            // private / protected members and `#private` ones (the analyzer itself drops @internal).
            declaration.members = declaration.members.filter((member) => !member.privacy && !member.name.startsWith('#'));
          }
          if (declaration.events) {
            // The one emit() helper dispatches `new CustomEvent(type, …)`: the analyzer reads that
            // parameter as an event named "type". Every real event is `flock-*` and documented.
            declaration.events = declaration.events.filter((event) => event.name?.startsWith('flock-'));
          }
        }
      }
    },
  };
}

export default {
  globs: ['src/index.ts', 'src/elements/base.ts', ...ELEMENTS.map((name) => `src/elements/${name}/${name}.ts`)],
  exclude: ['**/*.test.ts', '**/*.stories.ts'],
  outdir: '.',
  litelement: true,
  // package.json already names the file; the analyzer would otherwise rewrite package.json.
  packagejson: false,
  plugins: [publicOnly()],
};
