/**
 * caselink: crime case linkage (串并案分析). See README.md and DESIGN.md.
 * @packageDocumentation
 */

export {
  type AnalyzeBlockingOptions,
  analyzeBlocking,
  type BlockingAnalysis,
  type HotBlock,
  type RuleAnalysis,
} from './blocking/analyzeBlocking'
export {
  BEHAVIOUR_DEFAULTS,
  type BehaviourOptions,
  BLOCKING_DEFAULTS,
  BLOCKING_RULES,
  type BlockingRule,
  type CandidateSet,
  type CappedValue,
  type CategoryGroups,
  type GenerateCandidatesOptions,
  generateCandidates,
  generateCandidatesBruteForce,
  type RareMoOptions,
} from './blocking/generateCandidates'
export {
  type DetectSeriesOptions,
  detectSeries,
  type SeriesMethod,
  type SeriesPartition,
} from './cluster/detectSeries'
export { type CommunityMembers, canonicalizeMembership, communityMembers } from './cluster/partition'
export { cpmQuality } from './cluster/quality'
export {
  expectedAbsoluteDifference,
  expectedCircularDistance,
  expectedCircularDistancePiecewise,
  haversineMeters,
} from './compare/expectedDistance'
export {
  type Assignments,
  type EvaluatePartitionOptions,
  evaluatePartition,
  type PartitionMetrics,
  type PrecisionRecall,
} from './evaluation/evaluatePartition'
export {
  type EvaluateRankingOptions,
  evaluateRanking,
  type RankedCandidate,
  type RankingMetrics,
  type Rankings,
} from './evaluation/evaluateRanking'
export {
  type Calibration,
  type CalibrationBin,
  type EvaluateScoresOptions,
  evaluateScores,
  type ScoredPairColumns,
  type ScoredPairObject,
  type ScoreMetrics,
  type ThresholdMetrics,
} from './evaluation/evaluateScores'
export { buildTruth, type LabelledIncident, type Truth } from './evaluation/truth'
export { ASSIGNMENTS_CSV_HEADER, assignmentRows, writeAssignmentsCsv } from './export/assignmentsCsv'
export {
  type CsvCell,
  createTextFileWriter,
  formatCsvRow,
  neutralizeCsvCell,
  type TextFileWriter,
  type ToCsvOptions,
  toCsv,
  UTF8_BOM,
} from './export/csv'
export {
  type LinkGraphEdgeAttributes,
  type LinkGraphNodeAttributes,
  type LinkGraphOptions,
  linkResultToGraphology,
  toGexf,
  toGraphml,
} from './export/graphExport'
export { LINKS_CSV_HEADER, type LinkRowsOptions, linkRows, writeLinksCsv } from './export/linksCsv'
export { type RejectedRecord, writeRejectedNdjson } from './export/rejectedNdjson'
export {
  convexHull,
  type SeriesFeature,
  type SeriesGeometry,
  seriesGeoJsonFeatures,
  writeSeriesGeoJson,
} from './export/seriesGeoJson'
export { type SeriesJsonMeta, seriesJsonDocument, writeSeriesJson } from './export/seriesJson'
export {
  OUTPUT_FORMATS,
  type OutputFile,
  type OutputFormat,
  type WriteLinkOutputsOptions,
  writeLinkOutputs,
} from './export/writeLinkOutputs'
export {
  defaultTimeSpanDays,
  type GeneratedIncident,
  type GenerateIncidentsOptions,
  generateIncidentChunks,
  generateIncidents,
} from './generate/generateIncidents'
export {
  buildRegion,
  GENERATOR_PRESETS,
  type GeneratorPreset,
  type GeneratorPresetName,
  type Region,
} from './generate/region'
export { SCENARIO_NAMES, type ScenarioName } from './generate/scenarios'
export { CATEGORIES as GENERATED_CATEGORIES, type GeneratedCategory } from './generate/vocabulary'
export {
  GENERATED_CSV_COLUMNS,
  type WriteIncidentsOptions,
  type WriteIncidentsResult,
  writeIncidentsCsv,
  writeIncidentsNdjson,
} from './generate/writeIncidents'
export {
  type DuplicateEdgeMerge,
  nodeStrengths,
  type SimilarityGraph,
  type SimilarityGraphOptions,
  similarityGraphFromEdges,
  totalEdgeWeight,
} from './graph/similarityGraph'
export {
  GRAPHOLOGY_MAX_ENTRIES,
  type GraphologyEdgeAttributes,
  type GraphologyNodeAttributes,
  type ToGraphologyOptions,
  toGraphology,
} from './graph/toGraphology'
export {
  formatFromPath,
  type IncidentFormat,
  loadIncidents,
  type ReadIncidentsOptions,
  readIncidents,
  SourceError,
  type SourceRecord,
} from './io/readIncidents'
export { acceptParsed, incidentToRecord, isIncident } from './link/isIncident'
export {
  blockingFor,
  LINK_DEFAULTS,
  type LinkIncidentsOptions,
  type LinkResult,
  type LinkStats,
  linkIncidents,
  type ProfileLink,
  type ScoredLink,
  type StageStats,
  scorerWithPriors,
} from './link/linkIncidents'
export {
  NULL_TEST_DEFAULTS,
  type NullTestCounts,
  type NullTestOptions,
  type NullTestResult,
  nullTest,
  permuteTimes,
} from './link/nullTest'
export {
  type RankedIncident,
  type RankedSeries,
  type RankOptions,
  rankIncidents,
  rankSeries,
} from './link/rankSeries'
export { type DefaultModelOptions, defaultModel } from './model/defaultModel'
export {
  ESTIMATE_PRIORS_DEFAULTS,
  type EstimatedPriors,
  type EstimatePriorsOptions,
  estimatePriors,
  type PairClassEstimate,
} from './model/estimatePriors'
export {
  type FitLevelWeightsOptions,
  type FittedLevelWeights,
  fitLevelWeights,
  type LevelDesign,
} from './model/fitLevelWeights'
export type { FitModelOptions } from './model/fitting'
export {
  COMPARISON_KINDS,
  type ComparisonKind,
  type ComparisonLevel,
  type ComparisonSpec,
  DEFAULT_EVIDENCE_CLASSES,
  EVIDENCE_CLASSES,
  type EvidenceClass,
  type LinkageModel,
  LinkageModelSchema,
  levelLabels,
  levelMatchWeights,
  matchProbability,
  PAIR_CLASSES,
  type PairClass,
  parseLinkageModel,
  priorMatchWeight,
  SERIES_LINK_FEATURES,
  type SeriesLinkFeature,
  type SeriesLinkModel,
  SeriesLinkModelSchema,
} from './model/linkageModel'
export { loadModel, saveModel, serializeModel } from './model/modelFile'
export { TRAIN_MODEL_DEFAULTS, type TrainModelOptions, trainModel } from './model/trainModel'
export {
  NEAR_REPEAT_DEFAULTS,
  type NearRepeatCount,
  type NearRepeatOptions,
  type NearRepeatResult,
  type NearRepeatZone,
  type NearRepeatZoneResult,
  nearRepeat,
} from './nearRepeat/nearRepeat'
export { type NearRepeatBand, SAME_LOCATION_METERS } from './nearRepeat/nearRepeatBands'
export { INDEX_FORMAT_VERSION } from './online/indexFile'
export {
  createLinkageIndex,
  INDEX_RARE_MO_DEFAULTS,
  type IndexAddResult,
  type IndexQueryOptions,
  type IndexQueryResult,
  type IndexSeries,
  type IndexStats,
  type LinkageIndex,
  type LinkageIndexOptions,
  linkageIndexFromBytes,
  loadLinkageIndex,
} from './online/linkageIndex'
export { CANONICAL_FIELDS, type CanonicalField, FIELD_ALIASES } from './schema/fieldAliases'
export type { Incident, IssueSeverity, RecordIssue } from './schema/incident'
export { ISSUE_CODES, type IssueCode } from './schema/issueCodes'
export {
  createIncidentParser,
  formatPath,
  type IncidentParser,
  IncidentValidationError,
  type ParseIncidentsOptions,
  type ParseResult,
  parseIncidents,
} from './schema/parseIncidents'
export { type ParsedTime, parseTime } from './schema/parseTime'
export { FIELD_EXPECTATIONS, type RecordInput, RecordSchema } from './schema/recordSchema'
export { createZoneClock, isValidTimeZone, type LocalTimeStatus, type ZoneClock } from './schema/zoneClock'
export {
  BACKGROUND_DEFAULTS,
  type BackgroundOptions,
  type BackgroundRates,
  backgroundRates,
} from './score/backgroundRates'
export {
  createPairScorer,
  type PairScorer,
  type PairScorerOptions,
  type ScorerAdjustments,
  type ScoringStatistics,
  scoringStatistics,
  withPriors,
} from './score/pairScorer'
export {
  type ParallelScoredPairs,
  type ScorePairsParallelOptions,
  scorePairsParallel,
} from './score/parallelScorePairs'
export {
  type Contribution,
  explainPair,
  type PairScore,
  type ScorePairOptions,
  scorePair,
} from './score/scorePair'
export {
  type CandidatePairs,
  type ScoredPairs,
  type ScorePairsOptions,
  scorePairs,
  scoreRange,
  weightFloor,
} from './score/scorePairs'
export {
  TERM_FREQUENCY_DEFAULTS,
  type TermFrequencies,
  type TermFrequencyOptions,
  termFrequencies,
} from './score/termFrequencies'
export { type FitSeriesLinksOptions, fitSeriesLinks } from './series/fitSeriesLinks'
export { createReasonWriter, type ReasonWriter } from './series/linkReasons'
export {
  linkSeriesByModel,
  SERIES_LINK_ROUNDS,
  seriesPairProbabilities,
} from './series/linkSeriesByModel'
export {
  mergeSeriesByProfile,
  PROFILE_MERGE_DEFAULTS,
  type ProfileMerge,
  type ProfileMergeOptions,
  type ProfileMergeResult,
} from './series/mergeSeriesByProfile'
export {
  SERIES_LINK_REACH_DEFAULTS,
  type SeriesLinkReach,
  type SeriesPairFeatures,
  seriesPairFeatures,
} from './series/seriesPairFeatures'
export {
  explainLink,
  type Series,
  type SeriesLink,
  type SeriesSummaries,
  type SharedValue,
  type SummarizeSeriesOptions,
  summarizeSeries,
} from './series/summarizeSeries'
export type { BuildCaseTableOptions } from './table/buildCaseTable'
export {
  buildCaseTable,
  EARTH_RADIUS_METERS,
  narrativeBigrams,
  normalizeNarrative,
} from './table/buildCaseTable'
export type { CaseTable } from './table/CaseTable'
export {
  CLUMP_DEFAULTS,
  type ClumpCounter,
  type ClumpOptions,
  clumpedMoFrequency,
  createClumpCounter,
} from './table/clumpedFrequency'
export type { Random } from './util/random'
export { createRandom, hashString, randomInt } from './util/random'
