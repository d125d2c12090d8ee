// connection.js: the one WebSocket a SessionClock talks through, reopened
// after every loss with a randomised backoff until close(). It carries JSON
// objects and tells its owner how the connection fares; what the messages
// mean is the owner's business.

/** ws(s)://host/ws from a ws(s) URL, an http(s) origin or page URL. */
export function socketUrl(url) {
  const base = typeof location !== 'undefined' ? location.href : undefined;
  const u = new URL(String(url), base);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new TypeError(`not a WebSocket or HTTP URL: ${url}`);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/ws';
  u.hash = '';
  return u.toString();
}

export class Connection {
  #url;
  #WebSocket;
  #options;                  // minBackoffMs, maxBackoffMs
  #on;                       // the owner's handlers (see the constructor)
  #socket = null;
  #status = 'offline';
  #closed = false;
  #attempt = 0;              // reconnect attempts since the last healthy connection
  #reconnectTimer = null;

  /**
   * `on` is told: opened() (the socket can send; the status turns 'live'
   * after it), message(object), dropped() (the socket is gone; 'offline'
   * after it), status(status), failed(message) (no socket could be made).
   * Nothing happens until connect().
   */
  constructor(url, WebSocket, options, on) {
    this.#url = url;
    this.#WebSocket = WebSocket;
    this.#options = options;
    this.#on = on;
  }

  get url() { return this.#url; }
  /** 'live' while the WebSocket is open, 'offline' otherwise. */
  get status() { return this.#status; }
  get live() { return this.#status === 'live'; }
  get closed() { return this.#closed; }
  /** The socket takes messages now (already while opened() runs, before 'live'). */
  get writable() {
    const socket = this.#socket;
    return Boolean(socket) && socket.readyState === 1;
  }

  /** Opens a socket; called once by the owner, then again after each loss. */
  connect() {
    this.#reconnectTimer = null;
    if (this.#closed) return;
    let socket;
    try {
      socket = new this.#WebSocket(this.#url);
    } catch (e) {
      this.#on.failed(String(e && e.message || e));
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    socket.onopen = () => { if (this.#socket === socket) this.#opened(); };
    socket.onmessage = (e) => { if (this.#socket === socket) this.#received(e.data); };
    socket.onclose = () => { if (this.#socket === socket) this.#lost(); };
    socket.onerror = () => { /* a close follows; its details are not exposed to scripts */ };
  }

  /** Sends `message` as JSON; false (and nothing sent) without an open socket. */
  send(message) {
    if (!this.writable) return false;
    this.#socket.send(JSON.stringify(message));
    return true;
  }

  /** The server answers: the next outage starts from the shortest backoff. */
  healthy() {
    this.#attempt = 0;
  }

  /** Gives up on a socket that stopped answering (half-open): dropped now, reopened after the backoff. */
  abandon() {
    const socket = this.#socket;
    this.#lost();
    try { socket && socket.close(); } catch { /* already closing */ }
  }

  // Now rather than after the backoff: the network or the tab just came back.
  reconnectSoon() {
    if (this.#closed || this.#socket) return;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#attempt = 0;
    this.connect();
  }

  /** Closes for good: no reconnects. */
  close() {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    const socket = this.#socket;
    this.#drop();
    if (socket) {
      try { socket.close(1000, 'client closed'); } catch { /* already closing */ }
    }
  }

  #opened() {
    this.#on.opened();
    // Last: a 'status' listener may send at once, and the owner's greeting (AUTH) must precede it.
    this.#setStatus('live');
  }

  #received(data) {
    if (typeof data !== 'string') return;
    let m;
    try { m = JSON.parse(data); } catch { return; }
    if (!m || typeof m !== 'object') return;
    this.#on.message(m);
  }

  #lost() {
    this.#drop();
    this.#scheduleReconnect();
  }

  // Forgets the socket without waiting for its close event (a dead peer may
  // take minutes to produce one).
  #drop() {
    const socket = this.#socket;
    this.#socket = null;
    if (socket) socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    this.#on.dropped();
    this.#setStatus('offline');
  }

  #scheduleReconnect() {
    if (this.#closed || this.#reconnectTimer) return;
    const { minBackoffMs, maxBackoffMs } = this.#options;
    const cap = Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt += 1;
    const delay = Math.random() * cap;  // full jitter: reconnecting clients spread out
    this.#reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  #setStatus(status) {
    if (this.#status === status) return;
    this.#status = status;
    this.#on.status(status);
  }
}
