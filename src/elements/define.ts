import { FlockAvatars } from './avatars/avatars.js';
import { FlockBell } from './bell/bell.js';
import { FlockChat } from './chat/chat.js';
import { FlockCursors } from './cursors/cursors.js';
import { FlockRoom } from './room/room.js';
import { FlockStatus } from './status/status.js';

/**
 * Registers every Flock element under its tag, skipping a tag that is already taken (a second
 * copy of the kit on the page, or an app's own element), so importing twice never throws.
 */
export function defineFlockElements(registry: CustomElementRegistry = customElements): void {
  const elements: [string, CustomElementConstructor][] = [
    ['flock-room', FlockRoom],
    ['flock-status', FlockStatus],
    ['flock-avatars', FlockAvatars],
    ['flock-cursors', FlockCursors],
    ['flock-bell', FlockBell],
    ['flock-chat', FlockChat],
  ];
  for (const [tag, element] of elements) if (!registry.get(tag)) registry.define(tag, element);
}
