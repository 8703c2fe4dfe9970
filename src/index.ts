/**
 * caselink: crime case linkage (串并案分析). See README.md and DESIGN.md.
 * @packageDocumentation
 */
export type { Incident, IssueSeverity, RecordIssue } from './schema/incident'
export type { CaseTable } from './table/CaseTable'
export type { Random } from './util/random'
export { createRandom, hashString, randomInt } from './util/random'
