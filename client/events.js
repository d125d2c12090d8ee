// events.js: how the client's objects dispatch their events: a CustomEvent
// whose detail is the payload (events.d.ts types them per object).

export function fire(target, type, detail) {
  target.dispatchEvent(new CustomEvent(type, { detail }));
}
