/** Shape helpers shared by the model, the golden model and the cost model. */

/** Elements of a tensor of shape `dims` (1 for a scalar). */
export function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Channels: the last dimension of a channels-last shape (1 for a scalar). */
export function channelsOf(shape: readonly number[]): number {
  return shape[shape.length - 1] ?? 1;
}
