#!/usr/bin/env node
// In a source checkout (server/ present, tsx installed) runs the TypeScript directly, so `npm start`
// never runs a stale build; an installed package has only server-dist/ and runs that.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../server/main.ts', import.meta.url));
let entry;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = await import('../server/main.ts');
} else {
  entry = await import('../server-dist/main.js');
}
process.exitCode = await entry.main(process.argv.slice(2));
