import { spawn } from 'node:child_process'

/**
 * Size of each of V8's two young-generation semi-spaces the CLI runs with, MB. Node's default (16 MB on
 * 64-bit) makes every scavenge copy the incidents being read, which all survive: reading and validating
 * 1,000,000 NDJSON records took 10.35 s with the default and 7.88 s with 64 MB (peak RSS 1.38 → 1.23 GB,
 * bench/ingest.ts on a quiet machine), and `caselink link` on them 46.0 s against 41.1 s (load 2–3).
 */
export const CLI_SEMI_SPACE_MB = 64

/** Set in the relaunched process (and by users who want no relaunch). */
export const NO_RELAUNCH_ENV = 'CASELINK_NO_RELAUNCH'

/**
 * Whether the CLI should restart itself with {@link CLI_SEMI_SPACE_MB}: not when the flag is already
 * given (on the command line or in `NODE_OPTIONS`) or when `CASELINK_NO_RELAUNCH` is set. V8 reads the
 * young-generation size only at start-up, so it cannot be changed from inside the process.
 *
 * @example
 * shouldRelaunch(process.execArgv, process.env) // true for a plain `node dist/cli.js link data.csv`
 */
export function shouldRelaunch(
  execArgv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const given = (flags: string) => /--max[-_]semi[-_]space[-_]size/.test(flags)
  if (env[NO_RELAUNCH_ENV] !== undefined && env[NO_RELAUNCH_ENV] !== '') return false
  if (given(env.NODE_OPTIONS ?? '')) return false
  return !execArgv.some(given)
}

/**
 * Runs this same script again in a child Node with {@link CLI_SEMI_SPACE_MB} (same Node flags, arguments,
 * standard streams and environment, plus `CASELINK_NO_RELAUNCH=1`), forwards termination signals to it,
 * and ends this process as the child ends: same exit code, or the same signal.
 *
 * @example
 * if (shouldRelaunch(process.execArgv, process.env)) relaunch()
 * else void main(process.argv)
 */
export function relaunch(): void {
  const child = spawn(
    process.execPath,
    [`--max-semi-space-size=${CLI_SEMI_SPACE_MB}`, ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, [NO_RELAUNCH_ENV]: '1' } },
  )
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']
  const forward = (signal: NodeJS.Signals) => {
    child.kill(signal)
  }
  for (const signal of signals) process.on(signal, forward)
  child.on('error', (error) => {
    process.stderr.write(`caselink: cannot start ${process.execPath}: ${error.message}\n`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => {
    for (const s of signals) process.off(s, forward)
    if (signal !== null) process.kill(process.pid, signal)
    else process.exit(code ?? 1)
  })
}
