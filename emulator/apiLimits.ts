/*
 * The org's daily API requests as the REST limits resource reports them: every API request the emulator answers
 * spends one, as in a real org, so a test can see what a run would cost and make the org run short.
 */
import { errorBody, methodNotAllowed, type Reply } from './reply.js';

/** Salesforce's allocation for a Developer Edition org; any test that cares sets its own. */
export const DEFAULT_DAILY_API_REQUESTS = 15_000;

export class ApiLimits {
  private max = DEFAULT_DAILY_API_REQUESTS;
  private remaining = DEFAULT_DAILY_API_REQUESTS;
  /** Answer the limits resource with 403, as for a user without "View Setup and Configuration". */
  private refused = false;

  public set(max: number, remaining: number, refused = false): void {
    for (const value of [max, remaining]) {
      if (!Number.isInteger(value) || value < 0) throw new Error('max and remaining must be integers >= 0');
    }
    if (remaining > max) throw new Error('remaining must not exceed max');
    this.max = max;
    this.remaining = remaining;
    this.refused = refused;
  }

  public spend(): void {
    if (this.remaining > 0) this.remaining -= 1;
  }

  public current(): { max: number; remaining: number; refused: boolean } {
    return { max: this.max, remaining: this.remaining, refused: this.refused };
  }

  /** What Salesforce sends on every REST answer, in `Sforce-Limit-Info`. */
  public usageHeader(): string {
    return `api-usage=${this.max - this.remaining}/${this.max}`;
  }

  /** `GET /services/data/vNN.N/limits`, with only the limit the plugin reads. */
  public reply(method: string): Reply {
    if (method !== 'GET') return methodNotAllowed(method, 'GET');
    if (this.refused) return { status: 403, body: errorBody('INSUFFICIENT_ACCESS', 'The user does not have permission to view org limits') };
    return { status: 200, body: { DailyApiRequests: { Max: this.max, Remaining: this.remaining } } };
  }
}
