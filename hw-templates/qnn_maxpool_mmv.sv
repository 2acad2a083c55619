// qnn_maxpool_mmv: max pooling at MMV pixels per word (docs/language.md §8,
// docs/engines-contract.md), for a pool whose stride equals its kernel K and K divides MMV:
// every input word holds MMV/K whole windows of a row, so a row pools word by word.
//
// Input [IN_W, CH] (DIMS = 1) or [IN_H, IN_W, CH] (DIMS = 2), channels-last, MMV whole
// pixels of a row per word (element e = m·CH + c at [e·BITS +: BITS]); output [IN_W/K, CH]
// or [IN_H/K, IN_W/K, CH] (floor: rows after the last whole window row are read and
// ignored), MMV/K whole pixels per word: output pixel q of the word, channel c = max over
// the K (1-D) or K×K (2-D) input pixels of its window. KIND: 0 unsigned, 1 signed (two's
// complement), 2 bipolar (1 bit, 1 = +1: max = OR), as qnn_maxpool.
//
// Structure: the row's words are pooled on their own (combinational); in 2-D a buffer of
// one pooled row (IN_W/MMV words) keeps the running maximum of the window row's first K−1
// input rows, read without a register (LUTRAM), and the K-th row's word is the output.
//
// Timing: one registered output stage, s_axis_tready = !m_axis_tvalid || m_axis_tready;
// the input word that completes an output word (1-D: every word; 2-D: the words of the
// K-th row of each window row) accepted on cycle c puts it on m_axis from cycle c + 1; one
// input word per cycle, no bubble; frame interval IN_H·IN_W/MMV cycles; m_axis_tlast on
// the last output word of every frame.
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
  parameter int DIMS = 0,   // 1: [IN_W, CH]; 2: [IN_H, IN_W, CH]
  parameter int IN_H = 0,   // rows (1 for DIMS = 1)
  parameter int IN_W = 0,   // pixels per row
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
  localparam bit CHECK = !(DIMS == 0 && IN_H == 0 && IN_W == 0 && CH == 0 && K == 0 && BITS == 0 && KIND == -1 && MMV == 0);
`else
  localparam bit CHECK = 1'b1;
`endif
  if (CHECK && (K < 1 || MMV < 1 || MMV % K != 0 || IN_W < 1 || IN_W % MMV != 0 || CH < 1)) begin : g_bad_geometry
    `QNN_PARAM_ERROR(("qnn_maxpool_mmv: K (%0d) must divide MMV (%0d), MMV divide IN_W (%0d), CH (%0d) at least 1",
                      K, MMV, IN_W, CH))
  end
  if (CHECK && ((DIMS != 1 && DIMS != 2) || (DIMS == 1 && IN_H != 1) || (DIMS == 2 && IN_H < K))) begin : g_bad_dims
    `QNN_PARAM_ERROR(("qnn_maxpool_mmv: DIMS (%0d) must be 1 (with IN_H = 1) or 2 (with IN_H (%0d) at least K (%0d))", DIMS, IN_H, K))
  end
  if (CHECK && (BITS < 1 || KIND < 0 || KIND > 2 || (KIND == 2 && BITS != 1))) begin : g_bad_kind
    `QNN_PARAM_ERROR(("qnn_maxpool_mmv: KIND (%0d) must be 0, 1 or 2 (bipolar, BITS = 1), BITS (%0d) at least 1", KIND, BITS))
  end

  localparam int KK = (K < 1) ? 1 : K;
  localparam int Q = MMV / KK;                 // output pixels per word
  localparam int WORDS = (IN_W < MMV || MMV < 1) ? 1 : IN_W / MMV;  // words per row
  localparam int CW = (WORDS > 1) ? $clog2(WORDS) : 1;
  localparam int HI = (DIMS == 2 && IN_H > 0) ? IN_H : 1;
  localparam int KV = (DIMS == 2) ? KK : 1;     // rows per window row
  localparam int OH = HI / KV;                  // window rows
  localparam int RW = (HI > 1) ? $clog2(HI) : 1;
  localparam int KW_ = (KV > 1) ? $clog2(KV) : 1;
  localparam int OW_BITS = Q * CH * BITS;

  // The larger of K elements: signed (KIND 1) or unsigned (also bipolar: 1 = +1 > 0 = −1).
  function automatic logic [BITS-1:0] window_max(input logic [KK*BITS-1:0] xs);
    logic [BITS-1:0] best;
    best = xs[0 +: BITS];
    for (int k = 1; k < KK; k++) begin
      if (KIND == 1 ? ($signed(xs[k*BITS +: BITS]) > $signed(best)) : (xs[k*BITS +: BITS] > best)) best = xs[k*BITS +: BITS];
    end
    window_max = best;
  endfunction

  // Element by element, the larger of two pooled words.
  function automatic logic [OW_BITS-1:0] word_max(input logic [OW_BITS-1:0] a, input logic [OW_BITS-1:0] b);
    for (int e = 0; e < Q * CH; e++) begin
      if (KIND == 1 ? ($signed(b[e*BITS +: BITS]) > $signed(a[e*BITS +: BITS])) : (b[e*BITS +: BITS] > a[e*BITS +: BITS]))
        a[e*BITS +: BITS] = b[e*BITS +: BITS];
    end
    word_max = a;
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

  // Position of the input word: column word, row, row within the window row (2-D).
  logic [CW-1:0] word;
  logic [RW-1:0] row;
  logic [KW_-1:0] ky;
  logic last_col, last_row_of_frame, completes, last_out;
  assign last_col = (word == CW'(WORDS - 1));
  assign last_row_of_frame = (row == RW'(HI - 1));
  // The word completes output words on the last row of a whole window row (always in 1-D).
  assign completes = (ky == KW_'(KV - 1)) && (32'(row) < OH * KV);
  assign last_out = last_col && (32'(row) == OH * KV - 1);

  // 2-D: the running maximum of the window row's rows so far, one pooled word per column.
  logic [OW_BITS-1:0] merged;
  if (KV > 1) begin : g_rows
    logic [OW_BITS-1:0] rowbuf [WORDS];
    assign merged = (ky != '0) ? word_max(rowbuf[word], pooled) : pooled;
    always_ff @(posedge clk) begin
      if (s_axis_tvalid && s_axis_tready) rowbuf[word] <= merged;
    end
  end else begin : g_one_row
    assign merged = pooled;
  end

  assign s_axis_tready = !m_axis_tvalid || m_axis_tready;
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      m_axis_tvalid <= 1'b0;
      m_axis_tlast <= 1'b0;
      m_axis_tdata <= '0;
      word <= '0;
      row <= '0;
      ky <= '0;
    end else if (s_axis_tready) begin
      m_axis_tvalid <= s_axis_tvalid && completes;
      if (s_axis_tvalid) begin
        m_axis_tdata <= merged;
        m_axis_tlast <= last_out;
        word <= last_col ? '0 : word + 1'b1;
        if (last_col) begin
          row <= last_row_of_frame ? '0 : row + 1'b1;
          ky <= (last_row_of_frame || ky == KW_'(KV - 1)) ? '0 : ky + 1'b1;
        end
      end
    end
  end
endmodule
