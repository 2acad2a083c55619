# Vivado's Tcl commands as recorders, for running qnn's generated scripts in plain tclsh:
# each call prints `CALL name args...` (a Tcl list), so a test can compare the sequence
# with a golden one, and answers as Vivado would where the script needs an answer
# (get_parts; report files in Vivado's layouts with small made-up figures).
# FAKE_VIVADO_PARTS: the installed parts. FAKE_VIVADO_FAIL=cmd: cmd fails with an ERROR.
# FAKE_VIVADO_OOM=cmd: the loader reports Vivado killed during cmd (status 137).
# FAKE_VIVADO_HANG=cmd: cmd runs `sleep 60` as a child, its pid in FAKE_VIVADO_PIDFILE.
# Usage: tclsh recorder.tcl SCRIPT [ARGS...]

proc env_or {name default} { if {[info exists ::env($name)]} { return $::env($name) } else { return $default } }

proc timing_line {name} {
  puts "$name: Time (s): cpu = 00:00:01 ; elapsed = 00:00:02 . Memory (MB): peak = 1500.000 ; gain = 10.000"
}

proc arg_after {flag argv} {
  set i [lsearch -exact $argv $flag]
  if {$i < 0} { return "" }
  return [lindex $argv [expr {$i + 1}]]
}

proc write_file {file text} { set f [open $file w]; puts -nonewline $f $text; close $f }

proc utilization_report {argv} {
  set head "| Command      : report_utilization [join $argv { }]\n| Design       : stand_in_top\n| Device       : 7z020clg400-1\n| Design State : Routed\n"
  if {[lsearch -exact $argv -hierarchical] >= 0} {
    return "$head
1. Utilization by Hierarchy
---------------------------

+--------------+--------+------------+-----+--------+--------+------------+
|   Instance   | Module | Total LUTs | FFs | RAMB36 | RAMB18 | DSP Blocks |
+--------------+--------+------------+-----+--------+--------+------------+
| stand_in_top |  (top) |        321 | 123 |      1 |      1 |          4 |
|   c1         |   c1_a |        300 | 100 |      1 |      0 |          4 |
+--------------+--------+------------+-----+--------+--------+------------+
"
  }
  return "$head
+-----------------+------+-------+-----------+-------+
|    Site Type    | Used | Fixed | Available | Util% |
+-----------------+------+-------+-----------+-------+
| Slice LUTs      |  321 |     0 |     53200 |  0.60 |
| Slice Registers |  123 |     0 |    106400 |  0.12 |
| Block RAM Tile  |  1.5 |     0 |       140 |  1.07 |
|   RAMB36/FIFO*  |    1 |     0 |       140 |  0.71 |
|   RAMB18        |    1 |     0 |       280 |  0.36 |
| DSPs            |    4 |     0 |       220 |  1.82 |
+-----------------+------+-------+-----------+-------+
"
}

proc timing_report {argv} {
  return "| Command      : report_timing_summary [join $argv { }]
| Design       : stand_in_top
| Device       : 7z020-clg400

------------------------------------------------------------------------------------------------
| Design Timing Summary
| ---------------------
------------------------------------------------------------------------------------------------

    WNS(ns)      TNS(ns)  TNS Failing Endpoints  TNS Total Endpoints      WHS(ns)      THS(ns)  THS Failing Endpoints  THS Total Endpoints     WPWS(ns)     TPWS(ns)  TPWS Failing Endpoints  TPWS Total Endpoints
    -------      -------  ---------------------  -------------------      -------      -------  ---------------------  -------------------     --------     --------  ----------------------  --------------------
      0.250        0.000                      0                  100        0.050        0.000                      0                  100        2.000        0.000                       0                    50


All user specified timing constraints are met.
"
}

proc record {name argv} {
  puts [concat [list CALL $name] $argv]
  flush stdout
  if {$name eq [env_or FAKE_VIVADO_FAIL ""]} {
    puts "ERROR: \[Common 17-69\] Command failed: $name failed (stand-in)"
    exit 1
  }
  if {$name eq [env_or FAKE_VIVADO_OOM ""]} {
    puts stderr "/opt/Xilinx/Vivado/2023.2/bin/loader: line 312: [pid] Killed                  \"\$RDI_PROG\" \"\$@\""
    exit 137
  }
  if {$name eq [env_or FAKE_VIVADO_HANG ""]} {
    exec sh -c "echo \$\$ > '[env_or FAKE_VIVADO_PIDFILE /dev/null]'; exec sleep 60"
  }
  # Vivado reads files relative to its working folder: they must be there.
  if {$name in {read_verilog read_mem read_xdc add_files}} {
    foreach a $argv {
      # One path, or a list of them (read_verilog -sv [list a.sv b.sv]).
      if {[string index $a 0] eq "-" || [file exists $a]} continue
      foreach f $a {
        if {![file exists $f]} {
          puts "ERROR: \[Common 17-53\] File not found: $f (in [pwd])"
          exit 1
        }
      }
    }
  }
  switch -- $name {
    synth_design - opt_design - place_design - phys_opt_design - route_design { timing_line $name }
    report_utilization { write_file [arg_after -file $argv] [utilization_report $argv] }
    report_timing_summary { write_file [arg_after -file $argv] [timing_report $argv] }
    get_parts {
      set part [lindex $argv end]
      if {[lsearch -exact [env_or FAKE_VIVADO_PARTS ""] $part] >= 0} { return [list $part] }
      return {}
    }
    create_project { set ::project_dir [lindex $argv [expr {[lindex $argv 0] eq "-force" ? 2 : 1}]]; file mkdir $::project_dir }
    current_project { return qnn_bd }
    get_runs - get_bd_cells - get_bd_intf_pins - get_bd_pins - get_files { return [lindex $argv end] }
    get_property {
      set prop [lindex $argv 0]
      set obj [lindex $argv 1]
      if {$prop eq "PROGRESS"} { return "100%" }
      if {$prop eq "DIRECTORY" && $obj eq "qnn_bd"} { return $::project_dir }
      if {$prop eq "DIRECTORY"} { return [file join $::project_dir qnn_bd.runs $obj] }
      return ""
    }
    make_wrapper {
      # The block design's hardware handoff and wrapper, where Vivado 2020.2+ writes them.
      set bd [file join $::project_dir qnn_bd.gen sources_1 bd qnn]
      file mkdir [file join $bd hw_handoff] [file join $bd hdl]
      write_file [file join $bd hw_handoff qnn.hwh] "<?xml version=\"1.0\"?><EDKSYSTEM/>\n"
      write_file [file join $bd hdl qnn_wrapper.v] "module qnn_wrapper; endmodule\n"
      return [file join $bd hdl qnn_wrapper.v]
    }
    launch_runs {
      if {[lsearch -exact $argv -next_step] >= 0} {
        set dir [file join $::project_dir qnn_bd.runs impl_1]
        file mkdir $dir
        write_file [file join $dir qnn_wrapper.bit] "stand-in bitstream\n"
      }
    }
  }
  return ""
}

foreach cmd {read_verilog read_mem read_xdc synth_design write_checkpoint report_utilization opt_design place_design
             phys_opt_design route_design report_timing_summary create_clock get_ports get_parts
             create_project set_property add_files update_compile_order create_bd_design create_bd_cell
             apply_bd_automation get_bd_cells get_bd_intf_pins get_bd_pins connect_bd_intf_net validate_bd_design
             save_bd_design make_wrapper get_files current_project current_fileset generate_target launch_runs
             wait_on_run get_runs get_property open_run} {
  proc $cmd {args} "return \[record $cmd \$args\]"
}
# Vivado's exit ends the session; here it ends tclsh the same way.
set script [lindex $argv 0]
set argv [lrange $argv 1 end]
set argc [llength $argv]
source $script
puts "INFO: \[Common 17-206\] Exiting Vivado at (stand-in)"
