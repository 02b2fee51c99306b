/**
 * WebSocket close codes the server uses (RFC 6455 §7.4.1). realtime-js reconnects after any
 * close it did not ask for, so the code and reason are for people and logs.
 */
export const CLOSE = {
  /** Server shutting down. */
  goingAway: 1001,
  /** Nothing received (not even a heartbeat) within the idle timeout. */
  idle: 1000,
  /** A frame that is not valid Phoenix JSON or a known binary kind. */
  invalidFrame: 1007,
  /** Sustained flooding past the rate limit. */
  policy: 1008,
  /** A frame larger than the frame limit (sent by `ws` itself). */
  tooBig: 1009,
} as const;
