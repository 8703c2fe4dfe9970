import { type SpawnSyncReturns, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { build } from 'tsup'
import { afterAll, beforeAll, expect } from 'vitest'
import config from '../../tsup.config'

/** Runs the built CLI with arguments (optionally in another directory, with extra environment variables). */
export type CliRunner = (
  args: string[],
  cwd?: string,
  env?: Record<string, string>,
) => SpawnSyncReturns<string>

/**
 * Builds the CLI exactly as `npm run build` does (the `cli` entry of tsup.config.ts, same options) into
 * node_modules/.cache/caselink-cli-test-<name>/cli.js (inside node_modules so its dependencies resolve;
 * one directory per test file so parallel files never race), without type declarations and without
 * touching dist/, in about 0.2 s. Returns a runner spawning `node cli.js …`.
 */
export async function buildCli(name: string): Promise<CliRunner> {
  const list = (Array.isArray(config) ? config : [config]) as Record<string, unknown>[]
  const cli = list.find((c) => typeof c.entry === 'object' && c.entry !== null && 'cli' in c.entry)
  if (cli === undefined) throw new Error('tsup.config.ts has no cli entry')
  const outDir = `node_modules/.cache/caselink-cli-test-${name}`
  await build({ ...cli, outDir, config: false, silent: true } as never)
  const binary = resolve(outDir, 'cli.js')
  return (args, cwd, env) =>
    spawnSync(process.execPath, [binary, ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      cwd,
      env: env === undefined ? undefined : { ...process.env, ...env },
    })
}

/** Asserts a one-line `caselink:` error, exit code 2, no stack trace. */
export function expectOneLineError(
  run: { status: number | null; stderr: string },
  expect: (value: unknown) => {
    toBe(v: unknown): void
    toMatch(r: RegExp): void
    toHaveLength(n: number): void
    not: { toMatch(r: RegExp): void }
  },
): void {
  expect(run.status).toBe(2)
  expect(run.stderr.trim().split('\n')).toHaveLength(1)
  expect(run.stderr).toMatch(/^caselink: /)
  expect(run.stderr).not.toMatch(/\n\s+at /)
}

/** A built CLI with a scratch directory, for one test file. */
export interface CliSession {
  /** The scratch directory (set in `beforeAll`, removed in `afterAll`). */
  readonly dir: string
  /** Runs the built CLI with these arguments (in `cwd` when given). */
  run(...args: string[]): SpawnSyncReturns<string>
  runIn(cwd: string, ...args: string[]): SpawnSyncReturns<string>
  /** Asserts a one-line `caselink:` error (exit 2, no stack trace) and returns the run. */
  oneLineError<T extends { status: number | null; stderr: string }>(run: T): T
}

/**
 * Registers `beforeAll` (build the CLI with {@link buildCli}, make a scratch directory) and `afterAll`
 * (remove it) for the calling test file.
 */
export function useCliSession(name: string): CliSession {
  let cli: CliRunner | null = null
  let dir = ''
  beforeAll(async () => {
    cli = await buildCli(name)
    dir = mkdtempSync(join(tmpdir(), `caselink-cli-${name}-`))
  })
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true })
  })
  const runner = (): CliRunner => {
    if (cli === null) throw new Error('useCliSession: the CLI is built in beforeAll')
    return cli
  }
  return {
    get dir() {
      return dir
    },
    run: (...args) => runner()(args),
    runIn: (cwd, ...args) => runner()(args, cwd),
    oneLineError: (run) => {
      expectOneLineError(run, expect as never)
      return run
    },
  }
}
