/**
 * flock-kit/memory: a Room that lives in memory, for Storybook, tests and offline demos.
 *
 * Several MemoryRooms on one MemoryNetwork see each other as a real room's members do
 * (presence, broadcasts, rows with own-row rules, the outbox), with no server. It is its own
 * entry so production bundles, and the script-tag file, never carry it.
 * @packageDocumentation
 */
export { MemoryNetwork } from './connection/memory/room.js';
export { MemoryRoom, type MemoryRoomOptions } from './connection/memory/room.js';
