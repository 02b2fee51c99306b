/**
 * A page of its own for tests that need a reload or a second tab: an iframe loads it with
 * `?url=<server>&room=<room>`, it mounts one `<flock-room>`, and the parent drives it through
 * `window.flockFrame`. Its fetches to the REST API are counted (the page's fetch, wrapped
 * before the kit loads) so a test can prove a write was sent once.
 */
import type { Room } from '../../src/connection/types.js';

export interface FlockFrame {
  room(): Room;
  /** `METHOD path` of every REST request this page made. */
  restCalls: string[];
}

const restCalls: string[] = [];
const nativeFetch = window.fetch.bind(window);
window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.pathname.startsWith('/rest/v1/')) restCalls.push(`${init?.method ?? (input instanceof Request ? input.method : 'GET')} ${url.pathname}`);
  return nativeFetch(input, init);
};

await import('../../src/index.js');
const params = new URLSearchParams(location.search);
const el = document.createElement('flock-room');
el.setAttribute('supabase-url', params.get('url') ?? '');
el.setAttribute('room', params.get('room') ?? 'frame');
if (params.get('name')) el.setAttribute('user-name', params.get('name')!);
// `&bell=1` adds the notification bell, for its offline tests.
if (params.get('bell')) el.innerHTML = '<flock-bell></flock-bell>';
// `&chat=1` adds the chat, for its offline tests.
if (params.get('chat')) el.innerHTML += '<flock-chat></flock-chat>';
document.body.append(el);

const frame: FlockFrame = {
  room() {
    if (!el.api) throw new Error('no room');
    return el.api;
  },
  restCalls,
};
(window as unknown as { flockFrame: FlockFrame }).flockFrame = frame;
