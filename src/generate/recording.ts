/**
 * How incidents are recorded, shared by the generator's background and its planted scenarios: uncertain
 * time windows by category, and the rates at which MO values are kept, recorded and left missing.
 */

/**
 * Probability of an uncertain window, and max hours before/after the true time, by category (order of
 * CATEGORIES): burglaries are mostly found later, pickpocketing is mostly noticed at once.
 */
export const WINDOW = [
  [0.75, 9, 9],
  [0.85, 8, 8],
  [0.45, 8, 6],
  [0.5, 10, 6],
  [0.55, 9, 7],
  [0.75, 8, 5],
  [0.35, 2, 1],
  [0, 0, 0],
] as const
/** Share of an offender's crimes with his own value of an MO group (else a random value). */
export const MO_STABILITY = 0.9
/** Probability that an MO value is recorded. */
export const MO_RECORDED = 0.92
/** Probability that a personal `sign:` habit shows in one of the offender's crimes. */
export const HABIT_PRESENT = 0.75
/** Share of records without a location. */
export const LOCATION_MISSING = 0.01
/** Share of records without a narrative. */
export const NARRATIVE_MISSING = 0.08
