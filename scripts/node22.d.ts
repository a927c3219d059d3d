// Types of scripts/node22.js, which stays plain JavaScript because it runs before `npm ci`.
export const REPO: string;
export const CACHE: string;
export const NODE22_VERSION: string;
export function npmEnv(node?: string): NodeJS.ProcessEnv;
export function npm(args: string[], cwd: string, node?: string): string;
/** What a first install prints: what it fetches, and why the command that runs it needs it. */
export type InstallNotice = { what: string; why: string };
export function cached(id: string, notice: InstallNotice, install: (dir: string) => void, cache?: string): string;
export function wrapper(dir: string, dependencies: Record<string, string>): void;
export function enginesRange(): string;
export function node22Notice(why?: string): InstallNotice;
export function node22(why?: string): string;
