/** The kit's version, kept in step with package.json (a test checks). */
export const VERSION = '0.1.0';

/** The version of the wire shapes every broadcast and presence payload carries as `v`. */
export const WIRE_VERSION = 1;
