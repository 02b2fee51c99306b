import { parseArgs } from 'node:util';
import { startServer } from './start.ts';

const USAGE = `Usage: flock-kit serve [--port 54321] [--host 127.0.0.1] [--data DIR | --memory]

  --port N      port to listen on (default 54321, as a local Supabase stack; 0 picks a free one)
  --host H      interface to listen on (default 127.0.0.1)
  --data DIR    keep the database in DIR (default .flock-data)
  --memory      keep nothing: an in-memory database that is gone when the server stops
  --help        show this help`;

/** `flock-kit <command> [flags]`: the package's command line. Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        memory: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    console.error(`flock-kit: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0] ?? 'serve';
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (command !== 'serve') {
    console.error(`flock-kit: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  if (values.memory && values.data !== undefined) {
    console.error('flock-kit: --data and --memory exclude each other');
    return 2;
  }
  const port = values.port === undefined ? 54321 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`flock-kit: --port must be a whole number from 0 to 65535, not '${values.port}'`);
    return 2;
  }
  const dataDir = values.memory ? undefined : (values.data ?? '.flock-data');
  const server = await startServer({ port, host: values.host, dataDir });
  console.log(`flock-kit ${server.ctx.version} local server on ${server.url}`);
  console.log(`  data: ${dataDir ?? 'in memory (gone when stopped)'}`);
  console.log('  supabase-url: ' + server.url + '  (anon key: the local stack\'s well-known demo key)');
  const stop = async (): Promise<void> => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  return new Promise<number>(() => {});
}
