// qnn_dwc: stream width converter, IN_ELEMS → OUT_ELEMS elements of BITS bits per word
// (hardware.md §1; any two positive sizes). Elements keep their order: element 0 of the
// first input word is element 0 of the first output word. FRAME_ELEMS (elements per
// frame) is a multiple of both sizes, so frames start on word boundaries on both sides;
// tlast on the last output word of every frame.
//
// A gearbox over L = lcm(IN_ELEMS, OUT_ELEMS) elements: L/IN_ELEMS − 1 input words are
// collected in a shift register; the word that completes the group moves all L elements
// into the group register, which is sent as L/OUT_ELEMS words (a multiplexer picks each).
// Registers: (L − IN_ELEMS + L)·BITS + counters. Pure downsizing (IN multiple of OUT) has
// no collector; pure upsizing (OUT multiple of IN) emits the register as one word.
//
// Timing: one word per cycle on the busier side (the side with more words per frame);
// the other side waits as needed. An input word that completes a group
// (every L/IN_ELEMS-th) is accepted when the output register is empty or is sending its
// last word on that cycle (s_axis_tready then depends on m_axis_tready); the group's
// first output word is accepted on the next cycle at the earliest (latency 1: input
// handshake on cycle c → output handshake on cycle c + 1). Frame interval
// max(FRAME_ELEMS/IN_ELEMS, FRAME_ELEMS/OUT_ELEMS) cycles.
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
module qnn_dwc #(
  parameter int IN_ELEMS    = 0,  // ≥ 1
  parameter int OUT_ELEMS   = 0,  // ≥ 1
  parameter int BITS        = 0,  // ≥ 1
  parameter int FRAME_ELEMS = 0   // elements per frame: a multiple of IN_ELEMS and OUT_ELEMS
) (
  input  logic                      clk,
  input  logic                      rst_n,
  input  logic [IN_ELEMS*BITS-1:0]  s_axis_tdata,
  input  logic                      s_axis_tvalid,
  output logic                      s_axis_tready,
  output logic [OUT_ELEMS*BITS-1:0] m_axis_tdata,
  output logic                      m_axis_tvalid,
  input  logic                      m_axis_tready,
  output logic                      m_axis_tlast
);
  function automatic int gcd(input int a, input int b);
    int x, y, t;
    x = a;
    y = b;
    while (y != 0) begin
      t = x % y;
      x = y;
      y = t;
    end
    gcd = x;
  endfunction
  localparam int L = IN_ELEMS / gcd(IN_ELEMS, OUT_ELEMS) * OUT_ELEMS;
  localparam int KI = L / IN_ELEMS;    // input words per group
  localparam int KO = L / OUT_ELEMS;   // output words per group
  localparam int IW = IN_ELEMS * BITS;
  localparam int OW = OUT_ELEMS * BITS;
  localparam int LW = L * BITS;
  localparam int FRAME_OUT = FRAME_ELEMS / OUT_ELEMS;
  localparam int KIW = (KI > 1) ? $clog2(KI) : 1;
  localparam int KOW = (KO > 1) ? $clog2(KO) : 1;
  localparam int FOW = (FRAME_OUT > 1) ? $clog2(FRAME_OUT) : 1;

  // ---- Parameter checks (Yosys reads every module with its defaults: the template itself,
  // every parameter at its default, is not checked there).
`ifdef SYNTHESIS
  localparam bit CHECK = !(IN_ELEMS == 0 && OUT_ELEMS == 0 && BITS == 0 && FRAME_ELEMS == 0);
`else
  localparam bit CHECK = 1'b1;
`endif
  if (CHECK && (IN_ELEMS < 1 || OUT_ELEMS < 1 || BITS < 1)) begin : g_bad_sizes
    `QNN_PARAM_ERROR(("qnn_dwc: IN_ELEMS (%0d), OUT_ELEMS (%0d) and BITS (%0d) must be at least 1",
                      IN_ELEMS, OUT_ELEMS, BITS))
  end else if (CHECK && (FRAME_ELEMS < 1 || FRAME_ELEMS % IN_ELEMS != 0 || FRAME_ELEMS % OUT_ELEMS != 0)) begin : g_bad_frame
    `QNN_PARAM_ERROR(("qnn_dwc: FRAME_ELEMS (%0d) must be a positive multiple of IN_ELEMS (%0d) and OUT_ELEMS (%0d)",
                      FRAME_ELEMS, IN_ELEMS, OUT_ELEMS))
  end

  logic [LW-1:0] hold;      // the group being sent
  logic hold_valid;
  logic [KOW-1:0] oi;       // output word of the group on m_axis
  logic [KIW-1:0] ci;       // input words collected
  logic [FOW-1:0] oc;       // output word within the frame
  logic last_out, hold_free, group_in, m_fire, s_fire;

  assign last_out = (oi == KOW'(KO - 1));
  assign m_fire = hold_valid && m_axis_tready;
  assign hold_free = !hold_valid || (m_axis_tready && last_out);
  assign group_in = (ci == KIW'(KI - 1));
  assign s_axis_tready = !group_in || hold_free;
  assign s_fire = s_axis_tvalid && s_axis_tready;

  // The output word: slice oi of the group (a KO:1 multiplexer; no shifting of the group).
  function automatic logic [OW-1:0] slice_of(input logic [KOW-1:0] k, input logic [LW-1:0] h);
    slice_of = '0;
    for (int i = 0; i < KO; i++) if (k == KOW'(i)) slice_of = slice_of | h[i*OW +: OW];
  endfunction
  // One output word a group: the word is `hold` itself. Through slice_of, oi (a counter that
  // only ever holds 0, which synthesis cannot prove) gated every bit: on iCE40 a LUT4 a bit
  // (synth_ice40, 1 → 8 words of 12 bits: 115 LUT4s, 19 without).
  if (KO == 1) begin : g_whole
    assign m_axis_tdata = hold;
  end else begin : g_slices
    assign m_axis_tdata = slice_of(oi, hold);
  end
  assign m_axis_tvalid = hold_valid;
  assign m_axis_tlast = (oc == FOW'(FRAME_OUT - 1));

  // Collector: KI − 1 input words, word 0 in the low bits once complete.
  logic [LW-1:0] group;     // the complete group when the KI-th word arrives
  if (KI > 1) begin : g_collect
    logic [LW-IW-1:0] coll;
    if (KI > 2) begin : g_shift
      always_ff @(posedge clk) if (s_fire && !group_in) coll <= {s_axis_tdata, coll[LW-IW-1:IW]};
    end else begin : g_one
      always_ff @(posedge clk) if (s_fire && !group_in) coll <= s_axis_tdata;
    end
    assign group = {s_axis_tdata, coll};
  end else begin : g_direct
    assign group = s_axis_tdata;
  end

  always_ff @(posedge clk) begin
    if (s_fire && group_in) hold <= group;
  end

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      hold_valid <= 1'b0;
      oi <= '0;
      ci <= '0;
      oc <= '0;
    end else begin
      if (s_fire) ci <= group_in ? '0 : ci + KIW'(1);
      if (s_fire && group_in) begin
        hold_valid <= 1'b1;
        oi <= '0;
      end else if (m_fire) begin
        if (last_out) hold_valid <= 1'b0;
        oi <= last_out ? '0 : oi + KOW'(1);
      end
      if (m_fire) oc <= (oc == FOW'(FRAME_OUT - 1)) ? '0 : oc + FOW'(1);
    end
  end
endmodule
