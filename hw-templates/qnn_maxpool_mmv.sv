// qnn_maxpool_mmv: 1-D max pooling at MMV pixels per word (docs/language.md §8,
// docs/engines-contract.md), for a pool whose stride equals its kernel K and K divides MMV:
// every input word holds MMV/K whole windows, so each word pools on its own.
//
// Input [IN_W, CH], channels-last, MMV whole pixels per word (element e = m·CH + c at
// [e·BITS +: BITS]); output [IN_W/K, CH], MMV/K whole pixels per word: output pixel q of the
// word, channel c = max over k < K of input pixel q·K + k, channel c. KIND: 0 unsigned,
// 1 signed (two's complement), 2 bipolar (1 bit, 1 = +1: max = OR), as qnn_maxpool.
//
// Timing: one registered output stage, s_axis_tready = !m_axis_tvalid || m_axis_tready;
// an input word accepted on cycle c is on m_axis from cycle c + 1; one word per cycle, no
// bubble; frame interval IN_W/MMV cycles; m_axis_tlast on the last word of every frame.
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
module qnn_maxpool_mmv #(
  parameter int IN_W = 0,   // pixels per frame
  parameter int CH   = 0,
  parameter int K    = 0,   // kernel = stride
  parameter int BITS = 0,
  parameter int KIND = -1,  // 0 unsigned, 1 signed, 2 bipolar
  parameter int MMV  = 0    // input pixels per word: a multiple of K dividing IN_W
) (
  input  logic                         clk,
  input  logic                         rst_n,
  input  logic [MMV*CH*BITS-1:0]       s_axis_tdata,
  input  logic                         s_axis_tvalid,
  output logic                         s_axis_tready,
  output logic [(MMV/((K < 1) ? 1 : K))*CH*BITS-1:0] m_axis_tdata,
  output logic                         m_axis_tvalid,
  input  logic                         m_axis_tready,
  output logic                         m_axis_tlast
);
`ifdef SYNTHESIS
  localparam bit CHECK = !(IN_W == 0 && CH == 0 && K == 0 && BITS == 0 && KIND == -1 && MMV == 0);
`else
  localparam bit CHECK = 1'b1;
`endif
  if (CHECK && (K < 1 || MMV < 1 || MMV % K != 0 || IN_W < 1 || IN_W % MMV != 0 || CH < 1)) begin : g_bad_geometry
    `QNN_PARAM_ERROR(("qnn_maxpool_mmv: K (%0d) must divide MMV (%0d), MMV divide IN_W (%0d), CH (%0d) at least 1",
                      K, MMV, IN_W, CH))
  end
  if (CHECK && (BITS < 1 || KIND < 0 || KIND > 2 || (KIND == 2 && BITS != 1))) begin : g_bad_kind
    `QNN_PARAM_ERROR(("qnn_maxpool_mmv: KIND (%0d) must be 0, 1 or 2 (bipolar, BITS = 1), BITS (%0d) at least 1", KIND, BITS))
  end

  localparam int KK = (K < 1) ? 1 : K;
  localparam int Q = MMV / KK;                 // output pixels per word
  localparam int WORDS = (IN_W < MMV || MMV < 1) ? 1 : IN_W / MMV;
  localparam int CW = (WORDS > 1) ? $clog2(WORDS) : 1;

  // The larger of K elements: signed (KIND 1) or unsigned (also bipolar: 1 = +1 > 0 = −1).
  function automatic logic [BITS-1:0] window_max(input logic [KK*BITS-1:0] xs);
    logic [BITS-1:0] best;
    best = xs[0 +: BITS];
    for (int k = 1; k < KK; k++) begin
      if (KIND == 1 ? ($signed(xs[k*BITS +: BITS]) > $signed(best)) : (xs[k*BITS +: BITS] > best)) best = xs[k*BITS +: BITS];
    end
    window_max = best;
  endfunction

  // The pooled word (combinational): per output pixel and channel the max of its K inputs.
  logic [Q*CH*BITS-1:0] pooled;
  for (genvar q = 0; q < Q; q++) begin : g_out
    for (genvar c = 0; c < CH; c++) begin : g_ch
      logic [KK*BITS-1:0] win;
      for (genvar k = 0; k < KK; k++) begin : g_k
        assign win[k * BITS +: BITS] = s_axis_tdata[((q * KK + k) * CH + c) * BITS +: BITS];
      end
      assign pooled[(q * CH + c) * BITS +: BITS] = window_max(win);
    end
  end

  logic [CW-1:0] word;  // input word of the frame
  assign s_axis_tready = !m_axis_tvalid || m_axis_tready;
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      m_axis_tvalid <= 1'b0;
      m_axis_tlast <= 1'b0;
      m_axis_tdata <= '0;
      word <= '0;
    end else if (s_axis_tready) begin
      m_axis_tvalid <= s_axis_tvalid;
      if (s_axis_tvalid) begin
        m_axis_tdata <= pooled;
        m_axis_tlast <= (word == CW'(WORDS - 1));
        word <= (word == CW'(WORDS - 1)) ? '0 : word + 1'b1;
      end
    end
  end
endmodule
