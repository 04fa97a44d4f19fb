import ArgumentParser
import BPKit

/// The `bpkit` command, which dispatches to subcommands (run by ``BPKitMain``).

struct BPKitCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bpkit",
    abstract: "Save, resume, move, inspect and run neural networks trained by backpropagation.",
    discussion: """
      bpkit stores networks, weights and training checkpoints in HDF5 files that \
      h5py and h5dump read without bpkit.

      EXIT CODES
        0    success
        1    a difference was found (diff)
        2    usage error: an unknown option or a bad value, options that mean nothing
             for the run or that a resume cannot change, an output that is one of
             the command's inputs, an existing checkpoint neither resumed nor replaced
        3    bad input data or a file that is not what was expected
        4    input/output failure: a file cannot be read or written (a full disk, a
             folder or block device as output, a missing checkpoint folder,
             another run writing the checkpoint)
        5    training diverged (the loss became NaN or infinite)
        130  interrupted (Ctrl-C)
        141  train stopped because its standard output was closed (a pipe's reader left)
        143  terminated (SIGTERM)
      """,
    version: BPKitVersion.current,
    subcommands: [
      TrainCommand.self, InferCommand.self, InspectCommand.self, PlotCommand.self, DiffCommand.self,
      ConvertCommand.self, LsCommand.self, SchemaCommand.self, GradcheckCommand.self, BenchCommand.self,
      ProbeCommand.self,
    ]
  )
}
