// Types of scripts/install.js, which stays plain JavaScript because it runs before `npm ci`.
export function packagesUpToDate(repo?: string): boolean;
