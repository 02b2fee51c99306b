// The demo page's wiring: plain JavaScript over the script-tag file, no build.
import { createClient, LOCAL_ANON_KEY, PALETTE } from '/flock.js';

const ADJECTIVES = ['Brave', 'Calm', 'Clever', 'Curious', 'Gentle', 'Happy', 'Lucky', 'Nimble', 'Quiet', 'Swift', 'Sunny', 'Witty'];
const ANIMALS = ['Badger', 'Crane', 'Falcon', 'Fox', 'Heron', 'Lynx', 'Otter', 'Owl', 'Panda', 'Puffin', 'Robin', 'Wren'];
const pick = (list) => list[Math.floor(Math.random() * list.length)];

/**
 * A network switch for this page, so "Simulate offline" takes the real offline paths: while it
 * is off, every request fails as a dropped network does, sockets close and new ones fail, and
 * the browser's `navigator.onLine` and `offline`/`online` events say so. Nothing in the kit
 * knows it is simulated: status, reconnects and the outbox behave as they would on a train.
 */
const network = {
  offline: false,
  sockets: new Set(),
  fetch(input, init) {
    if (network.offline) return Promise.reject(new TypeError('Failed to fetch (simulated offline)'));
    return window.fetch(input, init);
  },
  Socket: class extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      if (network.offline) {
        this.close(4000, 'simulated offline');
        return;
      }
      network.sockets.add(this);
      this.addEventListener('close', () => network.sockets.delete(this));
    }
  },
  set(offline) {
    network.offline = offline;
    Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => !network.offline });
    if (offline) for (const socket of network.sockets) socket.close(4000, 'simulated offline');
    window.dispatchEvent(new Event(offline ? 'offline' : 'online'));
  },
};

// One user per window: the session lives in sessionStorage, not localStorage, so a second
// window (not a duplicated tab, which copies sessionStorage) signs in as someone else.
const supabase = createClient(location.origin, LOCAL_ANON_KEY, {
  auth: { storage: sessionStorage, storageKey: 'flock-demo-auth' },
  global: { fetch: network.fetch },
  realtime: { transport: network.Socket },
});

const profile = JSON.parse(sessionStorage.getItem('flock-demo-profile') ?? 'null') ?? {
  name: `${pick(ADJECTIVES)} ${pick(ANIMALS)}`,
  color: pick(PALETTE),
};
const saveProfile = () => sessionStorage.setItem('flock-demo-profile', JSON.stringify(profile));
saveProfile();

const { data } = await supabase.auth.getSession();
if (!data.session) {
  const { error } = await supabase.auth.signInAnonymously({ options: { data: { name: profile.name, color: profile.color } } });
  if (error) document.body.append(`Could not sign in to the local server: ${error.message}`);
}

// The room gets this window's client before it connects, so the kit uses it as is: one socket, this session.
const page = document.importNode(document.querySelector('#app').content, true);
const room = page.querySelector('flock-room');
room.client = supabase;
room.userName = profile.name;
room.userColor = profile.color;
document.body.append(page);
// For tests and the curious: the page's client and room.
Object.assign(window, { supabase, flockRoom: room });

const $ = (selector) => document.querySelector(selector);
const hint = $('#hint');
const say = (text) => (hint.textContent = text);

$('#name').value = profile.name;
$('#name').addEventListener('change', (event) => {
  const name = event.target.value.trim();
  if (!name) return;
  profile.name = room.userName = name;
  saveProfile();
});
$('#color').value = profile.color;
$('#color').addEventListener('input', (event) => {
  profile.color = room.userColor = event.target.value;
  saveProfile();
});

$('#offline').addEventListener('change', (event) => {
  network.set(event.target.checked);
  if (event.target.checked) {
    say('Offline: messages you send now wait in the outbox and go out once, in order, when you are back.');
  } else {
    // An app's client reconnects on its own schedule; the kit's retryNow() asks it to try at once.
    room.retryNow();
    say('Back online: the outbox is sent and the room catches up.');
  }
});

$('#notify').addEventListener('click', async () => {
  const { data: { session } } = await supabase.auth.getSession();
  try {
    const response = await network.fetch(`/demo/v1/notify?room=${encodeURIComponent(room.room)}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${session?.access_token ?? ''}` },
    });
    const body = await response.json();
    say(response.ok ? `Sent “${body.sent}”: watch the bell.` : `Not sent: ${body.message}`);
  } catch {
    say('Not sent: you are offline. Notifications come from a server, so this one needs the network.');
  }
});
