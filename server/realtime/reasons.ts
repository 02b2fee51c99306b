/**
 * The words the server uses when it refuses something, in one place. Where Supabase
 * Realtime has wording, it is copied (sources in PROTOCOL.md, "Errors"): join refusals are
 * `"<Code>: <message>"`, channel shutdowns are the bare message.
 */
export const reasons = {
  // Join refusals ({status: "error", response: {reason}}).
  topicRequired: 'TopicNameRequired: You must provide a topic name',
  tooManyChannels: 'ChannelRateLimitReached: Too many channels',
  tooManyJoins: 'ClientJoinRateLimitReached: Too many joins per second',
  tooManyUsers: 'ConnectionRateLimitReached: Too many connected users',
  cannotRead: (topic: string) => `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`,

  // Upgrade refusals (HTTP, `{"error": message}`).
  tooManyUsersUpgrade: 'Too many connected users',

  // Replies to pushes.
  unmatchedTopic: 'unmatched topic',
  unknownEvent: (event: string) => `Unknown event: ${event.slice(0, 100)}`,
  payloadTooLarge: 'payload_size_exceeded',
  presenceNotAMap: 'Presence track payload must be a map',
  presenceTooManyKeys: (limit: number) => `Presence payload has more than ${limit} keys`,
  malformedBroadcast: 'Broadcast payload must be {type: "broadcast", event: string, payload}',
  malformedPresence: 'Presence payload must be {type: "presence", event: "track" | "untrack", payload?: object}',

  // Channel shutdowns (a `system` error, then `phx_close`).
  tooManyMessages: 'Too many messages per second',
  tooManyPresenceMessages: 'Too many presence messages per second',
  presenceCallsExceeded: 'Client presence rate limit exceeded',
  trackTooLarge: 'Track message size exceeded',
  lostRead: (topic: string) => `You no longer have permission to read from this Channel topic: ${topic}`,
} as const;
