// A WebSocket double for the client's Node unit tests: the test opens, feeds
// and drops it, and reads what the client sent.
export function scriptedSockets() {
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      this.createdAt = performance.now();
      sockets.push(this);
    }
    send(text) { this.sent.push(JSON.parse(text)); }
    close() { this.readyState = 3; }
    open() { this.readyState = 1; this.onopen?.({}); }
    receive(message) { this.onmessage?.({ data: JSON.stringify(message) }); }
    drop() { this.readyState = 3; this.onclose?.({ code: 1006 }); }
    types() { return this.sent.map((m) => m.t); }
  }
  return { FakeSocket, sockets };
}

// A pong from a server whose clock is `offset` ms ahead, answering at once.
export function pong(ping, offset) {
  const t = ping.clientNowMs + offset;
  return { t: 'TIME_PONG', clientNowMs: ping.clientNowMs, pingId: ping.pingId, serverReceiveMs: t, serverSendMs: t + 0.01,
           serverNowMs: t + 0.01, syncWarning: false, maxErrorMs: 4.5 };
}
