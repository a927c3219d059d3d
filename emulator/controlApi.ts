/*
 * The emulator's control API under /__emulator/: tests, the host test and the benchmark use it to read the state
 * and the request log and to change faults, latency and data of a running emulator, including one in another
 * process. It needs no auth and is not logged, so it never disturbs what the log says about client traffic.
 */
import type http from 'node:http';
import type { FaultRule } from './faults.js';
import { generateState, summarizeState, type EmulatorState, type SeedSpec } from './model.js';
import type { OAuthSettings } from './oauth.js';
import { writeReply, type Reply } from './reply.js';
import type { Emulator } from './server.js';

const MAX_CONTROL_BODY = 64 * 1024 * 1024;

/** Settings and counters GET /__emulator/ reports that the Emulator's public API does not expose. */
export type ControlInfo = {
  url: string;
  versions: string[];
  latencyMs: number;
  /** null: pages hold what pageSize asks for. */
  maxPageSize: number | null;
  absoluteUrls: boolean;
  pendingFaults: number;
  logEntries: number;
  apiLimit: { max: number; remaining: number; refused: boolean };
  oauth: OAuthSettings;
};

export type ControlTarget = Pick<
  Emulator,
  'state' | 'requests' | 'clearLog' | 'pendingFaults' | 'addFaults' | 'clearFaults' | 'setLatency' | 'setMaxPageSize' | 'setApiLimit' | 'setOAuth' | 'expireSessions' | 'reset'
>;

/** Answers one /__emulator request; `sub` is the path after /__emulator ('' for the root). */
export async function handleControl(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  method: string,
  sub: string,
  emulator: ControlTarget,
  info: () => ControlInfo
): Promise<void> {
  let reply: Reply;
  try {
    let body: unknown;
    if (method === 'POST') body = await readJson(req);
    else req.resume();
    reply = control(emulator, info, method, sub, body);
  } catch (e) {
    reply = { status: 400, body: { error: e instanceof Error ? e.message : String(e) } };
  }
  writeReply(res, reply);
}

function control(emulator: ControlTarget, info: () => ControlInfo, method: string, sub: string, body: unknown): Reply {
  const key = `${method} ${sub === '' ? '/' : sub}`;
  switch (key) {
    case 'GET /':
    case 'GET /info':
      return { status: 200, body: { ...info(), summary: summarizeState(emulator.state()) } };
    case 'GET /state':
      return { status: 200, body: emulator.state() };
    case 'GET /log':
      return { status: 200, body: emulator.requests() };
    case 'DELETE /log': {
      const cleared = info().logEntries;
      emulator.clearLog();
      return { status: 200, body: { cleared } };
    }
    case 'GET /faults':
      return { status: 200, body: emulator.pendingFaults() };
    case 'POST /faults':
      emulator.addFaults(Array.isArray(body) ? (body as FaultRule[]) : [body as FaultRule]);
      return { status: 200, body: { pending: info().pendingFaults } };
    case 'DELETE /faults': {
      const cleared = info().pendingFaults;
      emulator.clearFaults();
      return { status: 200, body: { cleared } };
    }
    case 'POST /api-limit': {
      const { max, remaining, refused } = apiLimitOf(body);
      emulator.setApiLimit(max, remaining, refused);
      return { status: 200, body: info().apiLimit };
    }
    case 'POST /reset': {
      const seed = typeof body === 'object' && body !== null ? (body as { seed?: unknown }).seed : undefined;
      emulator.reset(seed === undefined ? (body as EmulatorState) : generateState(seed as SeedSpec));
      return { status: 200, body: summarizeState(emulator.state()) };
    }
    default:
      return (
        pacingControl(emulator, info, key, body) ??
        oauthControl(emulator, info, key, body) ?? { status: 404, body: { error: `unknown control endpoint: ${method} /__emulator${sub}` } }
      );
  }
}

/** POST /latency and POST /max-page-size: how fast usage answers come, and in pages of how many rows at most. */
function pacingControl(emulator: ControlTarget, info: () => ControlInfo, key: string, body: unknown): Reply | undefined {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as { ms?: unknown; rows?: unknown };
  if (key === 'POST /latency') {
    emulator.setLatency(fields.ms as number);
    return { status: 200, body: { latencyMs: info().latencyMs } };
  }
  if (key !== 'POST /max-page-size') return undefined;
  if (fields.rows === undefined) throw new Error('a body { "rows": N } (or { "rows": null } for no cap) is required');
  emulator.setMaxPageSize(fields.rows === null ? undefined : (fields.rows as number));
  return { status: 200, body: { maxPageSize: info().maxPageSize } };
}

/** POST /oauth (token endpoint settings) and POST /expire-sessions; undefined for any other endpoint. */
function oauthControl(emulator: ControlTarget, info: () => ControlInfo, key: string, body: unknown): Reply | undefined {
  if (key === 'POST /oauth') return { status: 200, body: emulator.setOAuth(oauthOf(body)) };
  if (key !== 'POST /expire-sessions') return undefined;
  emulator.expireSessions();
  return { status: 200, body: info().oauth };
}

/** The body of POST /api-limit; ApiLimits checks the numbers. */
function apiLimitOf(body: unknown): { max: number; remaining: number; refused: boolean } {
  const { max, remaining, refused } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return { max: max as number, remaining: remaining as number, refused: refused === true };
}

/** The body of POST /oauth: only the settings it names change; OAuthGrants checks the values. */
function oauthOf(body: unknown): Partial<OAuthSettings> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('a JSON object is required');
  const known = ['refused', 'rotate', 'issueSessions', 'holdUntilExpiredSessions'];
  const unknown = Object.keys(body).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new Error(`unknown oauth settings: ${unknown.join(', ')}`);
  return body as Partial<OAuthSettings>;
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_CONTROL_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        reject(new Error('a JSON body is required'));
        return;
      }
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        reject(new Error(`body is not JSON: ${e instanceof Error ? e.message : String(e)}`));
      }
    });
  });
}
