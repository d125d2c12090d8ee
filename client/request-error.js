// request-error.js: how the client reports a refused request.

/**
 * A refused request: the server's ERROR ({code, message, ref}), or a
 * client-side failure (code 'disconnected', 'offline', 'timeout', 'closed').
 */
export class RequestError extends Error {
  constructor(code, message, ref = null) {
    super(message);
    this.name = 'RequestError';
    this.code = code;
    this.ref = ref;
  }
}
