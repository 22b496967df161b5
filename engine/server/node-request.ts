import type { IncomingMessage, ServerResponse } from 'node:http';
import { CancelledError } from '../run/errors.js';
import { AbortFanout } from '../run/abort.js';

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
  if (incoming && !incoming.readableEnded && typeof incoming.on === 'function') return readNodeBody(incoming, maxBytes);
  if (Number(request.headers.get('content-length') ?? NaN) > maxBytes) return TOO_LARGE;
  const buffer = new Uint8Array(await request.arrayBuffer());
  if (buffer.byteLength > maxBytes) return TOO_LARGE;
  return new TextDecoder().decode(buffer);
}

/** Reads a Node request's body as UTF-8 text, at most `maxBytes` (a larger declared length is refused unread). */
export function readNodeBody(incoming: IncomingMessage, maxBytes: number): Promise<string | typeof TOO_LARGE> {
  if (Number(incoming.headers['content-length'] ?? NaN) > maxBytes) return Promise.resolve(TOO_LARGE);
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
 * The run's abort handle for a request: it aborts with a CancelledError when the client goes
 * away before the response is written. Under @hono/node-server it listens on the Node response;
 * elsewhere on the web Request's signal.
 */
export function clientController(request: Request, env: NodeBindings | undefined): AbortFanout {
  const outgoing = env?.outgoing;
  if (outgoing && typeof outgoing.once === 'function') return responseController(outgoing);
  const controller = new AbortFanout();
  const gone = () => controller.abort(new CancelledError('The caller went away'));
  if (request.signal.aborted) gone();
  else request.signal.addEventListener('abort', gone, { once: true });
  return controller;
}

/** The run's abort handle for a Node response: it aborts when the client goes away first. */
export function responseController(outgoing: ServerResponse): AbortFanout {
  const controller = new AbortFanout();
  const gone = () => controller.abort(new CancelledError('The caller went away'));
  if (outgoing.destroyed) gone();
  else outgoing.once('close', () => !outgoing.writableFinished && gone());
  return controller;
}

/** A header of a Node request (lower-case name); repeated ones joined with ', '. */
export function nodeHeader(incoming: IncomingMessage, name: string): string | undefined {
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
