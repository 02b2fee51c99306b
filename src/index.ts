/**
 * flock-kit: custom elements that add live collaboration to any page.
 *
 * This is the ES module entry for apps with a bundler: lit, @lit/context and
 * @supabase/supabase-js are peer imports here, so an app shares its own copies and client.
 * Importing it registers the elements (`<flock-room>` …).
 * @packageDocumentation
 */
import { defineFlockElements } from './elements/define.js';

export { VERSION, WIRE_VERSION } from './version.js';
export { LOCAL_ANON_KEY, LOCAL_SUPABASE_URL } from './connection/local-defaults.js';
export { roomContext } from './context.js';
export { FlockRoom, type FlockStatusChangeDetail, type FlockUserChangeDetail } from './elements/room/room.js';
export { defineFlockElements } from './elements/define.js';
export { FlockElement } from './elements/base.js';
export { FlockStatus } from './elements/status/status.js';
export { FlockAvatars, type FlockPresenceChangeDetail, type FlockAvatarClickDetail } from './elements/avatars/avatars.js';
export type { Person } from './elements/avatars/people.js';
export { FlockCursors, type CursorPerson, type FlockCursorDetail } from './elements/cursors/cursors.js';
export { effectiveRate } from './elements/cursors/cursor-sender.js';
export { FlockBell, type FlockNotificationDetail, type FlockNotificationsReadDetail } from './elements/bell/bell.js';
export type { FlockNotification } from './elements/bell/inbox-controller.js';
export { FlockChat, type FlockMessageDetail, type FlockMessageFailedDetail } from './elements/chat/chat.js';
export type { ChatMessage, MessageState } from './elements/chat/timeline.js';
export { setFlockMessages, flockLocale, MESSAGES, type MessageKey } from './i18n/messages.js';
export { STATUS, QUALITY, qualityOf, type ConnectionStatus, type Quality } from './connection/status.js';
export { PALETTE, colorFor } from './connection/palette.js';
export { isSafeUrl, WIRE_LIMITS, type PresenceMeta, type PresenceStatus, type CursorMessage, type TypingMessage, type BroadcastEvent, type BroadcastPayload } from './connection/wire.js';
export type * from './connection/types.js';

defineFlockElements();
