export const KNOWN_PATHS: string[];
export function installCommand(options?: { root?: boolean }): string;
export function findChromium(options?: { env?: Record<string, string | undefined>; candidates?: string[]; exists?: (path: string) => boolean; root?: boolean }): string;
export class ChromiumMissing extends Error {}
