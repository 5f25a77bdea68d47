/** A migration history that cannot be applied as it is; the message says what to fix. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}
