/**
 * The one error type of the .npy reader and writer.
 *
 * Messages are written for the person who made the file: they say what is
 * wrong and what would be right, so callers (diagnostic QNN060, the CLI) can
 * show them as they are.
 */
export class NpyError extends Error {
  /** The file being read, when the error came from `loadNpyFile`. */
  path?: string;

  constructor(message: string, path?: string) {
    super(message);
    this.name = 'NpyError';
    if (path !== undefined) this.path = path;
  }
}
