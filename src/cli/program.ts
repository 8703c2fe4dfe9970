import { Command, CommanderError } from 'commander'
import { SourceError } from '../io/readIncidents'
import { registerBenchCommand } from './benchCommand'
import { registerDemoCommand } from './demoCommand'
import { registerEvaluateCommand } from './evaluateCommand'
import { registerExplainCommand } from './explainCommand'
import { registerGenerateCommand } from './generateCommand'
import { registerLinkCommand } from './linkCommand'
import { registerNearRepeatCommand } from './nearRepeatCommand'
import { registerQueryCommand } from './queryCommand'
import { registerTrainCommand } from './trainCommand'
import { EXIT, UserError } from './userError'
import { registerValidateCommand } from './validateCommand'

/**
 * Builds the `caselink` command-line program (commands register themselves on it).
 *
 * @example
 * await createProgram().parseAsync(['node', 'caselink', 'validate', 'cases.csv'])
 */
export function createProgram(): Command {
  const program = new Command('caselink')
    .description('crime case linkage: link incident records into explained, ranked candidate series')
    .version('0.1.0')
    .showHelpAfterError()
  program.exitOverride()
  registerValidateCommand(program)
  registerLinkCommand(program)
  registerExplainCommand(program)
  registerEvaluateCommand(program)
  registerTrainCommand(program)
  registerGenerateCommand(program)
  registerBenchCommand(program)
  registerDemoCommand(program)
  registerQueryCommand(program)
  registerNearRepeatCommand(program)
  return program
}

/**
 * Runs the CLI on `argv`; user errors print one line on stderr and set exit code 2, never a stack trace.
 *
 * @example
 * await main(['node', 'caselink', 'validate', 'fixtures/sample.csv'])
 */
export async function main(argv: string[]): Promise<void> {
  try {
    await createProgram().parseAsync(argv)
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage
      return
    }
    if (error instanceof UserError || error instanceof SourceError || isCaselinkError(error)) {
      process.stderr.write(`${(error as Error).message.split('\n')[0]}\n`)
      process.exitCode = EXIT.usage
      return
    }
    const system = error as NodeJS.ErrnoException
    if (typeof system?.code === 'string' && typeof system.syscall === 'string') {
      // A file the user named cannot be read or written (ENOENT, EACCES, ENOTDIR, ENOSPC…).
      const where = system.path === undefined ? '' : ` ${system.path}`
      process.stderr.write(`caselink: cannot ${system.syscall}${where}: ${system.code}\n`)
      process.exitCode = EXIT.usage
      return
    }
    throw error
  }
}

function isCaselinkError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('caselink:')
}
