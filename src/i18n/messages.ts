/**
 * Every string Flock shows, in one table, so a page can translate the kit:
 *
 * ```js
 * import { setFlockMessages } from 'flock-kit';
 * setFlockMessages({ 'status.connected': 'Verbunden' }, 'de');
 * ```
 *
 * Values take `{name}` parameters. Counted strings have one entry per plural category
 * (`.one`, `.other`, and `.zero`/`.two`/`.few`/`.many` where a language needs them), chosen
 * with `Intl.PluralRules` for the table's locale. Elements re-render when the table changes.
 */
export const MESSAGES = {
  'status.connecting': 'Connecting…',
  'status.connected': 'Connected',
  'status.connectedLatency': 'Connected · {latency} ms',
  'status.reconnecting': 'Reconnecting…',
  'status.reconnectingIn': 'Reconnecting in {seconds} s…',
  'status.offline': 'Offline',
  'status.offlineQueued.one': 'Offline · {count} queued',
  'status.offlineQueued.other': 'Offline · {count} queued',
  'status.name': 'Connection: {label}',
  'status.nameQuality': 'Connection: {label}, {quality} quality',
  'status.announce': 'Connection {label}',
  'status.details': 'Connection details',
  'status.field.status': 'Status',
  'status.field.latency': 'Latency',
  'status.field.quality': 'Quality',
  'status.field.lastConnected': 'Last connected',
  'status.field.attempt': 'Reconnect attempt',
  'status.field.nextTry': 'Next try',
  'status.field.queued': 'Queued writes',
  'status.field.failed': 'Refused writes',
  'status.field.dropped': 'Dropped messages',
  'status.latencyValue': '{latency} ms',
  'status.inSeconds': 'in {seconds} s',
  'status.never': 'Never',
  'status.unknown': '—',
  'status.retryNow': 'Retry now',
  'status.retryWrite': 'Retry',
  'status.discardWrite': 'Discard',
  'status.writeRefused': '{label}: {reason}',
  'status.close': 'Close',
  'avatars.label': 'People in the room',
  'avatars.everyone': 'Everyone in the room',
  'avatars.you': '{name} (you)',
  'avatars.person': '{name}, {status}',
  'avatars.active': 'active',
  'avatars.away': 'away',
  'avatars.more.one': '{count} more person',
  'avatars.more.other': '{count} more people',
  'avatars.hereSince': 'here since {time}',
  'avatars.joined1': '{a} joined',
  'avatars.joined2': '{a} and {b} joined',
  'avatars.joinedMany.one': '{a} and {count} other joined',
  'avatars.joinedMany.other': '{a} and {count} others joined',
  'avatars.left1': '{a} left',
  'avatars.left2': '{a} and {b} left',
  'avatars.leftMany.one': '{a} and {count} other left',
  'avatars.leftMany.other': '{a} and {count} others left',
  'cursors.pointing1': '{a} is pointing',
  'cursors.pointing2': '{a} and {b} are pointing',
  'cursors.pointingMany.one': '{a} and {count} other are pointing',
  'cursors.pointingMany.other': '{a} and {count} others are pointing',
  'cursors.nobody': 'Nobody else is pointing',
  'bell.label': 'Notifications',
  'bell.labelUnread.one': 'Notifications, {count} unread',
  'bell.labelUnread.other': 'Notifications, {count} unread',
  'bell.all': 'All',
  'bell.unread': 'Unread',
  'bell.markAllRead': 'Mark all read',
  'bell.markRead': 'Mark read',
  'bell.markUnread': 'Mark unread',
  'bell.delete': 'Delete',
  'bell.unreadMarker': 'Unread',
  'bell.empty': 'No notifications',
  'bell.emptyUnread': 'You are all caught up',
  'bell.loading': 'Loading notifications…',
  'bell.error': 'Notifications could not be loaded.',
  'bell.retry': 'Try again',
  'bell.more': 'Show older',
  'bell.refused': 'That didn’t work: {reason}',
  'bell.new': 'New notification: {title}',
  'chat.label': 'Chat messages',
  'chat.composer': 'Message',
  'chat.placeholder': 'Write a message…',
  'chat.send': 'Send',
  'chat.loading': 'Loading messages…',
  'chat.loadingOlder': 'Loading earlier messages…',
  'chat.error': 'Messages could not be loaded.',
  'chat.tryAgain': 'Try again',
  'chat.empty': 'No messages yet. Say hello!',
  'chat.start': 'This is the start of the conversation.',
  'chat.signIn': 'Sign in to read and write messages.',
  'chat.readonly': 'This conversation is read-only.',
  'chat.messageFrom': '{author}, {time}',
  'chat.pending': 'Sending…',
  'chat.failed': 'Not sent: {reason}',
  'chat.edited': 'edited',
  'chat.deleted': 'Message deleted',
  'chat.retry': 'Retry',
  'chat.discard': 'Discard',
  'chat.edit': 'Edit',
  'chat.editOf': 'Edit message from {author}',
  'chat.delete': 'Delete',
  'chat.deleteOf': 'Delete message from {author}',
  'chat.confirmDelete': 'Delete this message?',
  'chat.cancel': 'Cancel',
  'chat.editLabel': 'Edit message',
  'chat.editHint': 'Enter to save, Escape to cancel',
  'chat.refused': 'That didn’t work: {reason}',
  'chat.notYours': 'You can only change your own messages.',
  'chat.dismiss': 'Dismiss',
  'chat.newMessages': 'New messages',
  'chat.newCount.one': '{count} new message',
  'chat.newCount.other': '{count} new messages',
  'chat.jump': 'Jump to latest',
  'chat.typing1': '{a} is typing…',
  'chat.typing2': '{a} and {b} are typing…',
  'chat.typingMany': 'Several people are typing…',
  'chat.someone': 'Someone',
  'chat.seenBy': 'Seen by {names}',
  'chat.seenByCount.one': 'Seen by {count} person',
  'chat.seenByCount.other': 'Seen by {count} people',
  'chat.suggestions': 'People to mention',
  'chat.left.one': '{count} character left',
  'chat.left.other': '{count} characters left',
  'chat.tooLong.one': '{count} character too long',
  'chat.tooLong.other': '{count} characters too long',
  'quality.excellent': 'excellent',
  'quality.good': 'good',
  'quality.fair': 'fair',
  'quality.poor': 'poor',
} as const;

export type MessageKey = keyof typeof MESSAGES;
type Params = Record<string, string | number>;

let table: Record<string, string> = { ...MESSAGES };
let locale = 'en';
// Made once per locale: a chat re-renders its counts on every presence or typing change.
let pluralRules = new Intl.PluralRules(locale);
let version = 0;
const listeners = new Set<() => void>();

/** Replaces some or all strings (and the locale used for plurals, numbers and times). */
export function setFlockMessages(messages: Partial<Record<MessageKey, string>> & Record<string, string>, lang = locale): void {
  // First: a malformed locale throws here (RangeError) before anything has changed.
  if (lang !== locale) pluralRules = new Intl.PluralRules(lang);
  table = { ...table, ...messages };
  version++;
  locale = lang;
  for (const listener of listeners) listener();
}

/** Changes each time the table does: a cache of rendered text can key on it. */
export function messagesVersion(): number {
  return version;
}

/** The locale of the message table. */
export function flockLocale(): string {
  return locale;
}

/** Calls `listener` whenever the table changes; returns an unsubscribe. */
export function onMessagesChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

function fill(template: string, params: Params): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A string from the table with its parameters filled in. */
export function msg(key: MessageKey, params: Params = {}): string {
  return fill(table[key] ?? key, params);
}

/** A counted string: `base.one`, `base.other`… by the locale's plural rules for `count`. */
export function plural(base: string, count: number, params: Params = {}): string {
  const category = pluralRules.select(count);
  const template = table[`${base}.${category}`] ?? table[`${base}.other`] ?? base;
  return fill(template, { count, ...params });
}
