/** The `target` member: device (QNN052 when unknown), clock, frame rate, board, bandwidth. */
import type * as ast from '../../language/generated/ast.js';
import { closeDeviceNames, findDevice } from '../../device/devices.js';
import { FREQ_UNITS, parseNumberLiteral } from '../numbers.js';
import { keywordRange, propRange } from '../ranges.js';
import type { Target } from '../types.js';
import type { Elab } from './context.js';

export function target(cx: Elab, t: ast.Target): void {
  if (!t.device) return;
  const range = keywordRange(t, 'target');
  const deviceRange = propRange(t, 'device');
  const device = findDevice(t.device);
  if (!device) {
    const close = closeDeviceNames(t.device);
    cx.error('QNN052', `unknown device '${t.device}': did you mean ${close.map((n) => `'${n}'`).join(', ')}?`, deviceRange, { close });
  }
  const unit = FREQ_UNITS[t.unit] ?? 1e6;
  const tgt: Target = {
    device: device?.name ?? t.device,
    clockHz: parseNumberLiteral(t.freq ?? '0') * unit,
    range,
    deviceRange,
  };
  if (!(tgt.clockHz > 0)) cx.error('QNN030', 'the clock must be above 0', propRange(t, 'freq'));
  if (t.fps !== undefined) tgt.fps = parseNumberLiteral(t.fps);
  if (t.board !== undefined) {
    tgt.board = t.board;
    if (device && !device.boards.includes(t.board.toLowerCase())) {
      cx.report(
        'QNN010',
        'warning',
        `board '${t.board}' is not known for ${device.name} (known: ${device.boards.join(', ')})`,
        propRange(t, 'board'),
      );
    }
  }
  if (t.bandwidth !== undefined) tgt.bandwidthGBs = parseNumberLiteral(t.bandwidth);
  if (t.lanesWord !== undefined && t.lanesWord !== 'lanes') {
    cx.error(
      'QNN010',
      `unknown target option '${t.lanesWord}': the target takes fps >=, board, bandwidth and lanes`,
      propRange(t, 'lanesWord'),
    );
  } else if (t.lanes !== undefined) {
    const lanes = parseNumberLiteral(t.lanes);
    tgt.lanesRange = propRange(t, 'lanes');
    if (Number.isInteger(lanes) && lanes >= 1) tgt.lanes = lanes;
    else cx.error('QNN030', `lanes must be an integer of at least 1 (copies of the pipeline), not ${t.lanes}`, tgt.lanesRange);
  }
  cx.net.target = tgt;
}
