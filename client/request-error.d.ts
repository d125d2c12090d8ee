// Types for request-error.js: how the client reports a refused request
// (and the shape of every 'error' event's detail).

/** An ERROR frame from the worker (docs/protocol.md), or a client-side failure. */
export interface ClockError {
  /** bad_field, unauthorized, forbidden, not_found, unavailable, rate_limited, … or connect_failed. */
  code: string;
  message: string;
  /** What the error answers: the request's type under `t` and its `sessionId`, if any; null if unknown. */
  ref: { t?: string; sessionId?: string; [key: string]: unknown } | null;
}

/**
 * Why a request was refused: the server's ERROR (`forbidden`, `not_found`,
 * `invalid_state`, `bad_field`, `unauthorized`, `unavailable`,
 * `rate_limited`, …), or on the client's side `offline` (not sent: not
 * connected), `disconnected` (the connection closed before the answer: the
 * command may or may not have been applied), `timeout`, `closed`.
 */
export class RequestError extends Error implements ClockError {
  constructor(code: string, message: string, ref?: ClockError['ref']);
  readonly name: 'RequestError';
  readonly code: string;
  readonly ref: ClockError['ref'];
}
