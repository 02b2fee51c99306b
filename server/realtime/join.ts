/**
 * The `phx_join` payload realtime-js sends (`RealtimeChannel.subscribe`), read into a typed
 * value at the edge. Like Realtime (`payloads/join.ex`), a malformed payload does not refuse
 * the join: a field of the wrong type takes its default. Booleans may also be sent as the
 * strings "true" / "false" (`payloads/flexible_boolean.ex`).
 */

export interface JoinRequest {
  /** `broadcast.self`: the sender receives its own broadcasts. */
  self: boolean;
  /** `broadcast.ack`: the server replies to each broadcast push. */
  ack: boolean;
  presenceEnabled: boolean;
  /** The client's presence key; empty means "make one up". */
  presenceKey: string;
  private: boolean;
  /** `config.postgres_changes`, checked later against the database. */
  postgresChanges: unknown;
  accessToken?: string;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function flag(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  return typeof value === 'string' && value.toLowerCase() === 'true';
}

export function readJoinRequest(payload: unknown): JoinRequest {
  const p = record(payload);
  const config = record(p.config);
  const broadcast = record(config.broadcast);
  const presence = record(config.presence);
  const token = p.access_token;
  return {
    self: flag(broadcast.self),
    ack: flag(broadcast.ack),
    presenceEnabled: flag(presence.enabled),
    presenceKey: typeof presence.key === 'string' ? presence.key : typeof presence.key === 'number' ? String(presence.key) : '',
    private: flag(config.private),
    postgresChanges: config.postgres_changes,
    accessToken: typeof token === 'string' && token !== '' ? token : undefined,
  };
}
