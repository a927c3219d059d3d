const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Lets `onSignal` handle Ctrl-C (and SIGTERM/SIGHUP) while `work` runs, then puts the previous listeners back.
 * SfCommand's own listeners exit at once (sf-plugins-core SfCommand._run calls this.exit(130)), which would lose the
 * report of what a revoke already did; during the revocation we stop sending instead, and report.
 */
export async function whileHandlingSignals<T>(onSignal: () => void, work: () => Promise<T>): Promise<T> {
  const saved = SIGNALS.map((signal) => [signal, process.listeners(signal)] as const);
  for (const signal of SIGNALS) {
    process.removeAllListeners(signal);
    process.on(signal, onSignal);
  }
  try {
    return await work();
  } finally {
    for (const [signal, listeners] of saved) {
      process.removeAllListeners(signal);
      for (const listener of listeners) process.on(signal, listener);
    }
  }
}

/** One line on stderr about an interruption; on a terminal it starts below the spinner's line. */
export function writeInterruptLine(line: string): void {
  process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}${line}\n`);
}

/**
 * Ends an interrupted command with exit code 130. SfCommand's own listener throws from inside the signal handler, which
 * ends the process with a stack trace and exit code 1.
 */
export function exitInterrupted(line?: string): never {
  if (line !== undefined) writeInterruptLine(line);
  process.exit(130);
}

/** For commands with nothing to report when interrupted: exit with 130 on Ctrl-C. */
export async function exitOnInterrupt<T>(work: () => Promise<T>): Promise<T> {
  return whileHandlingSignals(() => exitInterrupted(), work);
}

/** The prompt library's answer to Ctrl-C (or a closed terminal) while it waited for a key: the question was not answered. */
export const isPromptClosed = (error: unknown): boolean => error instanceof Error && error.name === 'ExitPromptError';
