/**
 * Domain errors thrown by services. They know nothing about HTTP; the app's error handler maps them to
 * statuses (see api-error.ts) and the merge worker maps them to retry / no-retry.
 */
export type DomainErrorCode =
  | "store_unavailable"
  | "queue_unavailable"
  | "not_found"
  | "poison_batch"
  | "invalid_argument"
  | "cursor_expired";

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  constructor(code: DomainErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The database is closed, locked past the busy timeout, or unreachable: worth retrying later. */
export class StoreUnavailableError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("store_unavailable", message, options);
  }
}

/** Redis could not take a job right now. */
export class QueueUnavailableError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("queue_unavailable", message, options);
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super("not_found", message);
  }
}

/** A landed batch that can never merge (undecodable or invalid); retrying will not help. */
export class PoisonBatchError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("poison_batch", message, options);
  }
}

export class InvalidArgumentError extends DomainError {
  constructor(message: string) {
    super("invalid_argument", message);
  }
}

/** A page cursor older than the history kept for it (the cursor lifetime): start the walk again. */
export class CursorExpiredError extends DomainError {
  constructor(message: string) {
    super("cursor_expired", message);
  }
}
