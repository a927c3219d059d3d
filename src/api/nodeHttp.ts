import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';

/** A request as jsforce's HttpApi hands it to a transport: absolute URL, the headers sf and jsforce set. */
export type OutgoingRequest = { method: string; url: string; headers: Record<string, string> };

/** A response as jsforce's transports resolve it: the body as text, headers with lower-case names. */
export type RawResponse = { statusCode: number; headers: Record<string, string>; body?: string };

/**
 * Sends one request over Node's own http(s), through its global agents (keep-alive since Node 19; the agents
 * jsforce's fetch wrapper used on the Node 20 line too). Rejects with the socket's error (its `code` intact) when no
 * response came; `idleTimeoutMs` is how long the socket may stay silent before the request is given up. A 3xx
 * resolves like any other answer: Node's http never follows a redirect, and the usage client refuses one.
 */
export function sendOverNode(request: OutgoingRequest, idleTimeoutMs: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(request.url);
    const send = url.protocol === 'https:' ? https.request : http.request;
    const outgoing = send(url, { method: request.method, headers: { ...request.headers, 'accept-encoding': 'gzip' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const headers = response.headers as Record<string, string>;
        const done = (body: Buffer): void => resolve({ statusCode: response.statusCode ?? 0, headers, body: body.toString('utf8') });
        const bytes = Buffer.concat(chunks);
        if (headers['content-encoding'] !== 'gzip') return done(bytes);
        zlib.gunzip(bytes, (error, body) => (error ? reject(error) : done(body)));
      });
    });
    outgoing.setTimeout(idleTimeoutMs, () => outgoing.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
    outgoing.on('error', reject);
    outgoing.end();
  });
}
