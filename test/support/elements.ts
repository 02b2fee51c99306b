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
