import { readFile, writeFile } from 'node:fs/promises'
import { type LinkageModel, parseLinkageModel } from './linkageModel'

/**
 * Serializes a model to pretty-printed JSON (validated first, so a file written is a file that loads).
 *
 * @example
 * const json = serializeModel(defaultModel())
 * parseLinkageModel(json) // the same model
 */
export function serializeModel(model: LinkageModel): string {
  return `${JSON.stringify(parseLinkageModel(model), null, 2)}\n`
}

/**
 * Writes a model as JSON to `path`.
 *
 * @example
 * await saveModel(await trainModel(incidents), 'model.json')
 */
export async function saveModel(model: LinkageModel, path: string): Promise<void> {
  await writeFile(path, serializeModel(model), 'utf8')
}

/**
 * Reads and validates a model JSON file; throws a `caselink:` error naming the file and every problem.
 *
 * @example
 * const model = await loadModel('model.json')
 */
export async function loadModel(path: string): Promise<LinkageModel> {
  const text = await readFile(path, 'utf8')
  try {
    return parseLinkageModel(text)
  } catch (error) {
    throw new Error(
      `caselink: cannot load model ${path}: ${(error as Error).message.replace(/^caselink: /, '')}`,
    )
  }
}
