import { parseArgs } from 'node:util';
import { notify, NOTIFY_USAGE } from './notify.ts';
import { DEFAULT_MAX_ROWS, startServer } from './start.ts';
import type { Service } from './http/service.ts';
import { DEFAULT_LIMITS, type RealtimeLimits } from './realtime/limits.ts';
import { DEFAULT_AUTH_RATE_LIMITS, type AuthRateLimits } from './auth/rate-limits.ts';

/** Realtime limit flags: `--max-events-per-second 200` sets `maxEventsPerSecond`. */
const LIMIT_FLAGS: Record<string, keyof RealtimeLimits> = {
  'max-events-per-second': 'maxEventsPerSecond',
  'max-joins-per-second': 'maxJoinsPerSecond',
  'max-payload-bytes': 'maxPayloadBytes',
  'max-channels-per-client': 'maxChannelsPerClient',
  'max-presence-events-per-second': 'maxPresenceEventsPerSecond',
  'max-frame-bytes': 'maxFrameBytes',
  'idle-timeout-ms': 'idleTimeoutMs',
  'max-concurrent-users': 'maxConcurrentUsers',
  'no-channel-timeout-ms': 'noChannelTimeoutMs',
  'max-buffered-bytes': 'maxBufferedBytes',
  'address-share-percent': 'addressSharePercent',
};

/** Auth limit flags, named as GoTrue's `GOTRUE_RATE_LIMIT_*` settings are. */
const AUTH_FLAGS: Record<string, keyof AuthRateLimits> = {
  'rate-limit-sign-ins': 'signInsPer5Min',
  'rate-limit-token-refresh': 'tokenRefreshesPer5Min',
  'rate-limit-anonymous-users': 'anonymousSignInsPerHour',
};

/** The whole numbers above 0 given for `flags`; throws the message for the first that is not one. */
function counts<K extends string>(values: Record<string, unknown>, flags: Record<string, K>): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const [flag, key] of Object.entries(flags)) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be a whole number above 0, not '${String(raw)}'`);
    out[key] = n;
  }
  return out;
}

const USAGE = `Usage: flock-kit serve [--port 54321] [--host 127.0.0.1] [--data DIR | --memory] [--static DIR]...

  --port N      port to listen on (default 54321, as a local Supabase stack; 0 picks a free one)
  --host H      interface to listen on (default 127.0.0.1)
  --data DIR    keep the database in DIR (default .flock-data)
  --memory      keep nothing: an in-memory database that is gone when the server stops
  --static DIR  also serve the files in DIR at / (your page beside the server, same origin);
                repeatable, the first folder holding a path wins
  --help        show this help

Realtime limits, per connection (defaults are Supabase's):
  --max-events-per-second N          (default ${DEFAULT_LIMITS.maxEventsPerSecond})
  --max-joins-per-second N           (default ${DEFAULT_LIMITS.maxJoinsPerSecond})
  --max-channels-per-client N        (default ${DEFAULT_LIMITS.maxChannelsPerClient})
  --max-payload-bytes N              (default ${DEFAULT_LIMITS.maxPayloadBytes})
  --max-presence-events-per-second N (default ${DEFAULT_LIMITS.maxPresenceEventsPerSecond})
  --max-frame-bytes N                (default ${DEFAULT_LIMITS.maxFrameBytes})
  --idle-timeout-ms N                (default ${DEFAULT_LIMITS.idleTimeoutMs})
  --no-channel-timeout-ms N          (default ${DEFAULT_LIMITS.noChannelTimeoutMs})
Realtime limits for the whole server:
  --max-concurrent-users N           (default ${DEFAULT_LIMITS.maxConcurrentUsers})
  --max-buffered-bytes N             (default ${DEFAULT_LIMITS.maxBufferedBytes})
  --address-share-percent N          share of the user cap and of the HTTP broadcast budget
                                     one client address may take (default ${DEFAULT_LIMITS.addressSharePercent}; 100 for none)

Auth limits per client address (Supabase's defaults; GoTrue answers 429 over_request_rate_limit):
  --rate-limit-sign-ins N            password sign-ins and sign-ups per 5 minutes (default ${DEFAULT_AUTH_RATE_LIMITS.signInsPer5Min})
  --rate-limit-token-refresh N       token refreshes per 5 minutes (default ${DEFAULT_AUTH_RATE_LIMITS.tokenRefreshesPer5Min})
  --rate-limit-anonymous-users N     anonymous sign-ins per hour (default ${DEFAULT_AUTH_RATE_LIMITS.anonymousSignInsPerHour})

REST limits (Supabase's defaults):
  --max-rows N                       most rows one read returns (default ${DEFAULT_MAX_ROWS}, Supabase's max_rows)

${NOTIFY_USAGE.replace('Usage: ', '       ')}`;

/** What a launcher built on `serve` adds (the demo's `npm start`): files, APIs, and a line once listening. */
export interface ServeExtras {
  staticDirs?: readonly string[];
  services?: readonly Service[];
  ready?(url: string): void;
}

/** `flock-kit <command> [flags]`: the package's command line. Returns the process exit code. */
export async function main(argv: string[], extras: ServeExtras = {}): Promise<number> {
  // `notify` has flags of its own.
  if (argv[0] === 'notify') return notify(argv.slice(1));
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
        static: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
        'max-rows': { type: 'string' },
        ...Object.fromEntries(Object.keys(AUTH_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
        ...Object.fromEntries(Object.keys(LIMIT_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
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
  let realtime, authRateLimits, rows;
  try {
    realtime = counts(values, LIMIT_FLAGS);
    authRateLimits = counts(values, AUTH_FLAGS);
    rows = counts(values, { 'max-rows': 'maxRows' });
  } catch (error) {
    console.error(`flock-kit: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const dataDir = values.memory ? undefined : (values.data ?? '.flock-data');
  let server;
  try {
    const staticDirs = [...(values.static ?? []), ...(extras.staticDirs ?? [])];
    server = await startServer({
      port, host: values.host, dataDir, realtime, maxRows: rows.maxRows, staticDirs, services: extras.services,
      ...(Object.keys(authRateLimits).length && { authRateLimits }),
    });
  } catch (error) {
    console.error(`flock-kit: ${startFailure(error, port)}`);
    return 1;
  }
  console.log(`flock-kit ${server.ctx.version} local server on ${server.url}`);
  console.log(`  data: ${dataDir ?? 'in memory (gone when stopped)'}`);
  if (values.static?.length) console.log(`  serving files from: ${values.static.join(', ')}`);
  console.log('  supabase-url: ' + server.url + '  (anon key: the local stack\'s well-known demo key)');
  extras.ready?.(server.url);
  const stop = async (): Promise<void> => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  return new Promise<number>(() => {});
}

/** Why the server could not start, in words a first-time user can act on. */
function startFailure(error: unknown, port: number): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return `port ${port} is taken (is another flock-kit or a local Supabase stack running?). Stop it, or pass --port 0 for a free one.`;
  if (code === 'ENOENT') return `no such folder: ${(error as NodeJS.ErrnoException).path ?? ''}`;
  return error instanceof Error ? error.message : String(error);
}
