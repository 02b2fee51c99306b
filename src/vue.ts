/**
 * flock-kit/vue: types only. Vue templates type-check custom elements through Vue's
 * `GlobalComponents` interface, the way the Vue guide recommends for elements not built with
 * Vue ("Non-Vue Web Components and TypeScript"): each tag's props are the element's public
 * properties (so `<flock-chat :page-size="20">` is checked as a number) and its `flock-*` events
 * are typed from the global `HTMLElementEventMap` (`@flock-message="(e) => e.detail.message"`).
 *
 * Bring it into a Vue project once, in any `.d.ts` or `.ts` the tsconfig includes:
 * `import type {} from 'flock-kit/vue';`. The elements themselves are registered by
 * `import 'flock-kit'`, and Vue must be told they are custom elements
 * (`compilerOptions.isCustomElement: (tag) => tag.startsWith('flock-')`).
 * @packageDocumentation
 */
import type { EmitFn, HTMLAttributes, PublicProps } from 'vue';
import type { FlockAvatars } from './elements/avatars/avatars.js';
import type { FlockBell } from './elements/bell/bell.js';
import type { FlockChat } from './elements/chat/chat.js';
import type { FlockCursors } from './elements/cursors/cursors.js';
import type { FlockRoom } from './elements/room/room.js';
import type { FlockStatus } from './elements/status/status.js';

/** The `flock-*` events named, with their types from `HTMLElementEventMap`. */
type Events<K extends keyof HTMLElementEventMap> = { [Name in K]: HTMLElementEventMap[Name] };

/**
 * What Vue reads to check a tag in a template: `$props` for its props, `$emit` for its events.
 * Neither exists on the element: they are marked deprecated so a template ref's users are warned.
 */
export type FlockVueElement<Element extends HTMLElement, Props extends keyof Element, Emits extends Record<string, Event>> = new () => Element & {
  /** @deprecated Template type-checking only; not on the element. */
  $props: HTMLAttributes & Partial<Pick<Element, Props>> & PublicProps;
  /** @deprecated Template type-checking only; not on the element. */
  $emit: EmitFn<{ [Name in keyof Emits]: (event: Emits[Name]) => void }>;
};

/** Every Flock tag as Vue sees it; `GlobalComponents` extends this. */
export interface FlockVueComponents {
  'flock-room': FlockVueElement<
    FlockRoom,
    'room' | 'supabaseUrl' | 'supabaseKey' | 'userName' | 'userColor' | 'avatarUrl' | 'client' | 'user' | 'api',
    Events<'flock-status-change' | 'flock-user-change'>
  >;
  'flock-status': FlockVueElement<FlockStatus, 'compact' | 'hideWhenConnected' | 'open', Events<'flock-status-change'>>;
  'flock-avatars': FlockVueElement<FlockAvatars, 'max' | 'size' | 'selfLast' | 'awayAfter' | 'grace', Events<'flock-presence-change' | 'flock-avatar-click'>>;
  'flock-cursors': FlockVueElement<
    FlockCursors,
    'target' | 'rate' | 'budget' | 'idleAfter' | 'showSelf' | 'hideLabels' | 'announce' | 'reducedMotion' | 'renderCursor',
    Events<'flock-cursor-enter' | 'flock-cursor-leave'>
  >;
  'flock-chat': FlockVueElement<FlockChat, 'pageSize' | 'placeholder' | 'readonly' | 'maxLength', Events<'flock-message' | 'flock-message-send' | 'flock-message-failed'>>;
  'flock-bell': FlockVueElement<FlockBell, 'pageSize' | 'dot' | 'toast' | 'sound' | 'open', Events<'flock-notification' | 'flock-notification-click' | 'flock-notifications-read'>>;
}

declare module 'vue' {
  interface GlobalComponents extends FlockVueComponents {}
}
