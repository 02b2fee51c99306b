import { FlockAvatars } from './avatars/avatars.js';
import { FlockBell } from './bell/bell.js';
import { FlockChat } from './chat/chat.js';
import { FlockCursors } from './cursors/cursors.js';
import { FlockRoom } from './room/room.js';
import { FlockStatus } from './status/status.js';
import { defineFlockElement } from './register.js';

/** Registers every Flock element under its tag, skipping tags already taken. */
export function defineFlockElements(registry: CustomElementRegistry = customElements): void {
  const elements: [string, CustomElementConstructor][] = [
    ['flock-room', FlockRoom],
    ['flock-status', FlockStatus],
    ['flock-avatars', FlockAvatars],
    ['flock-cursors', FlockCursors],
    ['flock-bell', FlockBell],
    ['flock-chat', FlockChat],
  ];
  for (const [tag, element] of elements) defineFlockElement(tag, element, registry);
}

