// Types of scripts/node22.js, which stays plain JavaScript because it runs before `npm ci`.
export const REPO: string;
export const CACHE: string;
export const NODE22_VERSION: string;
export function npmEnv(node?: string): NodeJS.ProcessEnv;
export function npm(args: string[], cwd: string, node?: string): string;
export function cached(id: string, install: (dir: string) => void): string;
export function wrapper(dir: string, dependencies: Record<string, string>): void;
export function node22(): string;
