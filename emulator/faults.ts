/*
 * The fault language of the emulator: rules that pick usage requests by method and path, and the damage each
 * action does to the answer. Tests use it to reproduce throttling, outages, broken proxies and hostile servers
 * on demand, which a real org cannot be made to do.
 */
import { errorBody, JSON_TYPE, type Reply } from './reply.js';

export type FaultAction =
  | { type: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { type: 'html'; status?: number }
  | { type: 'truncated' }
  | { type: 'reset' }
  | { type: 'delay'; ms: number }
  | { type: 'hang' }
  | { type: 'foreignUrls'; origin: string }
  | { type: 'redirect'; status: number; location: string };

export type FaultRule = {
  /** HTTP method, case-insensitive; any when absent. */
  method?: string;
  /** RegExp source tested against `normalizedPath + '?' + rawQuery` (the '?' is always there). */
  path?: string;
  /** Number of matching requests the rule applies to; default 1; -1 means forever. */
  times?: number;
  action: FaultAction;
};

export type PendingFault = FaultRule & { remaining: number };

type CompiledFault = { rule: FaultRule; regex: RegExp | undefined; remaining: number };

const MAINTENANCE_HTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Salesforce - Maintenance</title></head>
<body><h1>Down for Maintenance</h1>
<p>This Salesforce instance is currently unavailable because of scheduled maintenance. Please try again later.</p>
</body></html>
`;

function defaultFaultBody(status: number): unknown {
  switch (status) {
    case 400:
      return errorBody('INVALID_INPUT', 'Bad request.');
    case 401:
      return [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }];
    case 403:
      return errorBody('INSUFFICIENT_ACCESS', "You don't have permission to access this resource.");
    case 404:
      return errorBody('NOT_FOUND', 'The requested resource does not exist');
    case 429:
      return errorBody('REQUEST_LIMIT_EXCEEDED', 'Too many requests. Try again later.');
    case 500:
      return errorBody(
        'UNKNOWN_EXCEPTION',
        'An unexpected error occurred. Please include this ErrorId if you contact support: 1436102147-224433 (-1553717338)'
      );
    case 502:
    case 503:
    case 504:
      return errorBody('SERVER_UNAVAILABLE', 'Server temporarily unavailable. Please try again later.');
    default:
      return errorBody('UNKNOWN_EXCEPTION', `HTTP ${status}`);
  }
}


function isStatusCode(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599;
}

function redirectProblem(action: { status: number; location: string }): string | undefined {
  if (!(isStatusCode(action.status) && action.status >= 300 && action.status <= 399)) return 'redirect needs a 3xx status';
  return typeof action.location === 'string' && action.location !== '' ? undefined : 'redirect needs a location';
}

/** Returns a problem description, or undefined when the action is usable. */
function actionProblem(action: FaultAction): string | undefined {
  switch (action.type) {
    case 'status':
      return isStatusCode(action.status) ? undefined : 'status must be an HTTP status code';
    case 'html':
      return action.status === undefined || isStatusCode(action.status) ? undefined : 'status must be an HTTP status code';
    case 'delay':
      return typeof action.ms === 'number' && action.ms >= 0 ? undefined : 'delay needs ms >= 0';
    case 'foreignUrls':
      return typeof action.origin === 'string' && /^https?:\/\/[^/]+$/.test(action.origin.replace(/\/+$/, ''))
        ? undefined
        : 'foreignUrls needs an origin such as https://evil.example.com';
    case 'redirect':
      return redirectProblem(action);
    case 'truncated':
    case 'reset':
    case 'hang':
      return undefined;
    default:
      return `unknown action type ${JSON.stringify((action as { type?: unknown }).type)}`;
  }
}

function compileFault(rule: FaultRule, index: number): CompiledFault {
  const where = `fault rule ${index}`;
  if (typeof rule !== 'object' || rule === null) throw new Error(`${where}: must be an object`);
  const action = rule.action as FaultAction | undefined;
  if (typeof action !== 'object' || action === null) throw new Error(`${where}: action is required`);
  const problem = actionProblem(action);
  if (problem) throw new Error(`${where}: ${problem}`);
  const times = rule.times ?? 1;
  if (!Number.isInteger(times) || times < -1) throw new Error(`${where}: times must be an integer >= -1`);
  if (rule.method !== undefined && typeof rule.method !== 'string') throw new Error(`${where}: method must be a string`);
  let regex: RegExp | undefined;
  if (rule.path !== undefined) {
    try {
      regex = new RegExp(rule.path);
    } catch (e) {
      throw new Error(`${where}: path is not a valid RegExp: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { rule: { ...rule, times }, regex, remaining: times };
}

/** Rules in insertion order; the first match with uses left wins, so tests can stack specific rules before broad ones. */
export class FaultQueue {
  private faults: CompiledFault[] = [];

  public get size(): number {
    return this.faults.length;
  }

  /** Appends rules; throws (and adds none) if any rule is malformed. */
  public add(rules: FaultRule[]): void {
    if (!Array.isArray(rules)) throw new Error('fault rules must be an array');
    const compiled = rules.map((r, i) => compileFault(r, i));
    this.faults.push(...compiled.filter((f) => f.remaining !== 0));
  }

  public pending(): PendingFault[] {
    return this.faults.map((f) => ({ ...f.rule, remaining: f.remaining }));
  }

  public clear(): void {
    this.faults = [];
  }

  /** Finds the rule for a request and uses it up once; `target` is `normalizedPath + '?' + rawQuery`. */
  public take(method: string, target: string): FaultAction | undefined {
    const index = this.faults.findIndex(
      (f) =>
        f.remaining !== 0 &&
        (f.rule.method === undefined || f.rule.method.toUpperCase() === method) &&
        (f.regex === undefined || f.regex.test(target))
    );
    if (index < 0) return undefined;
    const found = this.faults[index];
    if (found.remaining > 0) {
      found.remaining -= 1;
      if (found.remaining === 0) this.faults.splice(index, 1);
    }
    return found.rule.action;
  }
}

/** What applying an action needs from the server, for the one request being answered. */
export type FaultResponder = {
  /** Where emitted URLs point when the action does not say: '' (relative, like the real API) or the emulator's url. */
  defaultOrigin: string;
  /** Processes the request for real and returns its answer, emitting URLs on `origin`. */
  route(origin: string): Reply;
  send(reply: Reply): void;
  record(status: number, fault?: string): void;
  sleep(ms: number): Promise<void>;
  /** True once stop() began: a delayed answer must then not be written. */
  stopped(): boolean;
  resetConnection(): void;
};

/** Answers a usage request the way `fault` says; 'hang' never gets here, the server logs it before any latency. */
export async function applyFault(fault: FaultAction, io: FaultResponder): Promise<void> {
  switch (fault.type) {
    case 'status': {
      const reply: Reply = { status: fault.status, body: fault.body ?? defaultFaultBody(fault.status), headers: fault.headers };
      io.send(reply);
      io.record(reply.status, 'status');
      return;
    }
    case 'html': {
      const status = fault.status ?? 200;
      io.send({ status, text: MAINTENANCE_HTML, contentType: 'text/html;charset=UTF-8' });
      io.record(status, 'html');
      return;
    }
    case 'reset':
      io.resetConnection();
      io.record(0, 'reset');
      return;
    case 'delay': {
      await io.sleep(fault.ms);
      if (io.stopped()) return;
      const reply = io.route(io.defaultOrigin);
      io.send(reply);
      io.record(reply.status, 'delay');
      return;
    }
    case 'truncated': {
      // The request is really processed (a DELETE does delete): only the answer is damaged in transit.
      const reply = io.route(io.defaultOrigin);
      const full = reply.body === undefined ? '' : JSON.stringify(reply.body);
      io.send({ status: 200, text: full.slice(0, Math.floor(full.length / 2)), contentType: JSON_TYPE });
      io.record(200, 'truncated');
      return;
    }
    case 'foreignUrls': {
      const reply = io.route(fault.origin.replace(/\/+$/, ''));
      io.send(reply);
      io.record(reply.status, 'foreignUrls');
      return;
    }
    case 'redirect':
      // As a proxy, a captive portal or a moved My Domain answers: the request itself is not processed.
      io.send({ status: fault.status, headers: { Location: fault.location } });
      io.record(fault.status, 'redirect');
      return;
    case 'hang':
      return;
  }
}
