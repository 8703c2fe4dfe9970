import type { Command } from 'commander'
import type { IncidentFormat } from '../io/readIncidents'
import type { LinkageModel } from '../model/linkageModel'
import { loadModel } from '../model/modelFile'
import { UserError } from './userError'

/**
 * Reads a numeric option, or throws a one-line {@link UserError} naming the option and what it expects.
 *
 * @example
 * parseNumber('--resolution', '0.4', { min: 0 }) // 0.4
 */
export function parseNumber(
  name: string,
  value: string | undefined,
  limits: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  const kind = limits.integer === true ? 'an integer' : 'a number'
  const range =
    limits.min !== undefined && limits.max !== undefined
      ? ` in [${limits.min}, ${limits.max}]`
      : limits.min !== undefined
        ? ` >= ${limits.min}`
        : limits.max !== undefined
          ? ` <= ${limits.max}`
          : ''
  if (
    value.trim() === '' ||
    !Number.isFinite(n) ||
    (limits.integer === true && !Number.isInteger(n)) ||
    (limits.min !== undefined && n < limits.min) ||
    (limits.max !== undefined && n > limits.max)
  ) {
    throw new UserError(`caselink: ${name} must be ${kind}${range}, got '${value}'`)
  }
  return n
}

/**
 * Loads `--model FILE`, turning an unreadable or invalid file into a one-line {@link UserError}.
 *
 * @example
 * const model = await readModelOption('model.json')
 */
export async function readModelOption(path: string | undefined): Promise<LinkageModel | undefined> {
  if (path === undefined) return undefined
  try {
    return await loadModel(path)
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    if (e.code !== undefined) throw new UserError(`caselink: cannot read model ${path}: ${e.code}`)
    throw new UserError(e.message.replace(/\s*\n\s*/g, '; '))
  }
}

/** How a command reads its input file: the flags {@link withInputOptions} adds, and the time zone. */
export interface InputFlags {
  timeZone?: string
  format?: IncidentFormat
  encoding?: string
  crs?: string
  sheet?: string
}

/**
 * Adds the flags of reading an input file to a command: `--format`, `--sheet`, `--crs`, `--encoding`
 * (each command keeps its own `--time-zone`, whose default differs).
 *
 * @example
 * withInputOptions(program.command('validate').argument('<file>')).action(async (file, options: InputFlags) => …)
 */
export function withInputOptions(command: Command): Command {
  return command
    .option('--format <format>', 'csv, json, ndjson or xlsx (default: from the extension)')
    .option('--sheet <name>', 'spreadsheets: the sheet to read (default the first)')
    .option(
      '--crs <system>',
      'coordinate system of lat/lon: wgs84 (default), gcj02 (Amap, Tencent) or bd09 (Baidu)',
    )
    .option(
      '--encoding <name>',
      'utf-8, utf-16le, utf-16be or gb18030 (gbk) (default: detected from the file)',
    )
}
