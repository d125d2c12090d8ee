// Types for events.js: how the client's objects dispatch their events, and
// the typed addEventListener / removeEventListener each of them declares.

/** Dispatches a CustomEvent of `type` on `target`, its detail `detail`. */
export function fire(target: EventTarget, type: string, detail: unknown): void;

/**
 * An EventTarget whose addEventListener and removeEventListener are typed by
 * an event map (other event types stay allowed). A class that is an
 * EventTarget with events `M` at run time is declared `class C {…}` and
 * `interface C extends TypedEventTarget<M> {}`: declaring the class
 * `extends EventTarget` as well would give it two addEventListeners.
 */
export interface TypedEventTarget<EventMap> extends EventTarget {
  addEventListener<K extends keyof EventMap>(
    type: K, listener: (this: this, ev: EventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof EventMap>(
    type: K, listener: (this: this, ev: EventMap[K]) => unknown,
    options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void;
}
