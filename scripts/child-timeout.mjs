// Time-outs for child processes the scripts start with `detached: true`: on time-out the whole process group is
// killed, so an sf or npm run that hangs cannot leave grandchildren behind. Node built-ins only.

/**
 * Kills `child`'s process group with SIGKILL after `timeoutMs`. Returns { clear(), timedOut() }: call clear() when the
 * child has ended.
 */
export function killGroupOnTimeout(child, timeoutMs) {
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone, or not a group leader: kill the child alone.
      child.kill('SIGKILL');
    }
  }, timeoutMs);
  return { clear: () => clearTimeout(timer), timedOut: () => fired };
}
