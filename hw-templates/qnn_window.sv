// qnn_window: the sliding-window (im2col) generator in front of a conv MVAU
// (hardware.md §1, docs/engines-contract.md).
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
// Line buffer: a circular buffer of ROWS input rows (2-D) or ROWS input positions
// (1-D), ROWS = rows_needed() below, at most 2·K + STRIDE − 1, usually K + STRIDE
// (the window's rows, the rows the next window row needs, and, for valid padding, the
// first rows of the next frame so that frames follow each other without a bubble).
// Storage: LANES = SIMD/IN_ELEMS copies (one read port each) of ROWS·W·CH·BITS bits,
// inferred as LUTRAM/BRAM (simple dual port, registered read).
//
// Timing (stalls off). Let a "pixel" be CH/IN_ELEMS input words. The writer accepts one
// word per cycle while the buffer has room: input pixel g (counted in raster order
// within the frame of the pixel being emitted) is accepted while g < oldest + ROWS·W,
// where oldest is the raster index of the oldest pixel the current and every later
// window of that frame still needs. The reader emits output pixel (oy, ox) once the
// last input pixel of its window in raster order, (min(H−1, oy·S−P+K−1),
// min(W−1, ox·S−P+K−1)), has been accepted: its first word is handed over (read from
// the buffer) on the cycle after that pixel's last word is accepted and appears on
// m_axis 1 cycle later (so, counting handshake cycles, a window whose last input word
// is accepted on cycle c has its first output word accepted on cycle c + 2 at the
// earliest); then one word per cycle for its SF words and the following windows while
// their inputs are there. Steady-state frame interval: max(input words, output words)
// per frame = max(IN_H·IN_W·CH/IN_ELEMS, OUT_H·OUT_W·SF).
module qnn_window #(
  parameter int DIMS     = 2,  // 1: conv1d over [IN_W, CH]; 2: conv2d over [IN_H, IN_W, CH]
  parameter int IN_H     = 8,  // rows (1 for DIMS = 1)
  parameter int IN_W     = 8,  // columns (the length for DIMS = 1)
  parameter int CH       = 1,  // input channels
  parameter int K        = 3,  // kernel size (K×K in 2-D)
  parameter int STRIDE   = 1,
  parameter int PAD      = 0,  // zero padding on each side (both dims in 2-D)
  parameter int BITS     = 8,  // bits per element
  parameter int IN_ELEMS = 1,  // elements per input word (divides CH)
  parameter int SIMD     = 1   // elements per output word (multiple of IN_ELEMS, divides MW)
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
  // ---- Geometry. 1-D is handled as a column: H = length, W = 1, a K×1 kernel.
  localparam int HI = (DIMS == 2) ? IN_H : IN_W;
  localparam int WI = (DIMS == 2) ? IN_W : 1;
  localparam int KH = K;
  localparam int KW = (DIMS == 2) ? K : 1;
  localparam int SH = STRIDE;
  localparam int SW = (DIMS == 2) ? STRIDE : 1;
  localparam int PH = PAD;
  localparam int PW = (DIMS == 2) ? PAD : 0;
  localparam int OH = (HI + 2 * PH - KH) / SH + 1;
  localparam int OW = (WI + 2 * PW - KW) / SW + 1;
  /** Output size as the layer sees it (OUT_H = 1 for DIMS = 1). */
  localparam int OUT_H = (DIMS == 2) ? OH : 1;
  localparam int OUT_W = (DIMS == 2) ? OW : OH;

  localparam int CG = CH / IN_ELEMS;         // input words per pixel
  localparam int LANES = SIMD / IN_ELEMS;    // input words per output word
  localparam int MW = KH * KW * CH;          // im2col vector length
  localparam int SF = (KH * KW * CG) / LANES; // output words per output pixel
  localparam int UW = IN_ELEMS * BITS;
  localparam int FRAME_PIX = HI * WI;

  // Rows of the line buffer: enough that the writer can fill the rows of the next window
  // row (and of the next frame's first window row) while the current one is emitted.
  // (Written without nested calls: Icarus 11 rejects them in constant functions' loops.)
  function automatic int rows_needed(input int dummy);
    int r, lo, nx;
    r = KH + dummy;
    if (r < SH + 1) r = SH + 1;
    for (int oy = 0; oy + 1 < OH; oy++) begin
      lo = (oy * SH - PH < 0) ? 0 : oy * SH - PH;
      nx = ((oy + 1) * SH - PH + KH > HI) ? HI : (oy + 1) * SH - PH + KH;
      if (nx - lo > r) r = nx - lo;
    end
    lo = ((OH - 1) * SH - PH < 0) ? 0 : (OH - 1) * SH - PH;
    nx = (KH - PH > HI) ? HI : KH - PH;
    if (HI - lo + nx > r) r = HI - lo + nx;
    rows_needed = r;
  endfunction
  localparam int ROWS = rows_needed(0);
  localparam int NPIX = ROWS * WI;          // buffer capacity in pixels
  localparam int DEPTH = NPIX * CG;         // buffer depth in input words

  localparam int AW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  localparam int CGW = (CG > 1) ? $clog2(CG) : 1;
  localparam int KXW = (KW > 1) ? $clog2(KW) : 1;
  localparam int KYW = (KH > 1) ? $clog2(KH) : 1;
  localparam int SFW = (SF > 1) ? $clog2(SF) : 1;
  localparam int OXW = (OW > 1) ? $clog2(OW) : 1;
  localparam int OYW = (OH > 1) ? $clog2(OH) : 1;
  localparam int SLW = (ROWS > 1) ? $clog2(ROWS) : 1;
  // Signed coordinates (window origin, may be negative in the padding).
  localparam int MAXC = ((HI > WI) ? HI : WI) + K + STRIDE + 2 * PAD + 2;
  localparam int CW = $clog2(MAXC) + 1;
  // Signed pixel counts relative to the frame being emitted: −FRAME_PIX .. FRAME_PIX + NPIX.
  localparam int NW0 = $clog2(2 * FRAME_PIX + 2 * NPIX + 4) + 1;
  localparam int NW = (NW0 > CW) ? NW0 : CW + 1;

  // Parameter checks: an unsupported combination fails elaboration in every tool.
  localparam bit BAD = (DIMS != 1 && DIMS != 2) || (DIMS == 1 && IN_H != 1) || K < 1 || STRIDE < 1 ||
                       PAD < 0 || IN_ELEMS < 1 || CH % IN_ELEMS != 0 || SIMD % IN_ELEMS != 0 ||
                       MW % SIMD != 0 || OUT_H < 1 || OUT_W < 1 || HI < 1 || WI < 1;
  if (BAD) begin : g_bad_parameters
    qnn_window_invalid_parameters u_invalid ();
  end

  // ---- Handshake state.
  logic out_valid;                 // m_axis word held in the read stage
  logic adv;                       // the read stage moves (its word leaves or it is empty)
  logic issue;                     // a word is read from the line buffer this cycle
  logic s_fire;
  assign adv = !out_valid || m_axis_tready;
  assign s_fire = s_axis_tvalid && s_axis_tready;

  // Pixels written relative to the reader's frame (signed), and the reader's limits.
  logic signed [NW-1:0] avail;     // input pixels of the reader's frame (and later) complete
  logic signed [NW-1:0] need_pix;  // pixels the current window needs (raster count)
  logic signed [NW-1:0] old_pix;   // raster index of the oldest pixel still needed

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

  // ---- Reader: output pixel (oy, ox), word sf; base unit (ky0, kx0, cg0) = sf·LANES.
  logic [OYW-1:0] oy;
  logic [OXW-1:0] ox;
  logic [SFW-1:0] sf;
  logic [CGW-1:0] cg0;
  logic [KXW-1:0] kx0;
  logic [KYW-1:0] ky0;
  logic signed [CW-1:0] y0, x0;    // window origin: oy·SH − PH, ox·SW − PW
  logic [SLW-1:0] slot0;           // buffer row of input row y0 (mod ROWS)
  logic [SLW-1:0] fslot;           // buffer row of row 0 of the frame being emitted
  logic last_word;                 // the word being issued ends the frame

  // Next-state values (used when a word is issued).
  logic [OYW-1:0] oy_n;
  logic [OXW-1:0] ox_n;
  logic [SFW-1:0] sf_n;
  logic [CGW-1:0] cg0_n;
  logic [KXW-1:0] kx0_n;
  logic [KYW-1:0] ky0_n;
  logic signed [CW-1:0] y0_n, x0_n;
  logic [SLW-1:0] slot0_n, fslot_n;
  logic signed [NW-1:0] need_n, old_n;
  logic frame_done;

  localparam int M_CG = LANES % CG;
  localparam int M_KX = (LANES / CG) % KW;
  localparam int M_KY = LANES / (CG * KW);
  localparam int SH_R = SH % ROWS;
  localparam int HI_R = HI % ROWS;
  localparam int PH_R = (ROWS - PH % ROWS) % ROWS;  // −PH mod ROWS

  // Pixels (raster count) a window at origin (y, x) needs, and the oldest pixel the
  // window row at y (from column x on) and the rows after it still need.
  function automatic logic signed [NW-1:0] need_of(input logic signed [CW-1:0] y, input logic signed [CW-1:0] x);
    logic signed [CW-1:0] hy, hx;
    logic signed [NW-1:0] n;
    hy = y + CW'(KH - 1);
    if (hy > CW'(HI - 1)) hy = CW'(HI - 1);
    hx = x + CW'(KW);
    if (hx < CW'(0)) hx = '0;
    if (hx > CW'(WI)) hx = CW'(WI);
    n = NW'(hy) * NW'(WI) + NW'(hx);
    // At least the frame's first pixel, so that the reader never runs into the next frame
    // on windows that lie wholly in the padding (PAD >= K).
    need_of = (hy < CW'(0) || n < NW'(1)) ? NW'(1) : n;
  endfunction
  function automatic logic signed [NW-1:0] old_of(input logic signed [CW-1:0] y, input logic signed [CW-1:0] x,
                                                  input logic last_row);
    logic signed [CW-1:0] ly, lx, ny;
    ly = (y < CW'(0)) ? '0 : y;
    lx = (x < CW'(0)) ? '0 : ((x > CW'(WI)) ? CW'(WI) : x);
    // While the next window row starts on the same (clamped) row, it needs column 0 on.
    ny = y + CW'(SH);
    if (!last_row && ny <= CW'(0)) lx = '0;
    old_of = NW'(ly) * NW'(WI) + NW'(lx);
  endfunction

  always_comb begin : reader_next
    logic [CGW:0] cg_s;
    logic [KXW:0] kx_s;
    logic [SLW:0] sl_s, fs_s;
    logic c1, c2, lsf, lox, loy;
    sl_s = '0;
    fs_s = '0;
    lsf = (sf == SFW'(SF - 1));
    lox = (ox == OXW'(OW - 1));
    loy = (oy == OYW'(OH - 1));
    last_word = lsf && lox && loy;
    frame_done = issue && last_word;
    // Base unit + LANES.
    cg_s = {1'b0, cg0} + (CGW + 1)'(M_CG);
    c1 = (cg_s >= (CGW + 1)'(CG));
    if (c1) cg_s = cg_s - (CGW + 1)'(CG);
    kx_s = {1'b0, kx0} + (KXW + 1)'(M_KX) + (KXW + 1)'(c1);
    c2 = (kx_s >= (KXW + 1)'(KW));
    if (c2) kx_s = kx_s - (KXW + 1)'(KW);
    sf_n = sf;
    cg0_n = cg0;
    kx0_n = kx0;
    ky0_n = ky0;
    ox_n = ox;
    oy_n = oy;
    y0_n = y0;
    x0_n = x0;
    slot0_n = slot0;
    fslot_n = fslot;
    if (!lsf) begin
      sf_n = sf + SFW'(1);
      cg0_n = CGW'(cg_s);
      kx0_n = KXW'(kx_s);
      ky0_n = ky0 + KYW'(M_KY) + KYW'(c2);
    end else begin
      sf_n = '0;
      cg0_n = '0;
      kx0_n = '0;
      ky0_n = '0;
      if (!lox) begin
        ox_n = ox + OXW'(1);
        x0_n = x0 + CW'(SW);
      end else begin
        ox_n = '0;
        x0_n = CW'(-PW);
        if (!loy) begin
          oy_n = oy + OYW'(1);
          y0_n = y0 + CW'(SH);
          sl_s = {1'b0, slot0} + (SLW + 1)'(SH_R);
          if (sl_s >= (SLW + 1)'(ROWS)) sl_s = sl_s - (SLW + 1)'(ROWS);
          slot0_n = SLW'(sl_s);
        end else begin
          oy_n = '0;
          y0_n = CW'(-PH);
          fs_s = {1'b0, fslot} + (SLW + 1)'(HI_R);
          if (fs_s >= (SLW + 1)'(ROWS)) fs_s = fs_s - (SLW + 1)'(ROWS);
          fslot_n = SLW'(fs_s);
          sl_s = fs_s + (SLW + 1)'(PH_R);
          if (sl_s >= (SLW + 1)'(ROWS)) sl_s = sl_s - (SLW + 1)'(ROWS);
          slot0_n = SLW'(sl_s);
        end
      end
    end
    need_n = need_of(y0_n, x0_n);
    old_n = old_of(y0_n, x0_n, oy_n == OYW'(OH - 1));
  end

  assign issue = adv && (avail >= need_pix);

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      oy <= '0;
      ox <= '0;
      sf <= '0;
      cg0 <= '0;
      kx0 <= '0;
      ky0 <= '0;
      y0 <= CW'(-PH);
      x0 <= CW'(-PW);
      slot0 <= SLW'(PH_R);
      fslot <= '0;
      need_pix <= need_of(CW'(-PH), CW'(-PW));
      old_pix <= old_of(CW'(-PH), CW'(-PW), OH == 1);
      avail <= '0;
    end else begin
      if (issue) begin
        oy <= oy_n;
        ox <= ox_n;
        sf <= sf_n;
        cg0 <= cg0_n;
        kx0 <= kx0_n;
        ky0 <= ky0_n;
        y0 <= y0_n;
        x0 <= x0_n;
        slot0 <= slot0_n;
        fslot <= fslot_n;
        need_pix <= need_n;
        old_pix <= old_n;
      end
      avail <= avail + (pix_done ? NW'(1) : NW'(0)) - (frame_done ? NW'(FRAME_PIX) : NW'(0));
    end
  end

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

  for (genvar l = 0; l < LANES; l++) begin : g_lane
    // Unit offset of this lane within the output word, as (ky, kx, cg).
    localparam int L_CG = l % CG;
    localparam int L_KX = (l / CG) % KW;
    localparam int L_KY = l / (CG * KW);

    logic [UW-1:0] mem [DEPTH];
    logic [UW-1:0] q;
    logic pad_q;
    logic [AW-1:0] rd_addr;
    logic in_frame;

    logic [CGW:0] cg_s;
    logic [KXW:0] kx_s;
    logic [SLW:0] sl_s;
    logic c1, c2;
    logic [CGW-1:0] cg_l;
    logic [KXW-1:0] kx_l;
    logic [KYW-1:0] ky_l;
    logic signed [CW-1:0] y_l, x_l;
    always_comb begin
      cg_s = {1'b0, cg0} + (CGW + 1)'(L_CG);
      c1 = (cg_s >= (CGW + 1)'(CG));
      if (c1) cg_s = cg_s - (CGW + 1)'(CG);
      cg_l = CGW'(cg_s);
      kx_s = {1'b0, kx0} + (KXW + 1)'(L_KX) + (KXW + 1)'(c1);
      c2 = (kx_s >= (KXW + 1)'(KW));
      if (c2) kx_s = kx_s - (KXW + 1)'(KW);
      kx_l = KXW'(kx_s);
      ky_l = ky0 + KYW'(L_KY) + KYW'(c2);
      y_l = y0 + CW'($signed({1'b0, ky_l}));
      x_l = x0 + CW'($signed({1'b0, kx_l}));
      in_frame = (y_l >= CW'(0)) && (y_l < CW'(HI)) && (x_l >= CW'(0)) && (x_l < CW'(WI));
      sl_s = {1'b0, slot0} + (SLW + 1)'(ky_l);
      if (sl_s >= (SLW + 1)'(ROWS)) sl_s = sl_s - (SLW + 1)'(ROWS);
      rd_addr = in_frame ? AW'(sl_s) * AW'(WI * CG) + AW'(x_l) * AW'(CG) + AW'(cg_l) : '0;
    end

    always_ff @(posedge clk) begin
      if (s_fire) mem[wr_addr] <= s_axis_tdata;
    end
    always_ff @(posedge clk) begin
      if (adv) begin
        q <= mem[rd_addr];
        pad_q <= !in_frame;
      end
    end
    assign m_axis_tdata[l*UW +: UW] = pad_q ? '0 : q;
  end
endmodule
