// qnn_maxpool: streaming max pooling, 1-D and 2-D (hardware.md §1, language.md §3).
//
// Input [IN_H, IN_W, CH] (DIMS = 2) or [IN_W, CH] (DIMS = 1), channels-last, PE elements
// per word (PE divides CH); output [OUT_H, OUT_W, CH] (or [OUT_W, CH]) in the same
// order and word format, OUT = (IN − K) / STRIDE + 1 (floor; no padding; rows and columns
// after the last window are consumed and ignored). Any K ≥ 1 and STRIDE ≥ 1 (windows may
// overlap or leave gaps). KIND: 0 unsigned, 1 signed (two's complement), 2 bipolar
// (1 bit, max = OR). tlast on the last word of every output frame.
//
// Structure: a horizontal stage keeps ceil(K/STRIDE) running maxima of the windows that
// are open in the current row (each CH/PE words, LUTRAM or registers); when a window's
// last column arrives its row maximum goes to the vertical stage (2-D only), which keeps
// ceil(K/STRIDE) partial output rows (OUT_W·CH/PE words each, LUTRAM/BRAM with a
// registered read and a write-to-read bypass) and emits the finished output word when the
// window's last row arrives.
//
// Timing: one input word per cycle (s_axis_tready = !m_axis_tvalid || m_axis_tready, so
// with the output always ready the input is never stalled). The output word of window
// (oy, ox), channel group g is produced by the input word (oy·S+K−1, ox·S+K−1, g): it is
// on m_axis the cycle after that word's handshake (1-D), or 2 cycles after (2-D); with
// handshake cycles counted, input accepted on cycle c → output accepted on cycle c + 1
// (1-D) or c + 2 (2-D) when the output is ready. Frame interval = IN_H·IN_W·CH/PE cycles.
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
module qnn_maxpool #(
  parameter int DIMS   = 0,   // 1: [IN_W, CH]; 2: [IN_H, IN_W, CH]
  parameter int IN_H   = 0,   // rows (1 for DIMS = 1)
  parameter int IN_W   = 0,   // columns (the length for DIMS = 1)
  parameter int CH     = 0,
  parameter int K      = 0,
  parameter int STRIDE = 0,
  parameter int BITS   = 0,
  parameter int KIND   = -1,  // 0 unsigned, 1 signed, 2 bipolar
  parameter int PE     = 0    // elements per word in and out (divides CH)
) (
  input  logic               clk,
  input  logic               rst_n,
  input  logic [PE*BITS-1:0] s_axis_tdata,
  input  logic               s_axis_tvalid,
  output logic               s_axis_tready,
  output logic [PE*BITS-1:0] m_axis_tdata,
  output logic               m_axis_tvalid,
  input  logic               m_axis_tready,
  output logic               m_axis_tlast
);
  localparam int HI = (DIMS == 2) ? IN_H : 1;
  localparam int WI = IN_W;
  localparam int KV = (DIMS == 2) ? K : 1;       // vertical kernel
  localparam int SV = (DIMS == 2) ? STRIDE : 1;  // vertical stride
  localparam int OUT_H = (HI - KV) / SV + 1;
  localparam int OUT_W = (WI - K) / STRIDE + 1;
  localparam int CG = CH / PE;                   // words per pixel
  localparam int DW = PE * BITS;
  localparam int NA = (K + STRIDE - 1) / STRIDE; // windows open at once (per dimension)
  localparam int PERH = NA * STRIDE;             // column period of one accumulator slot
  localparam int NAV = (KV + SV - 1) / SV;
  localparam int PERV = NAV * SV;
  localparam int XLAST = (OUT_W - 1) * STRIDE + K - 1;  // last column of the last window
  localparam int YLAST = (OUT_H - 1) * SV + KV - 1;
  localparam int OUT_WORDS = OUT_H * OUT_W * CG;        // per frame
  localparam int ROWW = OUT_W * CG;                     // words of one partial output row

  localparam int CGW = (CG > 1) ? $clog2(CG) : 1;
  localparam int XW = (WI > 1) ? $clog2(WI) : 1;
  localparam int YW = (HI > 1) ? $clog2(HI) : 1;
  localparam int PHW = (PERH > 1) ? $clog2(PERH) : 1;
  localparam int PVW = (PERV > 1) ? $clog2(PERV) : 1;
  localparam int RAW = (ROWW > 1) ? $clog2(ROWW) : 1;
  localparam int OCW = (OUT_WORDS > 1) ? $clog2(OUT_WORDS) : 1;

  // ---- Parameter checks (Yosys reads every module with its defaults: the template itself,
  // every parameter at its default, is not checked there).
`ifdef SYNTHESIS
  localparam bit CHECK = !(DIMS == 0 && IN_H == 0 && IN_W == 0 && CH == 0 && K == 0 && STRIDE == 0 &&
                           BITS == 0 && KIND == -1 && PE == 0);
`else
  localparam bit CHECK = 1'b1;
`endif
  if (CHECK && ((DIMS != 1 && DIMS != 2) || (DIMS == 1 && IN_H != 1))) begin : g_bad_dims
    `QNN_PARAM_ERROR(("qnn_maxpool: DIMS (%0d) must be 1 (with IN_H = 1; IN_H is %0d) or 2", DIMS, IN_H))
  end
  if (CHECK && (K < 1 || STRIDE < 1 || K > WI || KV > HI)) begin : g_bad_window
    `QNN_PARAM_ERROR(("qnn_maxpool: need 1 <= K (%0d) <= IN_W (%0d) (and IN_H (%0d) in 2-D) and STRIDE (%0d) >= 1",
                      K, IN_W, IN_H, STRIDE))
  end
  if (CHECK && (PE < 1 || CH < 1 || CH % PE != 0)) begin : g_bad_pe
    `QNN_PARAM_ERROR(("qnn_maxpool: PE (%0d) must divide CH (%0d)", PE, CH))
  end
  if (CHECK && (BITS < 1 || KIND < 0 || KIND > 2 || (KIND == 2 && BITS != 1))) begin : g_bad_kind
    `QNN_PARAM_ERROR(("qnn_maxpool: KIND (%0d) must be 0 (unsigned), 1 (signed) or 2 (bipolar, BITS = 1) with BITS (%0d) >= 1",
                      KIND, BITS))
  end

  // Element-wise maximum of two words.
  function automatic logic [DW-1:0] wmax(input logic [DW-1:0] a, input logic [DW-1:0] b);
    for (int i = 0; i < PE; i++) begin
      if (KIND == 1) wmax[i*BITS +: BITS] = ($signed(a[i*BITS +: BITS]) > $signed(b[i*BITS +: BITS])) ? a[i*BITS +: BITS] : b[i*BITS +: BITS];
      else wmax[i*BITS +: BITS] = (a[i*BITS +: BITS] > b[i*BITS +: BITS]) ? a[i*BITS +: BITS] : b[i*BITS +: BITS];
    end
  endfunction

  logic adv;      // the pipeline moves: its output register is empty or being taken
  logic s_fire;
  assign s_axis_tready = adv;
  assign s_fire = s_axis_tvalid && adv;

  // ---- Input position: channel group, column, row; column/row phases for the slots.
  logic [CGW-1:0] cg;
  logic [XW-1:0] x;
  logic [YW-1:0] y;
  logic [PHW-1:0] cx;  // x mod PERH
  logic [PVW-1:0] cy;  // y mod PERV
  logic [RAW-1:0] raddr;  // row-maximum word index within the row (vertical stage address)
  logic end_pix, end_row, end_frame;
  assign end_pix = (cg == CGW'(CG - 1));
  assign end_row = end_pix && (x == XW'(WI - 1));
  assign end_frame = end_row && (y == YW'(HI - 1));

  // ---- Horizontal stage: slot a holds the window whose column phase is a·STRIDE.
  logic [NA-1:0] h_init, h_act, h_last;
  logic [NA*DW-1:0] h_new;  // slot a's updated maximum at [a*DW +: DW]
  logic [DW-1:0] hm;        // row maximum of the window that closes with this word
  logic emit_h;             // this input word closes a window of the row
  for (genvar a = 0; a < NA; a++) begin : g_hslot
    localparam int OFF = a * STRIDE;
    logic [PHW:0] ph;
    logic [DW-1:0] acc [CG];
    logic [DW-1:0] rd;
    if (OFF == 0) begin : g_ph0
      assign ph = {1'b0, cx};
    end else begin : g_ph
      assign ph = ({1'b0, cx} >= (PHW + 1)'(OFF)) ? {1'b0, cx} - (PHW + 1)'(OFF) : {1'b0, cx} + (PHW + 1)'(PERH - OFF);
    end
    assign h_act[a] = (ph < (PHW + 1)'(K));
    assign h_init[a] = (ph == '0);
    assign h_last[a] = (ph == (PHW + 1)'(K - 1));
    assign rd = acc[cg];
    assign h_new[a*DW +: DW] = h_init[a] ? s_axis_tdata : wmax(rd, s_axis_tdata);
    always_ff @(posedge clk) begin
      if (s_fire && h_act[a]) acc[cg] <= h_new[a*DW +: DW];
    end
  end
  function automatic logic [DW-1:0] pick_h(input logic [NA-1:0] sel, input logic [NA*DW-1:0] v);
    pick_h = '0;
    for (int a = 0; a < NA; a++) if (sel[a]) pick_h = pick_h | v[a*DW +: DW];
  endfunction
  assign hm = pick_h(h_last, h_new);
  // Columns K−1 .. XLAST close a window (the others close a virtual one before column 0
  // or an incomplete one past the last window).
  logic x_ok;
  if (K > 1 && XLAST < WI - 1) begin : g_xok
    assign x_ok = (x >= XW'(K - 1)) && (x <= XW'(XLAST));
  end else if (K > 1) begin : g_xok_lo
    assign x_ok = (x >= XW'(K - 1));
  end else if (XLAST < WI - 1) begin : g_xok_hi
    assign x_ok = (x <= XW'(XLAST));
  end else begin : g_xok_all
    assign x_ok = 1'b1;
  end
  assign emit_h = s_fire && (|h_last) && x_ok;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      cg <= '0;
      x <= '0;
      y <= '0;
      cx <= '0;
      cy <= '0;
      raddr <= '0;
    end else if (s_fire) begin
      cg <= end_pix ? '0 : cg + CGW'(1);
      if (end_pix) begin
        x <= end_row ? '0 : x + XW'(1);
        cx <= (end_row || cx == PHW'(PERH - 1)) ? '0 : cx + PHW'(1);
      end
      if (end_row) begin
        y <= end_frame ? '0 : y + YW'(1);
        cy <= (end_frame || cy == PVW'(PERV - 1)) ? '0 : cy + PVW'(1);
      end
      if (emit_h) raddr <= (raddr == RAW'(ROWW - 1)) ? '0 : raddr + RAW'(1);
    end
  end

  // ---- Output counter (tlast).
  logic [OCW-1:0] out_cnt;
  logic out_load;  // a word enters the output register
  always_ff @(posedge clk) begin
    if (!rst_n) out_cnt <= '0;
    else if (out_load) out_cnt <= (out_cnt == OCW'(OUT_WORDS - 1)) ? '0 : out_cnt + OCW'(1);
  end

  if (DIMS == 1) begin : g_1d
    // The row maximum is the output.
    assign adv = !m_axis_tvalid || m_axis_tready;
    assign out_load = emit_h;
    always_ff @(posedge clk) begin
      if (!rst_n) begin
        m_axis_tvalid <= 1'b0;
        m_axis_tlast <= 1'b0;
      end else if (adv) begin
        m_axis_tvalid <= emit_h;
        m_axis_tlast <= (out_cnt == OCW'(OUT_WORDS - 1));
      end
    end
    always_ff @(posedge clk) begin
      if (adv && emit_h) m_axis_tdata <= hm;
    end
  end else begin : g_2d
    // ---- Vertical stage. Stage 1: the row maximum and the partial rows read for it.
    logic v1;
    logic [DW-1:0] hm1;
    logic [RAW-1:0] raddr1;
    logic [NAV-1:0] v_init, v_act, v_last;      // of the row being input (stage 0)
    logic [NAV-1:0] v_init1, v_act1, v_last1;   // of the word in stage 1
    logic emit_v1;
    logic [NAV*DW-1:0] v_new;  // bank b's updated partial maximum at [b*DW +: DW]
    logic [DW-1:0] pmax;
    logic row_ok;  // the row is the last of a complete window
    if (KV > 1 && YLAST < HI - 1) begin : g_yok
      assign row_ok = (y >= YW'(KV - 1)) && (y <= YW'(YLAST));
    end else if (KV > 1) begin : g_yok_lo
      assign row_ok = (y >= YW'(KV - 1));
    end else if (YLAST < HI - 1) begin : g_yok_hi
      assign row_ok = (y <= YW'(YLAST));
    end else begin : g_yok_all
      assign row_ok = 1'b1;
    end
    assign adv = !m_axis_tvalid || m_axis_tready;

    for (genvar b = 0; b < NAV; b++) begin : g_vslot
      localparam int OFF = b * SV;
      logic [PVW:0] ph;
      logic [DW-1:0] prow [ROWW];  // partial maxima of one output row
      logic [DW-1:0] q;            // registered read
      logic [DW-1:0] cur;          // the partial maximum for the word in stage 1
      if (OFF == 0) begin : g_ph0
        assign ph = {1'b0, cy};
      end else begin : g_ph
        assign ph = ({1'b0, cy} >= (PVW + 1)'(OFF)) ? {1'b0, cy} - (PVW + 1)'(OFF) : {1'b0, cy} + (PVW + 1)'(PERV - OFF);
      end
      assign v_act[b] = (ph < (PVW + 1)'(KV));
      assign v_init[b] = (ph == '0);
      assign v_last[b] = (ph == (PVW + 1)'(KV - 1));
      assign v_new[b*DW +: DW] = v_init1[b] ? hm1 : wmax(cur, hm1);
      always_ff @(posedge clk) begin
        if (adv && v1 && v_act1[b]) prow[raddr1] <= v_new[b*DW +: DW];
      end
      always_ff @(posedge clk) begin
        if (adv) q <= prow[raddr];
      end
      if (ROWW == 1) begin : g_bypass
        // One word per partial row: consecutive row maxima update the same word, so the
        // word read on the edge it is written comes from the bypass.
        logic fwd;
        logic [DW-1:0] fwd_d;
        always_ff @(posedge clk) begin
          if (adv) begin
            fwd <= v1 && v_act1[b];
            fwd_d <= v_new[b*DW +: DW];
          end
        end
        assign cur = fwd ? fwd_d : q;
      end else begin : g_direct
        // Consecutive row maxima go to different words: a read never meets a write.
        assign cur = q;
      end
    end
    function automatic logic [DW-1:0] pick_v(input logic [NAV-1:0] sel, input logic [NAV*DW-1:0] v);
      pick_v = '0;
      for (int b = 0; b < NAV; b++) if (sel[b]) pick_v = pick_v | v[b*DW +: DW];
    endfunction
    assign pmax = pick_v(v_last1, v_new);

    always_ff @(posedge clk) begin
      if (!rst_n) begin
        v1 <= 1'b0;
      end else if (adv) begin
        v1 <= emit_h;
      end
    end
    always_ff @(posedge clk) begin
      if (adv) begin
        hm1 <= hm;
        raddr1 <= raddr;
        v_init1 <= v_init;
        v_act1 <= v_act;
        v_last1 <= v_last;
        emit_v1 <= row_ok && (|v_last);
      end
    end

    // ---- Output register.
    assign out_load = adv && v1 && emit_v1;
    always_ff @(posedge clk) begin
      if (!rst_n) begin
        m_axis_tvalid <= 1'b0;
        m_axis_tlast <= 1'b0;
      end else if (adv) begin
        m_axis_tvalid <= v1 && emit_v1;
        m_axis_tlast <= (out_cnt == OCW'(OUT_WORDS - 1));
      end
    end
    always_ff @(posedge clk) begin
      if (out_load) m_axis_tdata <= pmax;
    end
  end
endmodule
