// hooks.js: how a SessionClock reaches the timers and the room it serves.
// Symbol keys, defined here once, so none of it is public API: only the
// modules that import them can call these.

export const RESUME = Symbol('resume');             // a (re)connected socket: follow or join again
export const DISCONNECTED = Symbol('disconnected'); // the socket is gone
export const MESSAGE = Symbol('message');           // a frame for this timer or room
export const SERVER_ERROR = Symbol('serverError');  // an ERROR that may concern it
export const CLOSE = Symbol('close');               // the room is closed by its owner

// Constructor keys: only SessionClock makes timers and rooms.
export const TIMER_KEY = Symbol('SessionTimer');
export const ROOM_KEY = Symbol('Room');
