/**
 * flock-kit/react: React components for the Flock elements, made by `@lit/react`.
 *
 * Props that are element properties are set as properties (so `client={supabase}` hands the
 * app's supabase-js client over as an object, never as an attribute), and each `flock-*` event
 * the element fires is an `onFlock…` prop typed from the global `HTMLElementEventMap`.
 * Importing this module registers the elements.
 *
 * ```tsx
 * import { FlockRoom, FlockChat } from 'flock-kit/react';
 * <FlockRoom room="doc-42" client={supabase}>
 *   <FlockChat onFlockMessage={(e) => console.log(e.detail.message.body)} />
 * </FlockRoom>
 * ```
 * @packageDocumentation
 */
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import { FlockAvatars as FlockAvatarsElement } from './elements/avatars/avatars.js';
import { FlockBell as FlockBellElement } from './elements/bell/bell.js';
import { FlockChat as FlockChatElement } from './elements/chat/chat.js';
import { FlockCursors as FlockCursorsElement } from './elements/cursors/cursors.js';
import { defineFlockElements } from './elements/define.js';
import { FlockRoom as FlockRoomElement } from './elements/room/room.js';
import { FlockStatus as FlockStatusElement } from './elements/status/status.js';

// Here, not by importing './index.js': a call in a module two entries share would land in a
// shared chunk, which package.json's `sideEffects` does not list, and bundlers would drop it.
defineFlockElements();

/** An event name carrying its event type from `HTMLElementEventMap`, for a typed `onFlock…` prop. */
const event = <K extends keyof HTMLElementEventMap>(name: K) => name as EventName<HTMLElementEventMap[K]>;

/** `<flock-room>`: the provider; pass the app's client as `client`. */
export const FlockRoom = createComponent({
  react: React,
  tagName: 'flock-room',
  elementClass: FlockRoomElement,
  displayName: 'FlockRoom',
  events: {
    onFlockStatusChange: event('flock-status-change'),
    onFlockUserChange: event('flock-user-change'),
  },
});

/** `<flock-status>`: the connection indicator. */
export const FlockStatus = createComponent({
  react: React,
  tagName: 'flock-status',
  elementClass: FlockStatusElement,
  displayName: 'FlockStatus',
  events: {
    onFlockStatusChange: event('flock-status-change'),
  },
});

/** `<flock-avatars>`: who is in the room. */
export const FlockAvatars = createComponent({
  react: React,
  tagName: 'flock-avatars',
  elementClass: FlockAvatarsElement,
  displayName: 'FlockAvatars',
  events: {
    onFlockPresenceChange: event('flock-presence-change'),
    onFlockAvatarClick: event('flock-avatar-click'),
  },
});

/** `<flock-cursors>`: live cursors over a target. */
export const FlockCursors = createComponent({
  react: React,
  tagName: 'flock-cursors',
  elementClass: FlockCursorsElement,
  displayName: 'FlockCursors',
  events: {
    onFlockCursorEnter: event('flock-cursor-enter'),
    onFlockCursorLeave: event('flock-cursor-leave'),
  },
});

/** `<flock-chat>`: the room's chat. */
export const FlockChat = createComponent({
  react: React,
  tagName: 'flock-chat',
  elementClass: FlockChatElement,
  displayName: 'FlockChat',
  events: {
    onFlockMessage: event('flock-message'),
    onFlockMessageSend: event('flock-message-send'),
    onFlockMessageFailed: event('flock-message-failed'),
  },
});

/** `<flock-bell>`: the current user's notifications. */
export const FlockBell = createComponent({
  react: React,
  tagName: 'flock-bell',
  elementClass: FlockBellElement,
  displayName: 'FlockBell',
  events: {
    onFlockNotification: event('flock-notification'),
    onFlockNotificationClick: event('flock-notification-click'),
    onFlockNotificationsRead: event('flock-notifications-read'),
  },
});

export type {
  FlockAvatarsElement,
  FlockBellElement,
  FlockChatElement,
  FlockCursorsElement,
  FlockRoomElement,
  FlockStatusElement,
};
