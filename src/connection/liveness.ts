import type { HeartbeatStatus } from './socket-watch.js';
import { STATUS, type ConnectionStatus } from './status.js';

/**
 * The connection's status machine, pure: every status change goes through `next(state, input,
 * facts)`, which returns the new state, the delay it planned (for `retry`) and what the caller
 * must do (timers to set or clear, effects to run). No DOM, no supabase-js: the Connection
 * turns socket callbacks and browser events into inputs and carries out the step; unit tests
 * feed inputs and read steps (test/unit/liveness.test.ts).
 *
 * Status comes from the socket (open, close, heartbeat timeouts: phoenix counts a beat with no
 * reply by the next beat as lost, i.e. two intervals of silence) and from the browser
 * (`offline`). With a kit-created client (`owned`) the machine also plans every reconnect
 * delay (phoenix asks through `reconnectAfterMs`) and tries at once when the network returns
 * or the page becomes visible; with an app's client it only observes.
 */

/**
 * How long a kit-created socket may stay "connecting" before the attempt counts as failed.
 * A WebSocket opened into a dead link (no answer, no reset) waits on the browser's own TCP
 * timeout, minutes, and phoenix has no limit: without this the page would not reconnect when
 * the network came back.
 */
export const CONNECT_TIMEOUT_MS = 10_000;

/** After a pause, how long a kit-created socket has to answer a heartbeat before it is replaced. */
export const WAKE_PROBE_MS = 3000;

/**
 * What the machine reacts to: `start` (the Connection was created; the socket may already be
 * open), the socket's `open`, `close`, `error` and `heartbeat`s, the browser's `online`,
 * `offline` and `visible`, `retry` (phoenix asks how long to wait before try number `tries`,
 * kit-created clients), `retryNow` (Retry now, or the network came back), and the watches
 * running out: `connectTimeout` (an attempt still connecting is abandoned) and `wakeTimeout` (a
 * socket silent since the page woke is replaced).
 */
export type LivenessInput =
  | { type: 'start' | 'open' | 'close' | 'error' | 'online' | 'offline' | 'visible' | 'retryNow' | 'connectTimeout' | 'wakeTimeout' }
  | { type: 'heartbeat'; beat: HeartbeatStatus; latency?: number }
  | { type: 'retry'; tries: number };

/** What the page can tell at the moment of an input, and the connection's fixed rules. */
export interface Facts {
  /** Epoch ms. */
  now: number;
  /** False only when the browser says it is offline (`navigator.onLine === false`). */
  online: boolean;
  visible: boolean;
  /** The socket's own state. */
  socket: 'open' | 'opening' | 'closed';
  heartbeatMs: number;
  /** True for a kit-created client: the machine drives its reconnects. */
  owned: boolean;
  /** The reconnect schedule, `tries => ms` (see backoff.ts). */
  delayFor(tries: number): number;
}

export interface LivenessState {
  readonly status: ConnectionStatus;
  /** Reconnect tries since the last open. */
  readonly attempt: number;
  readonly nextRetryAt: number | undefined;
  readonly lastConnectedAt: number | undefined;
  /** When the server was last heard from (socket opened, heartbeat answered); 0 once presumed lost. */
  readonly lastHeardAt: number;
}

/** Something the caller does after applying a step, in order. */
export type Effect =
  /** Send a heartbeat now (unless one is in flight). */
  | 'probe'
  /** Send a heartbeat once the current callback has returned. */
  | 'probeSoon'
  /** Phoenix's own reconnect step: close the socket (open, stuck or none), then connect. */
  | 'reconnect'
  /** Ask an app's realtime-js to connect if it is idle. */
  | 'connect'
  /** Just connected: send the outbox, let a visitor sign in. */
  | 'connected';

export interface Step {
  readonly state: LivenessState;
  /** For `retry`: the delay handed to phoenix. */
  readonly delay?: number;
  /** The connect watch: set to fire in ms, `null` to clear, absent to leave as is. */
  readonly connectWatch?: number | null;
  /** The wake probe's deadline, the same way. */
  readonly wakeWatch?: number | null;
  /** What to do, in order; none when absent. */
  readonly effects?: readonly Effect[];
}

export const INITIAL: LivenessState = Object.freeze({
  status: STATUS.connecting,
  attempt: 0,
  nextRetryAt: undefined,
  lastConnectedAt: undefined,
  lastHeardAt: 0,
});

/** Every status transition. Returns `state` itself when nothing changed. */
export function next(state: LivenessState, input: LivenessInput, facts: Facts): Step {
  switch (input.type) {
    case 'start':
      if (facts.socket === 'open') return opened(state, facts);
      return { state, connectWatch: facts.owned ? CONNECT_TIMEOUT_MS : undefined };
    case 'open':
      return opened(state, facts);
    case 'close':
      // Phoenix counts an owned socket's tries and tells us through `retry`; an app's we count here.
      return { state: { ...state, status: lostStatus(facts), attempt: facts.owned ? state.attempt : state.attempt + 1 } };
    case 'error':
      return { state };
    case 'heartbeat':
      if (input.beat === 'sent' && facts.visible && stale(state, facts)) {
        // Late by more than an interval on a visible page (hidden ones are throttled): timers were paused.
        return presumeLost(state, facts);
      }
      if (input.beat === 'ok' && input.latency !== undefined) {
        const heard = { ...state, lastHeardAt: facts.now };
        return heard.status !== STATUS.connected && facts.socket === 'open' ? opened(heard, facts) : { state: heard };
      }
      if (input.beat === 'timeout') return { state: { ...state, status: lostStatus(facts) } };
      return { state };
    case 'online':
    case 'visible': {
      const back = state.status === STATUS.offline && facts.online ? { ...state, status: STATUS.reconnecting } : state;
      if (stale(back, facts)) return presumeLost(back, facts);
      return facts.owned ? retryNow(back, facts) : { state: back };
    }
    case 'offline':
      return { state: { ...state, status: STATUS.offline } };
    case 'retry': {
      const delay = facts.delayFor(input.tries);
      return {
        state: { ...state, status: lostStatus(facts), attempt: input.tries, nextRetryAt: facts.now + delay },
        delay,
        connectWatch: facts.owned ? delay + CONNECT_TIMEOUT_MS : undefined,
      };
    }
    case 'retryNow':
      return retryNow(state, facts);
    case 'connectTimeout':
      return facts.socket === 'opening' ? retryNow(state, facts) : { state };
    case 'wakeTimeout':
      return state.status !== STATUS.connected && facts.owned ? reconnect(state, facts) : { state };
  }
}

/**
 * An open socket not heard from for over two heartbeat intervals, the span phoenix allows a
 * beat: the page's timers were paused (frozen, asleep), so the socket may have died unseen
 * and the status may be long out of date.
 */
export function stale(state: LivenessState, facts: Facts): boolean {
  return facts.socket === 'open' && state.lastHeardAt > 0 && facts.now - state.lastHeardAt > 2 * facts.heartbeatMs;
}

function lostStatus(facts: Facts): ConnectionStatus {
  return facts.online ? STATUS.reconnecting : STATUS.offline;
}

function opened(state: LivenessState, facts: Facts): Step {
  return {
    state: { ...state, status: STATUS.connected, attempt: 0, nextRetryAt: undefined, lastHeardAt: facts.now, lastConnectedAt: facts.now },
    connectWatch: null,
    wakeWatch: null,
    // A first latency figure now rather than one interval later.
    effects: ['probeSoon', 'connected'],
  };
}

/** An open socket is left alone; an owned one is replaced now; an app's is asked to connect. */
function retryNow(state: LivenessState, facts: Facts): Step {
  if (facts.socket === 'open') return { state };
  return facts.owned ? reconnect(state, facts) : { state, effects: ['connect'] };
}

function reconnect(state: LivenessState, facts: Facts): Step {
  return { state: { ...state, status: lostStatus(facts), nextRetryAt: undefined }, connectWatch: CONNECT_TIMEOUT_MS, effects: ['reconnect'] };
}

/**
 * Says so at once (not after phoenix's next heartbeat timeout, up to two intervals away) and
 * asks the server: an answer shows it connected again. A kit-created socket that stays silent
 * for `WAKE_PROBE_MS` is replaced; an app's is left to its own heartbeat.
 */
function presumeLost(state: LivenessState, facts: Facts): Step {
  return {
    state: { ...state, lastHeardAt: 0, status: lostStatus(facts) },
    wakeWatch: facts.owned ? WAKE_PROBE_MS : undefined,
    effects: ['probe'],
  };
}
