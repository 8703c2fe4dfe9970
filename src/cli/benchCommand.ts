import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { UserError } from './userError'

/**
 * Registers `caselink bench [args...]`: runs the benchmark suite `bench/run.ts` of a source checkout
 * (current directory) with tsx, passing the arguments through; its output and exit code are the
 * command's. The suite writes its results to bench/results/.
 *
 * @example
 * registerBenchCommand(new Command('caselink'))
 */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('run the benchmark suite (bench/run.ts of a source checkout, via tsx)')
    .argument('[args...]', 'arguments for bench/run.ts (put them after --)')
    .allowUnknownOption()
    .action((args: string[]) => {
      const script = resolve('bench/run.ts')
      if (!existsSync(script)) {
        throw new UserError(
          `caselink: bench runs the suite of a source checkout; ${script} not found (run it from the caselink repository)`,
        )
      }
      const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { stdio: 'inherit' })
      if (run.error !== undefined) throw new UserError(`caselink: cannot run ${script}: ${run.error.message}`)
      process.exitCode = run.status ?? 2
    })
}
