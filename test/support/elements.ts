import type { SupabaseClient } from '@supabase/supabase-js';
import type { Room } from '../../src/connection/types.js';
import type { FlockRoom } from '../../src/elements/room/room.js';

/**
 * Mounts `markup` inside a `<flock-room>` that provides `room` (a MemoryRoom, usually), in a
 * host with the given direction; returns the first element matching `selector` once rendered.
 */
export async function mountInRoom<T extends HTMLElement & { updateComplete: Promise<unknown> }>(
  room: Room,
  markup: string,
  selector: string,
  hosts: HTMLElement[],
  dir: 'ltr' | 'rtl' = 'ltr',
): Promise<T> {
  const host = document.createElement('div');
  host.dir = dir;
  host.innerHTML = `<flock-room>${markup}</flock-room>`;
  (host.firstElementChild as FlockRoom).api = room;
  document.body.append(host);
  hosts.push(host);
  const el = host.querySelector<T>(selector)!;
  await el.updateComplete;
  return el;
}

/**
 * Mounts `markup` inside a `<flock-room room=…>` that connects with an app's own `client` (a
 * real supabase-js client, its own user); returns the `<flock-room>`.
 */
export function mountWithClient(client: SupabaseClient, room: string, markup: string, hosts: HTMLElement[]): FlockRoom {
  const host = document.createElement('div');
  const el = document.createElement('flock-room');
  el.room = room;
  el.client = client;
  el.innerHTML = markup;
  host.append(el);
  document.body.append(host);
  hosts.push(host);
  return el;
}

/** After a test: removes what it mounted and closes its app clients (channels, then socket). */
export async function unmountAll(hosts: HTMLElement[], clients: SupabaseClient[]): Promise<void> {
  for (const host of hosts.splice(0)) host.remove();
  for (const client of clients.splice(0)) {
    await client.removeAllChannels();
    void client.realtime.disconnect();
  }
}
