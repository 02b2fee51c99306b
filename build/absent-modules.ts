import type { Plugin } from 'vite';

/** A dependency's module, matched by its resolved path, and the file that stands in for it. */
export interface AbsentModule {
  path: RegExp;
  standIn: string;
}

/**
 * Puts a stand-in in place of whole modules of dependencies, matched by the path they resolve
 * to, so a module imported by a relative path inside its package (`./GoTrueAdminApi`) is
 * caught as well as a package imported by name.
 */
export function absentModules(modules: AbsentModule[]): Plugin {
  return {
    name: 'flock-absent-modules',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!importer?.includes('/node_modules/')) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return modules.find((m) => resolved && m.path.test(resolved.id))?.standIn ?? null;
    },
  };
}
