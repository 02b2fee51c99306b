import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { BackoffOptions } from './backoff.js';
import { Connection, type ClientHooks } from './connection.js';
import { TransportRoom } from './room/room.js';
import { SupabaseTransport, type SupabaseRoom } from './supabase/transport.js';

/**
 * The page-wide registry behind "one socket": one Connection per (supabase url, key) — or per
 * app-given client — however many `<flock-room>`s and elements there are, and one Room per
 * room name on it. Both are reference counted; the last release leaves the channel, and for a
 * kit-created client closes the socket and stops its auth timers. The kit-created client
 * itself is kept for the page's life, so a room mounted again (a framework re-render) reuses
 * it instead of starting a second auth client on the same storage.
 */

export interface RoomTarget {
  url: string;
  key: string;
  room: string;
  /** An app's client: used as is, never reconfigured or signed in by the kit. */
  client?: SupabaseClient;
  /** Advanced (tests, benches): reconnect backoff of a kit-created client. */
  backoff?: BackoffOptions;
  /** Advanced (tests, benches): heartbeat interval of a kit-created client, when this call creates it. Default `KIT_HEARTBEAT_MS`. */
  heartbeatMs?: number;
}

export interface RoomLease {
  room: SupabaseRoom;
  connection: Connection;
  /** Gives the room back; resolves when its channel (and maybe the socket) is closed. */
  release(): Promise<void>;
}

/** Heartbeat interval for kit-created clients: a lost link is noticed within two intervals. */
export const KIT_HEARTBEAT_MS = 15_000;

interface OwnedClient {
  client: SupabaseClient;
  hooks: { current: ClientHooks | undefined };
}

interface Entry {
  connection: Connection;
  rooms: Map<string, { room: SupabaseRoom; leases: number }>;
}

const ownedClients = new Map<string, OwnedClient>();
const connections = new Map<string | SupabaseClient, Entry>();

export function acquireRoom(target: RoomTarget): RoomLease {
  const id = target.client ?? `${target.url}|${target.key}`;
  let entry = connections.get(id);
  if (!entry) {
    entry = { connection: openConnection(target), rooms: new Map() };
    connections.set(id, entry);
  }
  const { connection, rooms } = entry;
  let shared = rooms.get(target.room);
  if (!shared) {
    const room = new TransportRoom(target.room, new SupabaseTransport(target.room, connection));
    shared = { room, leases: 0 };
    rooms.set(target.room, shared);
  }
  shared.leases++;
  const lease = shared;
  let released = false;
  return {
    room: lease.room,
    connection,
    async release() {
      if (released) return;
      released = true;
      if (--lease.leases > 0) return;
      rooms.delete(target.room);
      await lease.room.close();
      if (rooms.size > 0 || connections.get(id)?.connection !== connection) return;
      connections.delete(id);
      await connection.dispose();
      if (!target.client) await idle(connection.client);
    },
  };
}

/** How many Connections the page holds (tests check "one socket"). */
export function openConnections(): number {
  return connections.size;
}

function openConnection(target: RoomTarget): Connection {
  if (target.client) return new Connection({ url: target.url, key: target.key, client: target.client, owned: false });
  const owned = ownedClient(target.url, target.key, target.heartbeatMs);
  return new Connection({ url: target.url, key: target.key, client: owned.client, owned: true, hooks: owned.hooks, backoff: target.backoff });
}

function ownedClient(url: string, key: string, heartbeatMs = KIT_HEARTBEAT_MS): OwnedClient {
  const id = `${url}|${key}`;
  let owned = ownedClients.get(id);
  if (!owned) {
    const hooks: OwnedClient['hooks'] = { current: undefined };
    const client = createClient(url, key, {
      auth: { storageKey: storageKeyFor(url), persistSession: true, autoRefreshToken: true, detectSessionInUrl: false },
      realtime: {
        heartbeatIntervalMs: heartbeatMs,
        // Asked by phoenix before every reconnect; the live Connection plans it (full jitter).
        reconnectAfterMs: (tries: number) => hooks.current?.reconnectDelay(tries) ?? 1000,
      },
    });
    owned = { client, hooks };
    ownedClients.set(id, owned);
  } else {
    void owned.client.auth.startAutoRefresh();
  }
  return owned;
}

/** The kit's own session storage, apart from any client the app keeps for the same project. */
function storageKeyFor(url: string): string {
  return `flock-auth:${new URL(url).host}`;
}

async function idle(client: SupabaseClient): Promise<void> {
  await client.auth.stopAutoRefresh();
  await client.realtime.disconnect();
}
