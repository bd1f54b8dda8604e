/** Stable codes for every way the stack's configuration can be wrong. */
export type StackConfigErrorCode =
  | 'InvalidStageName'
  | 'InvalidThrottlingLimit'
  | 'UnknownThrottleRoute'
  | 'InvalidContextValue'
  | 'InvalidIceServer'
  | 'WebAssetsMissing'
  | 'NoRoutes'
  | 'DuplicateRoute'
  | 'InvalidBudget'
  | 'InvalidAlarmEmail'
  | 'BudgetNeedsEmail';

/** A bad stack input: one line saying what is wrong and what to do, with a stable `code`. */
export class StackConfigError extends Error {
  /** The stable code of this error. */
  readonly code: StackConfigErrorCode;

  constructor(code: StackConfigErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StackConfigError';
    this.code = code;
  }
}
