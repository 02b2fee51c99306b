/**
 * flock-kit/room: registers `<flock-room>` alone; each one-element entry imports it.
 * @packageDocumentation
 */
import { FlockRoom } from '../elements/room/room.js';
import { defineFlockElement } from '../elements/register.js';

defineFlockElement('flock-room', FlockRoom);

export { FlockRoom };
