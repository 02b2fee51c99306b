import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { authService } from './auth/routes.ts';
import { DATABASE_BOOTSTRAP_SQL } from './bootstrap.ts';
import { JwtSigner, LOCAL_JWT_SECRET } from './auth/jwt.ts';
import type { ServerContext } from './context.ts';
import { Database } from './db.ts';
import { healthService } from './health.ts';
import { createHttpServer } from './http/server.ts';
import type { Service } from './http/service.ts';
import { restService } from './rest/routes.ts';
import { realtimeApiService, statsService } from './realtime/http-api.ts';
import type { RealtimeLimits } from './realtime/limits.ts';
import { AuthRateLimiter, authRateLimits, type AuthRateLimits } from './auth/rate-limits.ts';
import { RealtimeService } from './realtime/service.ts';
import { staticService } from './static.ts';

/** Most rows one REST read returns unless told otherwise: Supabase's `max_rows`. */
export const DEFAULT_MAX_ROWS = 1000;

export interface StartOptions {
  /** TCP port; 0 picks a free one. Default 54321, the local Supabase stack's. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1: the server is for this machine. */
  host?: string;
  /** Data directory; undefined keeps everything in memory. */
  dataDir?: string;
  /** Folder of migrations to apply. Default: the package's `supabase/migrations`. */
  migrationsDir?: string;
  jwtSecret?: string;
  /** Largest request body in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Access-token lifetime in seconds. Default 3600. */
  accessTokenSeconds?: number;
  /** Seconds a rotated refresh token may still be exchanged. Default 10, as GoTrue. */
  refreshTokenReuseSeconds?: number;
  /** Most rows one REST read returns. Default 1000, Supabase's `max_rows`. */
  maxRows?: number;
  /** GoTrue's per-IP auth limits; unset ones keep Supabase's defaults. */
  authRateLimits?: Partial<AuthRateLimits>;
  /** Realtime limits; unset ones keep Supabase's defaults. */
  realtime?: Partial<RealtimeLimits>;
  /** Folders served at `/` (the demo, a page of your own); the first holding a path wins. */
  staticDirs?: readonly string[];
  /** More APIs to mount (the demo's own), after the Supabase ones and before static files. */
  services?: readonly Service[];
}

export interface RunningServer {
  /** Base URL to give supabase-js, e.g. `http://127.0.0.1:54321`. */
  url: string;
  port: number;
  ctx: ServerContext;
  realtime: RealtimeService;
  close(): Promise<void>;
}

/** Finds the package root whether running from `server/` (source) or `server-dist/` (build). */
const packageRoot = fileURLToPath(new URL('..', import.meta.url));

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(`${packageRoot}package.json`, 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** Opens the database, applies migrations and starts listening. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  // Before the database opens, so a missing folder fails fast with nothing to close.
  const files = options.staticDirs?.length ? await staticService(options.staticDirs) : undefined;
  const db = await Database.open({
    dataDir: options.dataDir,
    bootstrapSql: DATABASE_BOOTSTRAP_SQL,
    migrationsDir: options.migrationsDir ?? `${packageRoot}supabase/migrations`,
  });
  const host = options.host ?? '127.0.0.1';
  const ctx: ServerContext = {
    db,
    signer: new JwtSigner(options.jwtSecret ?? LOCAL_JWT_SECRET),
    baseUrl: '',
    version: packageVersion(),
    startedAt: Date.now(),
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    accessTokenSeconds: options.accessTokenSeconds ?? 3600,
    refreshTokenReuseSeconds: options.refreshTokenReuseSeconds ?? 10,
    maxRows: options.maxRows ?? DEFAULT_MAX_ROWS,
    authRateLimiter: new AuthRateLimiter(authRateLimits(options.authRateLimits)),
  };
  const realtime = new RealtimeService(ctx, options.realtime);
  const services = [healthService, authService, restService, realtimeApiService(realtime), statsService(realtime), ...(options.services ?? [])];
  if (files) services.push(files);
  const server = createHttpServer(ctx, services);
  realtime.attach(server);
  try {
    await realtime.start();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 54321, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await realtime.close();
    await db.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  ctx.baseUrl = url;
  return {
    url,
    port,
    ctx,
    realtime,
    async close() {
      await realtime.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}
