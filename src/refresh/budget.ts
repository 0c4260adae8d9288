// How much of the refresh loop's idle work goes in one step. A step holds the server's thread (and
// the database's write lock) while it runs, so it is sized by time: what a unit of its work (a body
// rewritten, an entry removed) costs varies a hundredfold, from microseconds when its pages are in
// memory to ~10 ms when they are read from a cold multi-gigabyte file.

/** What one step of idle work may take: a server's pages wait for it. */
export const STEP_BUDGET_MS = 15;

// What a unit is taken to cost before one is measured.
const FIRST_UNIT_MS = 5;

/** How many units of costly work fit in the next step, from what the last ones took. */
export class StepSizer {
  private unitMs = FIRST_UNIT_MS;

  constructor(
    private readonly max: number,
    private readonly budgetMs = STEP_BUDGET_MS,
  ) {}

  /** Units the next step may do: at least one, at most `max`. */
  get size(): number {
    return Math.max(1, Math.min(this.max, Math.floor(this.budgetMs / this.unitMs)));
  }

  /** A step did `units` in `ms`. Slow units count at once (pages read from disk), fast ones little by little. */
  took(units: number, ms: number): void {
    if (units > 0) this.unitMs = Math.max(ms / units, this.unitMs * 0.8);
  }
}
