/** A simulation build or run failed; the message carries the tool's own error lines. */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
  constructor(
    message: string,
    readonly log: string = '',
  ) {
    super(message);
    this.stack = `${this.name}: ${this.message}`;
  }
}
