import type { Claims } from '../../db.ts';
import type { ChangeBinding } from './bindings.ts';

/**
 * The shapes the change feed's parts share: a captured change as the log holds it, the
 * message a subscriber receives, and what the feed needs of a subscriber.
 */

export type ChangeType = 'INSERT' | 'UPDATE' | 'DELETE';
export type Row = Record<string, unknown>;

/** A channel member with postgres_changes bindings. */
export interface ChangeSubscriber {
  readonly claims: Claims;
  readonly changeBindings: readonly ChangeBinding[];
  deliverChange(payload: ChangeMessage): void;
  /** Ends the subscriber's channel with an error it can see, so its client re-joins and catches up. */
  fail(message: string): void;
}

/** A postgres_changes message's payload, as Realtime sends it. */
export interface ChangeMessage {
  ids: number[];
  data: {
    schema: string;
    table: string;
    commit_timestamp: string;
    type: ChangeType;
    columns: { name: string; type: string }[];
    record?: Row;
    old_record?: Row;
    errors: null;
  };
}

/** One row of `realtime.local_change_log`. */
export interface LogRow {
  id: number | bigint | string;
  schema_name: string;
  table_name: string;
  type: ChangeType;
  record: Row | null;
  old_record: Row | null;
  commit_timestamp: Date | string;
}

/** For each row of a batch (by index), the subscribers it may go to and their bindings that cover it. */
export type Candidates = Map<ChangeSubscriber, ChangeBinding[]>[];
