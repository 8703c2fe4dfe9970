import cliProgress from 'cli-progress'

/** Progress display of a CLI run: one bar per stage, on stderr. */
export interface Progress {
  /** Whether anything is displayed at all (stderr is a TTY and not quiet). */
  readonly enabled: boolean
  /** Starts a stage of `total` units (ends the previous one). */
  stage(name: string, total: number): void
  /** Sets the units done in the current stage, with an optional detail shown after the bar. */
  update(value: number, detail?: string): void
  /** Ends the current stage and clears the bar. */
  done(): void
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** No progress at all. */
  quiet?: boolean
  /** Output stream; default process.stderr. Progress shows only when it is a TTY. */
  stream?: NodeJS.WriteStream
  /** A stage's bar appears only once it has run this long. Default 1000 ms. */
  delayMs?: number
}

const DEFAULTS = { delayMs: 1000 }

/**
 * Progress bars (cli-progress) on stderr for stages that last longer than a second, only when stderr is
 * a TTY and not `quiet`: nothing ever reaches stdout, so `--json` output stays clean, and logs
 * redirected to a file carry no control codes.
 *
 * @example
 * const progress = createProgress({ quiet: options.quiet })
 * progress.stage('reading', fileBytes)
 * progress.update(bytesRead)
 * progress.done()
 */
export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr
  const delayMs = options.delayMs ?? DEFAULTS.delayMs
  if (options.quiet === true || stream.isTTY !== true) {
    return { enabled: false, stage() {}, update() {}, done() {} }
  }
  let bar: cliProgress.SingleBar | null = null
  let name = ''
  let total = 0
  let startedAt = 0
  const done = (): void => {
    if (bar !== null) bar.stop()
    bar = null
  }
  return {
    enabled: true,
    stage(stageName: string, stageTotal: number): void {
      done()
      name = stageName
      total = Math.max(1, stageTotal)
      startedAt = performance.now()
    },
    update(value: number, detail = ''): void {
      if (bar === null) {
        if (performance.now() - startedAt < delayMs) return
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: `${name.padEnd(10)} [{bar}] {percentage}% | {duration_formatted} {detail}`,
            clearOnComplete: true,
            hideCursor: true,
            synchronousUpdate: true,
            fps: 10,
          },
          cliProgress.Presets.shades_classic,
        )
        bar.start(total, 0, { detail })
      }
      bar.update(Math.min(value, total), { detail })
    },
    done,
  }
}
