// qnn_window: the sliding-window (im2col) generator in front of a conv MVAU
// (hardware.md §1, docs/engines-contract.md).
//
// Kernel and padding: K and PAD in both dimensions (2-D), unless KX / PADX give the row's
// (a K×KX kernel, PADX columns left and right: MMV's super-pixels). Below, K and P along a
// row mean KX and PADX where given.
//
// Input: the [IN_H, IN_W, CH] (DIMS = 2) or [IN_W, CH] (DIMS = 1) frame, channels-last,
// IN_ELEMS elements per word (IN_ELEMS divides CH). Output: for every output pixel in
// row-major order, its MW = K·K·CH (2-D) or K·CH (1-D) im2col vector, kernel position
// major (ky, then kx), channel minor, SIMD elements per word (SF = MW/SIMD words per
// pixel); padding elements are 0. SIMD is a multiple of IN_ELEMS and divides MW: with
// IN_ELEMS = SIMD ≤ CH each output word is one input word (or zeros); with IN_ELEMS = CH
// < SIMD each output word holds SIMD/CH whole kernel positions (server/src/model/
// engines.ts windowInElems, folding.ts validSimds). tlast on the last word of a frame.
//
// Geometry: 2-D works on H = IN_H rows of W = IN_W pixels; 1-D as a column (H = IN_W,
// W = 1, a K×1 kernel), so "row" below means one position in 1-D and the output
// position is oy. A pixel is CG = CH/IN_ELEMS input words. OH = (H + 2·PAD − K)/STRIDE + 1,
// OW likewise (1-D: OW = 1).
//
// Line buffer: a circular buffer of ROWS·W pixels (ROWS from rows_needed() below: the
// rows one window row spans plus those the next one adds, usually K + STRIDE; for the
// frame change H − lo(OH−1) + rows of the first window row; more when windows lie wholly
// in the padding (PAD ≥ K) or the engine is input-bound or nearly so, so that the input
// never waits on the reader). Storage: LANES = SIMD/IN_ELEMS copies (one read port each)
// of ROWS·W·CG words of IN_ELEMS·BITS bits, inferred as LUTRAM/BRAM (simple dual port,
// registered read); LANES = 1 whenever SIMD ≤ CH.
//
// Schedule (exact; test/hw/engines/window.test.ts windowSchedule models it cycle by
// cycle). Pixels are counted in raster order relative to the frame being emitted
// ("avail": complete input pixels; a pixel of the next frame counts from H·W on). For
// the window being emitted, with y0 = oy·S − P, x0 = ox·S − P (1-D: x0 = 0, K → 1 in x):
//   need = hy·W + clamp(x0 + K, 0, W), hy = min(H − 1, y0 + K − 1); need = 1 if hy < 0
//   old  = min(H·W, max(0, y0)·W + lx), lx = clamp(x0, 0, W), or 0 if the next window
//          row starts on the same clamped row (oy < OH − 1 and y0 + S ≤ 0)
// On every cycle, from the registers at its start:
//   - an input word is accepted iff s_axis_tvalid and avail < old + ROWS·W
//     (s_axis_tready depends on registers only); avail counts a pixel from the cycle
//     after its last word is accepted;
//   - the next output word is read from the buffer iff avail ≥ need and the output
//     register is free (empty, or taken on this cycle); it is on m_axis from the next
//     cycle. A window's SF words go out on consecutive cycles while m_axis_tready is high.
// So with the output always ready: window whose last needed input word is accepted on
// cycle c → first word accepted downstream on cycle c + 2 (the first window of the first
// frame: cycle need·CG + 1 after the first input word). Steady-state frame interval
// max(H·W·CG, OH·OW·SF) cycles (input-bound or output-bound, no per-frame bubble).
// Parameter checks (docs/engines-contract.md): QNN_PARAM_ERROR stops the elaboration of an
// instance whose parameters are impossible, with a message. It is an elaboration-time
// $error in Yosys, Vivado and Verilator; Icarus 11 has no elaboration-time $error, there it
// is a $fatal at time 0. (Every template has this definition; the first one read wins.)
`ifndef QNN_PARAM_ERROR
`ifdef __ICARUS__
`define QNN_PARAM_ERROR(args) initial $fatal(1, $sformatf args);
`else
`define QNN_PARAM_ERROR(args) $error args;
`endif
`endif
module qnn_window #(
  parameter int DIMS     = 0,   // 1: conv1d over [IN_W, CH]; 2: conv2d over [IN_H, IN_W, CH]
  parameter int IN_H     = 0,   // rows (1 for DIMS = 1)
  parameter int IN_W     = 0,   // columns (the length for DIMS = 1)
  parameter int CH       = 0,   // input channels
  parameter int K        = 0,   // kernel size (K×K in 2-D)
  parameter int STRIDE   = 0,
  parameter int PAD      = -1,  // zero padding on each side (both dims in 2-D), ≥ 0
  parameter int BITS     = 0,   // bits per element
  parameter int IN_ELEMS = 0,   // elements per input word (divides CH)
  parameter int SIMD     = 0,   // elements per output word (multiple of IN_ELEMS, divides MW)
  parameter int KX       = 0,   // DIMS = 2: the kernel along a row where it differs from K (0: K)
  parameter int PADX     = -1   // DIMS = 2: the padding left and right where it differs from PAD (−1: PAD)
) (
  input  logic                     clk,
  input  logic                     rst_n,
  input  logic [IN_ELEMS*BITS-1:0] s_axis_tdata,
  input  logic                     s_axis_tvalid,
  output logic                     s_axis_tready,
  output logic [SIMD*BITS-1:0]     m_axis_tdata,
  output logic                     m_axis_tvalid,
  input  logic                     m_axis_tready,
  output logic                     m_axis_tlast
);
  // ---- Geometry. 1-D is handled as a column: H = length, W = 1, a K×1 kernel. Sizes below
  // 1 (padding below 0) are raised here, which changes nothing for a valid parameter set:
  // the template read with its defaults (Yosys reads every module so) still elaborates,
  // and the checks below, on the parameters themselves, reject such sets.
  localparam int HI = (DIMS == 2) ? ((IN_H < 1) ? 1 : IN_H) : ((IN_W < 1) ? 1 : IN_W);
  localparam int WI = (DIMS == 2) ? ((IN_W < 1) ? 1 : IN_W) : 1;
  localparam int KH = (K < 1) ? 1 : K;
  // Along a row (2-D): KX and PADX where given (MMV's super-pixel rows, server/src/engines/window.ts).
  localparam int KW = (DIMS == 2) ? ((KX < 1) ? KH : KX) : 1;
  localparam int SH = (STRIDE < 1) ? 1 : STRIDE;
  localparam int SW = (DIMS == 2) ? SH : 1;
  localparam int PH = (PAD < 0) ? 0 : PAD;
  localparam int PW = (DIMS == 2) ? ((PADX < 0) ? PH : PADX) : 0;
  localparam int OH = (HI + 2 * PH - KH) / SH + 1;
  localparam int OW = (WI + 2 * PW - KW) / SW + 1;
  /** Output size as the layer sees it (OUT_H = 1 for DIMS = 1). */
  localparam int OUT_H = (DIMS == 2) ? OH : 1;
  localparam int OUT_W = (DIMS == 2) ? OW : OH;

  localparam int IE = (IN_ELEMS < 1) ? 1 : IN_ELEMS;
  localparam int CG = (CH < IE) ? 1 : CH / IE;           // input words per pixel
  localparam int LANES = (SIMD < IE) ? 1 : SIMD / IE;    // input words per output word
  localparam int MW = KH * KW * CH;          // im2col vector length
  localparam int SF = (KH * KW * CG < LANES) ? 1 : (KH * KW * CG) / LANES; // output words per output pixel
  localparam int UW = IN_ELEMS * BITS;
  localparam int FRAME_PIX = HI * WI;

  // Rows of the line buffer (pixels in 1-D): enough that the writer can fill the rows the
  // next window row needs (and the next frame's first window row) while the current one
  // is emitted, plus, where windows lie wholly in the padding (PAD >= K) or the engine is
  // input-bound or nearly balanced (output words < 2 × input words), the input it reads
  // ahead meanwhile. (No nested function calls: Icarus 11 rejects them in loops of
  // constant functions.)
  function automatic int rows_needed(input int dummy);
    int r, lo, nx, found, nv, nh, tv, th, extra;
    r = KH + dummy;
    if (r < SH + 1) r = SH + 1;
    for (int oy = 0; oy + 1 < OH; oy++) begin
      lo = oy * SH - PH;
      lo = (lo < 0) ? 0 : ((lo > HI) ? HI : lo);
      nx = (oy + 1) * SH - PH + KH;
      nx = (nx < 0) ? 0 : ((nx > HI) ? HI : nx);
      if (nx - lo > r) r = nx - lo;
    end
    // nx: rows the first window row that needs any input needs.
    found = 0;
    nx = 0;
    for (int oy = 0; oy < OH; oy++) begin
      if (found == 0) begin
        nx = oy * SH - PH + KH;
        nx = (nx < 0) ? 0 : ((nx > HI) ? HI : nx);
        if (nx > 0) found = 1;
      end
    end
    lo = (OH - 1) * SH - PH;
    lo = (lo < 0) ? 0 : ((lo > HI) ? HI : lo);
    if (HI - lo + nx > r) r = HI - lo + nx;
    nv = 0;
    tv = 0;
    for (int oy = 0; oy < OH; oy++) begin
      if (oy * SH - PH + KH <= 0 || oy * SH - PH >= HI) nv++;
      if (oy * SH - PH + KH >= HI) tv++;
    end
    nh = 0;
    th = 0;
    for (int ox = 0; ox < OW; ox++) begin
      if (ox * SW - PW + KW <= 0 || ox * SW - PW >= WI) nh++;
      if (ox * SW - PW + KW >= WI) th++;
    end
    extra = 0;
    if (nv > 0 || nh > 0) extra = extra + (((nv * OW + nh) * SF + CG - 1) / CG + WI - 1) / WI + 1;
    if (OH * OW * SF < 2 * HI * WI * CG) extra = extra + ((tv * th * SF + CG - 1) / CG + 1 + WI - 1) / WI;
    rows_needed = r + extra;
  endfunction
  localparam int ROWS = rows_needed(0);
  localparam int NPIX = ROWS * WI;          // buffer capacity in pixels
  localparam int DEPTH = NPIX * CG;         // buffer depth in input words

  localparam int AW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  localparam int CGW = (CG > 1) ? $clog2(CG) : 1;
  localparam int KXW = (KW > 1) ? $clog2(KW) : 1;
  localparam int SFW = (SF > 1) ? $clog2(SF) : 1;
  localparam int OXW = (OW > 1) ? $clog2(OW) : 1;
  localparam int OYW = (OH > 1) ? $clog2(OH) : 1;
  // Signed coordinates (window origin, may be negative in the padding).
  localparam int MAXC = ((HI > WI) ? HI : WI) + ((KH > KW) ? KH : KW) + STRIDE + 2 * ((PH > PW) ? PH : PW) + 2;
  localparam int CW = $clog2(MAXC) + 1;
  // Signed pixel counts relative to the frame being emitted: −FRAME_PIX .. FRAME_PIX + NPIX.
  localparam int NW0 = $clog2(2 * FRAME_PIX + 2 * NPIX + 4) + 1;
  localparam int NW = (NW0 > CW) ? NW0 : CW + 1;

  // ---- Parameter checks (Yosys reads every module with its defaults: the template itself,
  // every parameter at its default, is not checked there).
`ifdef SYNTHESIS
  localparam bit CHECK = !(DIMS == 0 && IN_H == 0 && IN_W == 0 && CH == 0 && K == 0 && STRIDE == 0 &&
                           PAD == -1 && BITS == 0 && IN_ELEMS == 0 && SIMD == 0 && KX == 0 && PADX == -1);
`else
  localparam bit CHECK = 1'b1;
`endif
  if (CHECK && ((DIMS != 1 && DIMS != 2) || (DIMS == 1 && IN_H != 1) || IN_W < 1 || (DIMS == 2 && IN_H < 1))) begin : g_bad_dims
    `QNN_PARAM_ERROR(("qnn_window: DIMS (%0d) must be 1 (with IN_H = 1) or 2, with IN_H (%0d) and IN_W (%0d) at least 1",
                      DIMS, IN_H, IN_W))
  end
  if (CHECK && (KX < 0 || PADX < -1 || (DIMS == 1 && (KX != 0 || PADX != -1)))) begin : g_bad_kx
    `QNN_PARAM_ERROR(("qnn_window: KX (%0d) and PADX (%0d) are for DIMS = 2 only (0 and -1: as K and PAD)", KX, PADX))
  end
  if (CHECK && (K < 1 || STRIDE < 1 || PAD < 0 || OUT_H < 1 || OUT_W < 1)) begin : g_bad_window
    `QNN_PARAM_ERROR(("qnn_window: K (%0d) and STRIDE (%0d) must be at least 1, PAD (%0d) at least 0, and the padded input at least K",
                      K, STRIDE, PAD))
  end
  if (CHECK && (BITS < 1 || IN_ELEMS < 1 || CH < 1 || CH % IN_ELEMS != 0)) begin : g_bad_in
    `QNN_PARAM_ERROR(("qnn_window: IN_ELEMS (%0d) must divide CH (%0d), and BITS (%0d) be at least 1", IN_ELEMS, CH, BITS))
  end else if (CHECK && (SIMD < 1 || SIMD % IN_ELEMS != 0 || MW % SIMD != 0)) begin : g_bad_simd
    `QNN_PARAM_ERROR(("qnn_window: SIMD (%0d) must be a multiple of IN_ELEMS (%0d) that divides K*K*CH (2-D) or K*CH (1-D) (%0d)",
                      SIMD, IN_ELEMS, MW))
  end

  // ---- Handshake state.
  logic out_valid;                 // m_axis word held in the read stage
  logic adv;                       // the read stage moves (its word leaves or it is empty)
  logic s_fire;
  assign adv = !out_valid || m_axis_tready;
  assign s_fire = s_axis_tvalid && s_axis_tready;

  // Pixels written relative to the reader's frame (signed), and the reader's limits.
  logic signed [NW-1:0] avail;     // input pixels of the reader's frame (and later) complete
  logic signed [NW-1:0] need_pix;  // pixels the current window needs (raster count)
  logic signed [NW-1:0] old_pix;   // raster index of the oldest pixel still needed
  logic issue;                     // a word is read from the line buffer this cycle

  // ---- Writer.
  logic [AW-1:0] wr_addr;
  logic [CGW-1:0] wr_cg;
  logic pix_done;
  assign s_axis_tready = (avail < old_pix + NW'(NPIX));
  assign pix_done = s_fire && (wr_cg == CGW'(CG - 1));

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      wr_addr <= '0;
      wr_cg <= '0;
    end else if (s_fire) begin
      wr_addr <= (wr_addr == AW'(DEPTH - 1)) ? '0 : wr_addr + AW'(1);
      wr_cg <= (wr_cg == CGW'(CG - 1)) ? '0 : wr_cg + CGW'(1);
    end
  end

  // ---- Reader: output pixel (oy, ox), word sf. Lane l of word sf carries unit
  // u = sf·LANES + l of the im2col vector (a unit = IN_ELEMS elements = one stored word):
  // kernel row ky, column kx and channel group cg with u = (ky·KW + kx)·CG + cg.
  localparam int WCG = WI * CG;                        // words per buffer row
  localparam int M_CG = LANES % CG;                    // unit step per word, as (ky, kx, cg)
  localparam int M_KX = (LANES / CG) % KW;
  localparam int M_KY = LANES / (CG * KW);
  // Buffer address steps, all modulo DEPTH: SH rows, one frame, −PH rows, −PW columns,
  // SW columns, and a lane's step per word (D0, or D01 when its kx wraps to the next row).
  localparam int RSTEP = (SH % ROWS) * WCG;
  localparam int FSTEP = (HI % ROWS) * WCG;
  localparam int PSTEP = ((ROWS - PH % ROWS) % ROWS) * WCG;
  localparam int CSTEP = (SW * CG) % DEPTH;
  localparam int PWSTEP = (DEPTH - (PW * CG) % DEPTH) % DEPTH;
  localparam int D0 = (M_CG + M_KX * CG + M_KY * WCG) % DEPTH;
  localparam int D01 = (D0 + ((WCG - KW * CG) % DEPTH + DEPTH) % DEPTH) % DEPTH;

  logic [OYW-1:0] oy;
  logic [OXW-1:0] ox;
  logic [SFW-1:0] sf;
  logic signed [CW-1:0] y0, x0;    // window origin: oy·SH − PH, ox·SW − PW
  logic signed [NW-1:0] y0w;       // y0·W: raster index of (y0, 0)
  logic [AW-1:0] rbase;            // buffer address of input row y0 (mod DEPTH)
  logic [AW-1:0] fbase;            // buffer address of row 0 of the frame being emitted
  logic [AW-1:0] pbase;            // buffer address of (y0, x0) (mod DEPTH)
  logic lsf, lox, loy, last_word, frame_done;
  logic signed [CW-1:0] y0_n, x0_n;
  logic [AW-1:0] rbase_n, fbase_n, pbase_n;

  // Buffer address a + b (both < DEPTH) modulo DEPTH: a + b or a + b − DEPTH, whichever
  // is in range (two adders, no compare-and-subtract chain).
  //
  // (Signed compares with 0 below read the sign bit, and a ≥ b is written !(a < b): the same
  // values, but Yosys 0.23's synth_ice40 builds x ≥ 0 as a 13-bit carry chain with 19 LUT4s,
  // and a ≥ b with an inverter per bit that a < b does without. A 1-D window of 8-bit pixels,
  // K = 5: 398 → 294 LUT4s; a 32 × 32 × 3 one, K = 3: 569 → 453; xc7 2 to 5 % fewer LUTs.)
  function automatic logic [AW-1:0] wrap_add(input logic [AW-1:0] a, input logic [AW:0] b);
    logic signed [AW+1:0] t, u;
    t = $signed({2'b00, a}) + $signed({1'b0, b});
    u = t - (AW + 2)'(DEPTH);
    wrap_add = u[AW+1] ? AW'(t) : AW'(u);  // u < 0
  endfunction

  // A counter of one value (SF, OW or OH = 1: 1-D windows have OW = 1) is always 0 and its
  // "last" flag always 1. Said so here, synthesis drops the logic of that dimension, which
  // it cannot prove from the register (0 by reset and by every update): a 1-D window of 8-bit
  // pixels, K = 5, went from 593 to 355 LUT4s on iCE40 and 235 to 191 LUTs on xc7.
  assign lsf = (SF == 1) || (sf == SFW'(SF - 1));
  assign lox = (OW == 1) || (ox == OXW'(OW - 1));
  assign loy = (OH == 1) || (oy == OYW'(OH - 1));
  assign last_word = lsf && lox && loy;
  assign frame_done = issue && last_word;

  // The next window (used when its last word is issued). Each base is one wrap_add from
  // a register (the steps are summed here, at elaboration), not a chain of them: on an
  // iCE40 the chained form (fbase → rbase → pbase → lane address) was the critical path.
  localparam int FPSTEP = (FSTEP + PSTEP) % DEPTH;
  localparam int RPWSTEP = (RSTEP + PWSTEP) % DEPTH;
  localparam int FPPWSTEP = (FSTEP + PSTEP + PWSTEP) % DEPTH;
  always_comb begin : next_window
    y0_n = y0;
    x0_n = x0 + CW'(SW);
    rbase_n = rbase;
    fbase_n = fbase;
    pbase_n = wrap_add(pbase, (AW + 1)'(CSTEP));
    if (lox) begin
      x0_n = CW'(-PW);
      if (!loy) begin
        y0_n = y0 + CW'(SH);
        rbase_n = wrap_add(rbase, (AW + 1)'(RSTEP));
        pbase_n = wrap_add(rbase, (AW + 1)'(RPWSTEP));
      end else begin
        y0_n = CW'(-PH);
        fbase_n = wrap_add(fbase, (AW + 1)'(FSTEP));
        rbase_n = wrap_add(fbase, (AW + 1)'(FPSTEP));
        pbase_n = wrap_add(fbase, (AW + 1)'(FPPWSTEP));
      end
    end
  end

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      oy <= '0;
      ox <= '0;
      sf <= '0;
      y0 <= CW'(-PH);
      x0 <= CW'(-PW);
      y0w <= NW'(-PH * WI);
      rbase <= AW'(PSTEP);
      fbase <= '0;
      pbase <= wrap_add(AW'(PSTEP), (AW + 1)'(PWSTEP));
      avail <= '0;
    end else begin
      if (issue) begin
        sf <= lsf ? '0 : sf + SFW'(1);
        if (lsf) begin
          ox <= lox ? '0 : ox + OXW'(1);
          x0 <= x0_n;
          pbase <= pbase_n;
          if (lox) begin
            oy <= loy ? '0 : oy + OYW'(1);
            y0 <= y0_n;
            y0w <= loy ? NW'(-PH * WI) : y0w + NW'(SH * WI);
            rbase <= rbase_n;
            fbase <= fbase_n;
          end
        end
      end
      avail <= avail + (pix_done ? NW'(1) : NW'(0)) - (frame_done ? NW'(FRAME_PIX) : NW'(0));
    end
  end

  // Pixels (raster count) a window at origin (y0w, x0) needs: through its last row and
  // column in the frame; at least the frame's first pixel, so that the reader never runs
  // into the next frame on windows wholly in the padding (PAD >= K).
  function automatic logic signed [NW-1:0] need_of(input logic signed [NW-1:0] wy0w, input logic signed [CW-1:0] wx0);
    logic signed [NW-1:0] hyw, n;
    logic signed [CW-1:0] hx;
    hyw = wy0w + NW'((KH - 1) * WI);
    if (hyw > NW'((HI - 1) * WI)) hyw = NW'((HI - 1) * WI);
    hx = wx0 + CW'(KW);
    if (hx[CW-1]) hx = '0;  // hx < 0
    if (hx > CW'(WI)) hx = CW'(WI);
    n = hyw + NW'(hx);
    need_of = (hyw[NW-1] || n < NW'(1)) ? NW'(1) : n;  // hyw < 0 or n < 1
  endfunction
  // The oldest pixel this and the later windows of the frame need: (y0, x0) clamped, or
  // (y0, 0) while the next window row starts on the same (clamped) row.
  function automatic logic signed [NW-1:0] oldest_of(input logic signed [NW-1:0] wy0w, input logic signed [CW-1:0] wy0,
                                                     input logic signed [CW-1:0] wx0, input logic wloy);
    logic signed [CW-1:0] lx, ny;
    logic signed [NW-1:0] o;
    lx = wx0[CW-1] ? '0 : ((wx0 > CW'(WI)) ? CW'(WI) : wx0);  // wx0 < 0: 0
    ny = wy0 + CW'(SH);
    if (!wloy && ny <= CW'(0)) lx = '0;
    o = (wy0w[NW-1] ? '0 : wy0w) + NW'(lx);  // wy0w < 0: 0
    // Windows below the frame: nothing of it is needed any more, but the next frame's are.
    oldest_of = (o > NW'(FRAME_PIX)) ? NW'(FRAME_PIX) : o;
  endfunction
  // Both depend only on the window origin, so they are registers loaded with the next
  // window's values when it starts (the same cycle as y0, x0): equal to computing them
  // from y0, x0 every cycle, without that logic in front of `issue` and s_axis_tready.
  logic signed [NW-1:0] y0w_n;
  logic loy_n;
  assign y0w_n = !lox ? y0w : (loy ? NW'(-PH * WI) : y0w + NW'(SH * WI));
  assign loy_n = !lox ? loy : (loy ? (OH == 1) : (oy == OYW'(OH - 2)));
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      need_pix <= need_of(NW'(-PH * WI), CW'(-PW));
      old_pix <= oldest_of(NW'(-PH * WI), CW'(-PH), CW'(-PW), OH == 1);
    end else if (issue && lsf) begin
      need_pix <= need_of(y0w_n, x0_n);
      old_pix <= oldest_of(y0w_n, y0_n, x0_n, loy_n);
    end
  end

  assign issue = adv && !(avail < need_pix);  // avail ≥ need_pix

  // ---- Read stage: one buffer read per lane, registered (the memory's output register).
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      out_valid <= 1'b0;
      m_axis_tlast <= 1'b0;
    end else if (adv) begin
      out_valid <= issue;
      m_axis_tlast <= last_word;
    end
  end
  assign m_axis_tvalid = out_valid;

  // Lanes whose unit keeps a fixed offset from lane 0's in every word ("aligned": a word
  // never splits a kernel row or a pixel differently from one word to the next) derive
  // their address and padding flag from lane 0; the others track their own unit.
  localparam int RU = KW * CG;  // units per kernel row
  localparam bit ALIGNED = ((RU % LANES == 0) || (LANES % RU == 0)) && ((CG % LANES == 0) || (LANES % CG == 0));
  // Lane 0's buffer address and input pixel (read only by derived lanes, if any).
  /* verilator lint_off UNUSEDSIGNAL */
  logic [AW-1:0] addr0;
  logic signed [CW-1:0] y_0, x_0;
  /* verilator lint_on UNUSEDSIGNAL */

  for (genvar l = 0; l < LANES; l++) begin : g_lane
    // The lane's unit at the first word of a window, as (ky, kx, cg), and its address offset.
    localparam int L_CG = l % CG;
    localparam int L_KX = (l / CG) % KW;
    localparam int L_KY = l / (CG * KW);
    localparam int LOFF = (L_CG + L_KX * CG + L_KY * WCG) % DEPTH;

    logic [UW-1:0] mem [DEPTH];
    logic [UW-1:0] q;
    logic [AW-1:0] rd_addr;          // the lane's buffer address (mod DEPTH, also in the padding)
    /* verilator lint_off UNUSEDSIGNAL */
    logic in_frame;                  // its input pixel is inside the frame (not padding; unread without padding)
    /* verilator lint_on UNUSEDSIGNAL */

    if (l == 0 || !ALIGNED) begin : g_track
      logic [CGW-1:0] cg;            // the lane's unit in the current word
      logic [KXW-1:0] kx;
      logic signed [CW-1:0] y, x;    // its input pixel (may lie in the padding)
      logic [AW-1:0] addr;
      logic [CGW:0] cg_s;
      logic [KXW:0] kx_s;
      logic c1, c2;

      // (With one channel group or one kernel column, cg or kx is always 0: read as such.)
      assign cg_s = {1'b0, (CG == 1) ? CGW'(0) : cg} + (CGW + 1)'(M_CG);
      assign c1 = (cg_s >= (CGW + 1)'(CG));
      assign kx_s = {1'b0, (KW == 1) ? KXW'(0) : kx} + (KXW + 1)'(M_KX) + (KXW + 1)'(c1);
      assign c2 = (kx_s >= (KXW + 1)'(KW));
      assign in_frame = !y[CW-1] && (y < CW'(HI)) && !x[CW-1] && (x < CW'(WI));  // y, x ≥ 0 and inside
      assign rd_addr = addr;

      always_ff @(posedge clk) begin
        if (!rst_n) begin
          cg <= CGW'(L_CG);
          kx <= KXW'(L_KX);
          y <= CW'(L_KY - PH);
          x <= CW'(L_KX - PW);
          addr <= wrap_add(wrap_add(AW'(PSTEP), (AW + 1)'(PWSTEP)), (AW + 1)'(LOFF));
        end else if (issue) begin
          if (lsf) begin
            cg <= CGW'(L_CG);
            kx <= KXW'(L_KX);
            y <= y0_n + CW'(L_KY);
            x <= x0_n + CW'(L_KX);
            addr <= wrap_add(pbase_n, (AW + 1)'(LOFF));
          end else begin
            cg <= c1 ? CGW'(cg_s - (CGW + 1)'(CG)) : CGW'(cg_s);
            kx <= c2 ? KXW'(kx_s - (KXW + 1)'(KW)) : KXW'(kx_s);
            y <= y + CW'(M_KY) + CW'($signed({1'b0, c2}));
            // (One kernel column: kx_s is c1 and c2 = c1, so x stays; written so, synthesis sees it.)
            x <= (KW == 1) ? x : x + CW'(M_KX) + CW'($signed({1'b0, c1})) - (c2 ? CW'(KW) : CW'(0));
            addr <= wrap_add(addr, c2 ? (AW + 1)'(D01) : (AW + 1)'(D0));
          end
        end
      end
      if (l == 0) begin : g_lane0
        assign addr0 = addr;
        assign y_0 = y;
        assign x_0 = x;
      end
    end else begin : g_derived
      // Unit l of the word = lane 0's unit + l, in the same relative place every word.
      localparam int DY = l / RU;
      localparam int DX = (l % RU) / CG;
      localparam int DOFF = (DY * WCG + l % RU) % DEPTH;
      assign rd_addr = wrap_add(addr0, (AW + 1)'(DOFF));
      assign in_frame = (y_0 >= CW'(-DY)) && (y_0 < CW'(HI - DY)) && (x_0 >= CW'(-DX)) && (x_0 < CW'(WI - DX));
    end

    always_ff @(posedge clk) begin
      if (s_fire) mem[wr_addr] <= s_axis_tdata;
    end
    always_ff @(posedge clk) begin
      if (adv) q <= mem[rd_addr];
    end
    if (PH > 0 || PW > 0) begin : g_pad
      // Padding: a unit outside the frame reads as 0.
      logic pad_q;
      always_ff @(posedge clk) begin
        if (adv) pad_q <= !in_frame;
      end
      assign m_axis_tdata[l*UW +: UW] = pad_q ? '0 : q;
    end else begin : g_no_pad
      // Without padding every unit a window reads lies in the frame. Synthesis could not prove
      // in_frame constant, so it built the mask and the trackers' y and x that feed it; they
      // are left unread here and removed.
      assign m_axis_tdata[l*UW +: UW] = q;
    end
  end
endmodule
