import type { IncomingMessage, ServerResponse } from 'node:http';
import { CancelledError } from '../run/errors.js';

/** What @hono/node-server passes as `c.env`; absent under `app.request()`. */
export interface NodeBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

/** The body was larger than the limit. */
export const TOO_LARGE = Symbol('too large');

/**
 * Reads a request body as UTF-8 text, at most `maxBytes`. Under @hono/node-server it reads the
 * Node stream directly (no web-stream Request is built on the hot path); elsewhere it reads the
 * web Request.
 */
export async function readBodyText(request: Request, env: NodeBindings | undefined, maxBytes: number): Promise<string | typeof TOO_LARGE> {
  const incoming = env?.incoming;
  const declared = Number((incoming ? incoming.headers['content-length'] : request.headers.get('content-length')) ?? NaN);
  if (declared > maxBytes) return TOO_LARGE;
  if (incoming && !incoming.readableEnded && typeof incoming.on === 'function') return readNode(incoming, maxBytes);
  const buffer = new Uint8Array(await request.arrayBuffer());
  if (buffer.byteLength > maxBytes) return TOO_LARGE;
  return new TextDecoder().decode(buffer);
}

function readNode(incoming: IncomingMessage, maxBytes: number): Promise<string | typeof TOO_LARGE> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        // Drain the rest so the connection can answer; the data is dropped.
        incoming.resume();
        resolve(TOO_LARGE);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8'));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
  });
}

/**
 * The run's abort controller for a request: it aborts with a CancelledError when the client goes
 * away before the response is written. Under @hono/node-server it listens on the Node response;
 * elsewhere on the web Request's signal.
 */
export function clientController(request: Request, env: NodeBindings | undefined): AbortController {
  const controller = new AbortController();
  const gone = () => controller.abort(new CancelledError('The caller went away'));
  const outgoing = env?.outgoing;
  if (!outgoing || typeof outgoing.once !== 'function') {
    if (request.signal.aborted) gone();
    else request.signal.addEventListener('abort', gone, { once: true });
  } else if (outgoing.destroyed) gone();
  else outgoing.once('close', () => !outgoing.writableFinished && gone());
  return controller;
}
