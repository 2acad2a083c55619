// qnn_mvau_mmv: M output pixels per cycle (FINN's MMV, "multiple matrix–vector") for a
// fully unrolled conv (PE = MH, SIMD = MW, so NF = SF = 1). docs/language.md §8,
// docs/engines-contract.md.
//
// Input: one super-window per word, as qnn_window emits it on the super-pixel frame (M
// consecutive pixels of a row, M·CIN elements, element order unchanged): ROWS × KX
// super-pixels, ROWS = K (DIMS = 2) or 1 (DIMS = 1). Element e = ((ky·KX + j)·M + mp)·CIN + c
// (row ky, super column j, pixel mp of the super-pixel, channel c) at [e·IN_BITS +: IN_BITS].
//
// Select (wiring only, no register): the im2col window of output pixel m of the group, in
// qnn_mvau's order (kernel position ky·K + kx (2-D) or kx (1-D) major, channel minor),
// element (ky·K + kx)·CIN + c, is super-window element ((ky·KX)·M + m + kx + OFFSET)·CIN + c.
// OFFSET = PADX·M − P, where P is the conv's padding and PADX the super-pixel padding
// (server/src/engines/window.ts windowGeometry writes both).
//
// Compute: M copies of qnn_mvau with PE = MH, SIMD = MW, the same weights (WEIGHT_FILE, or
// WEIGHT_WORD with HARD_WIRED = 1), ACT_FILE and
// PIXELS = groups per frame, in lockstep: every copy sees the same s_axis_tvalid and
// m_axis_tready and resets together, so their control state is identical; s_axis_tready,
// m_axis_tvalid and m_axis_tlast are copy 0's (synthesis merges the copies' equal
// registers). Output word: copy m's MH elements at [m·MH·OB +: MH·OB], OB = ACC_BITS
// (ACT = 0) or OUT_BITS: M whole output pixels, pixel-major, channel-minor.
//
// Cycle contract: qnn_mvau's at NF = SF = 1 with PIXELS groups (one group per cycle, the
// same latency), so the compiler's timing model of qnn_mvau applies unchanged.
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
module qnn_mvau_mmv #(
  parameter int MMV        = 0,   // pixels per cycle, ≥ 1
  parameter int DIMS       = 0,   // 1: conv1d, 2: conv2d
  parameter int CIN        = 0,   // input channels
  parameter int K          = 0,   // kernel taps per dimension
  parameter int KX         = 0,   // super-pixels per super-window row
  parameter int OFFSET     = -1,  // PADX·M − P, ≥ 0
  parameter int MW         = 0,   // K^DIMS·CIN
  parameter int MH         = 0,
  parameter int PE         = 0,   // = MH
  parameter int SIMD       = 0,   // = MW
  parameter int IN_BITS    = 0,
  parameter int IN_KIND    = -1,
  parameter int W_BITS     = 0,
  parameter int W_KIND     = -1,
  parameter int ACC_BITS   = 0,
  parameter int PIXELS     = 0,   // groups of MMV pixels per frame
  parameter int ACT        = -1,
  parameter int OUT_BITS   = 0,
  parameter int OUT_KIND   = -1,
  parameter int MBITS      = 0,
  parameter int SHIFT_BITS = 0,
  parameter int SHIFT      = -2,  // requant: the shared shift S, −1 per channel (from the ROM); −2 means "not given"
  parameter int ZERO       = 32'sh8000_0000,
  parameter int N_THRESH   = 0,
  parameter int MUL_LUT    = 0,   // qnn_mvau's (mul=lut)
  parameter int CMP_CARRY  = 0,   // qnn_mvau's (fused threshold on the carry chain)
  parameter int CLAMP_TEST = 0,   // qnn_mvau's (fused requant's clamp tests)
  parameter     WEIGHT_FILE = "",  // HARD_WIRED = 0
  parameter     ACT_FILE    = "",
  parameter int HARD_WIRED  = 0,   // qnn_mvau's: 1, the weights are WEIGHT_WORD
  parameter logic [(HARD_WIRED != 0 ? PE*SIMD*W_BITS : 1)-1:0] WEIGHT_WORD = '0
) (
  input  logic clk,
  input  logic rst_n,
  input  logic [((DIMS == 2) ? K : 1)*KX*MMV*CIN*IN_BITS-1:0] s_axis_tdata,
  input  logic s_axis_tvalid,
  output logic s_axis_tready,
  output logic [MMV*PE*((ACT == 0) ? ACC_BITS : OUT_BITS)-1:0] m_axis_tdata,
  output logic m_axis_tvalid,
  input  logic m_axis_tready,
  output logic m_axis_tlast
);
`ifdef SYNTHESIS
  localparam bit CHECK = !(MMV == 0 && DIMS == 0 && CIN == 0 && K == 0 && KX == 0 && OFFSET == -1 && MW == 0 && MH == 0 &&
                           WEIGHT_FILE == "");
`else
  localparam bit CHECK = 1'b1;
`endif
  localparam int ROWS = (DIMS == 2) ? K : 1;
  localparam int OB = (ACT == 0) ? ACC_BITS : OUT_BITS;
  if (CHECK && (MMV < 1 || (DIMS != 1 && DIMS != 2) || CIN < 1 || K < 1 || KX < 1)) begin : g_bad_geometry
    `QNN_PARAM_ERROR(("qnn_mvau_mmv: MMV (%0d), CIN (%0d), K (%0d) and KX (%0d) must be at least 1 and DIMS (%0d) 1 or 2",
                      MMV, CIN, K, KX, DIMS))
  end
  if (CHECK && (OFFSET < 0 || MMV - 1 + K - 1 + OFFSET >= KX * MMV)) begin : g_bad_offset
    `QNN_PARAM_ERROR(("qnn_mvau_mmv: OFFSET (%0d) must be at least 0 with MMV - 1 + K - 1 + OFFSET < KX*MMV (%0d)",
                      OFFSET, KX * MMV))
  end
  if (CHECK && (PE != MH || SIMD != MW || MW != ROWS * K * CIN)) begin : g_bad_fold
    `QNN_PARAM_ERROR(("qnn_mvau_mmv: the MVAU must be fully unrolled: PE (%0d) = MH (%0d), SIMD (%0d) = MW (%0d) = K^DIMS*CIN (%0d)",
                      PE, MH, SIMD, MW, ROWS * K * CIN))
  end

  logic [MMV-1:0] ready, valid, last;
  assign s_axis_tready = ready[0];
  assign m_axis_tvalid = valid[0];
  assign m_axis_tlast  = last[0];

  for (genvar m = 0; m < MMV; m++) begin : g_pixel
    // The window of pixel m: taps (ky, kx) from the super-window, channels in order.
    logic [MW*IN_BITS-1:0] window;
    for (genvar ky = 0; ky < ROWS; ky++) begin : g_row
      for (genvar kx = 0; kx < K; kx++) begin : g_tap
        assign window[(ky * K + kx) * CIN * IN_BITS +: CIN * IN_BITS] =
          s_axis_tdata[((ky * KX) * MMV + m + kx + OFFSET) * CIN * IN_BITS +: CIN * IN_BITS];
      end
    end
    qnn_mvau #(
      .MW(MW), .MH(MH), .PE(PE), .SIMD(SIMD),
      .IN_BITS(IN_BITS), .IN_KIND(IN_KIND), .W_BITS(W_BITS), .W_KIND(W_KIND),
      .ACC_BITS(ACC_BITS), .PIXELS(PIXELS), .ACT(ACT), .OUT_BITS(OUT_BITS), .OUT_KIND(OUT_KIND),
      .MBITS(MBITS), .SHIFT_BITS(SHIFT_BITS), .SHIFT(SHIFT), .ZERO(ZERO), .N_THRESH(N_THRESH),
      .MUL_LUT(MUL_LUT), .CMP_CARRY(CMP_CARRY), .CLAMP_TEST(CLAMP_TEST), .WEIGHT_FILE(WEIGHT_FILE), .ACT_FILE(ACT_FILE),
      .HARD_WIRED(HARD_WIRED), .WEIGHT_WORD(WEIGHT_WORD)
    ) u_mvau (
      .clk(clk),
      .rst_n(rst_n),
      .s_axis_tdata(window),
      .s_axis_tvalid(s_axis_tvalid),
      .s_axis_tready(ready[m]),
      .m_axis_tdata(m_axis_tdata[m * PE * OB +: PE * OB]),
      .m_axis_tvalid(valid[m]),
      .m_axis_tready(m_axis_tready),
      .m_axis_tlast(last[m])
    );
  end

  // Copies 1..M−1 run in lockstep with copy 0: their handshake outputs equal its own. The
  // super-window's padding columns that no window of the group reaches are not read.
  logic unused;
  assign unused = ^{ready[MMV-1:0], valid[MMV-1:0], last[MMV-1:0], s_axis_tdata};
endmodule
