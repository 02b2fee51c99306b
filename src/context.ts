import { createContext } from '@lit/context';
import type { Room } from './connection/types.js';

/**
 * The one context key: `<flock-room>` provides its Room under it, and every Flock element
 * inside (light DOM or through shadow roots) consumes it. An app's own elements may consume
 * it too, with `@consume({ context: roomContext, subscribe: true })`.
 */
export const roomContext = createContext<Room | undefined>(Symbol.for('flock-room'));
