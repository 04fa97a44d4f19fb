import ArgumentParser
import BPKit
import Foundation
import HDF5

/// `bpkit train`: trains a network by backpropagation, with checkpoints that
/// resume bit for bit.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a network by backpropagation, or resume a run from its checkpoint.",
    discussion: """
      Start a run from a layer list or a model file, or resume one:
        bpkit train --layers "64,32:relu,10:softmax" --data digits.h5
        bpkit train --model model.h5 --data train.csv --target label
        bpkit train --resume run.ckpt.h5 --epochs 60

      LAYERS: comma-separated; the input first, then one entry per layer.
        64              input of 64 features
        32x16           32 time steps of 16 features (?x16: any length)
        64:relu         dense layer of 64 units (default activation: linear)
        rnn64:tanh      Elman layer of 64 units (default tanh), last state
        rnn64:tanh:seq  the same, returning every step (to stack layers)
        lstm64          LSTM layer (Keras' LSTM: tanh, sigmoid gates)
        gru64           GRU layer (Keras' GRU, reset_after; :reset_before)
        lstm64:recurrent=hard_sigmoid  the gates' activation
        64:relu:nobias  a layer without bias
        64:relu:l2=0.01 an L2 penalty on the kernel (Keras'
                        kernel_regularizer=L2(0.01)); l1= is L1, both
                        L1L2; bias_l1=, bias_l2= the bias; recurrent_l1=,
                        recurrent_l2= an rnn/lstm/gru's recurrent kernel
        std             a standardize layer (see --standardize)
        dropout0.2      a dropout layer (Keras' Dropout(0.2)): in training
                        drops each value with probability 0.2, scaling the
                        rest by 1/0.8; passes values on unchanged in inference
        Activations: linear, sigmoid, tanh, relu, softmax, leaky_relu(0.1),
        elu(1.0) (parameters optional), hard_sigmoid, gelu, gelu_tanh,
        silu (swish), softplus, softsign, selu, hard_silu (hard_swish),
        relu6, exponential, mish, log_softmax.

      LEARNING-RATE SCHEDULES (Keras' keras.optimizers.schedules, by their Keras \
      names; the rate of each update is the schedule at the updates before it):
        exponential_decay:decay_steps=1000,decay_rate=0.96[,staircase]
        piecewise_constant_decay:boundaries=500/1000,values=0.1/0.01/0.001
        inverse_time_decay:decay_steps=1000,decay_rate=0.5[,staircase]
        polynomial_decay:decay_steps=1000[,end_learning_rate=0.0001,power=1,cycle]
        cosine_decay:decay_steps=1000[,alpha=0,warmup_target=0.01,warmup_steps=100]

      DATA: an HDF5 file (datasets --x and --y, default /train/x and /train/y; \
      sequence data is 3-D [samples, steps, features]) or a CSV file with a header \
      (targets in the --target column, default "label"). With cross-entropy, integer \
      class labels are accepted as targets.

      CHECKPOINTS are written atomically to --checkpoint (default: run.ckpt.h5 in the \
      current folder) after every epoch (or every --checkpoint-every epochs / \
      --checkpoint-every-steps steps) and when stopped by Ctrl-C or SIGTERM, which \
      finish the current step first. A new run refuses a checkpoint file that \
      exists: continue it with --resume, replace it with --overwrite, or keep two \
      runs apart with their own --checkpoint (or folder). While a run writes its \
      checkpoint, a second run writing the same file is refused. A resumed run ends \
      with bitwise the same weights as an uninterrupted one on the same machine.
      """
  )

  @OptionGroup var start: TrainStartOptions
  @OptionGroup var data: TrainDataOptions
  @OptionGroup var schedule: TrainScheduleOptions
  @OptionGroup var output: TrainOutputOptions

  /// The library's checks of the options, naming the flags; then the
  /// flags only the command has.
  func validate() throws {
    // Flags whose text does not read (--early-stopping, ...) are refused as
    // the run starts, where the library reads them.
    if let options = try? options {
      do {
        try options.validate { "--\($0.rawValue)" }
      } catch {
        throw ValidationError(error.message)
      }
    }
    if let threads = schedule.threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    if let log = output.logJson, log == output.checkpoint ?? start.resume ?? TrainingPlan.defaultCheckpointPath {
      throw ValidationError("--log-json and the checkpoint name the same file '\(log)'; give the log its own name")
    }
  }

  /// The run the flags describe.
  var options: TrainingOptions {
    get throws {
      TrainingOptions(start: start.options, data: data.options, schedule: try schedule.options, output: output.options)
    }
  }

  func run() throws {
    // Under mpirun (MPI-enabled build), every rank trains its part of each
    // batch; rank 0 alone reports and writes the checkpoints.
    let communicator = try ProcessGroup.communicator()
    let reports = (communicator?.rank ?? 0) == 0
    try ProcessGroup.reporting(communicator) {
      if let threads = schedule.threads { Kernels.threads = threads }
      let stop = StopRequest()
      let run = try TrainingRun(try options, communicator: communicator)
      // What the run could not take as given is said even with --quiet.
      for warning in run.plan.warnings where reports {
        FileHandle.standardError.write(Data("bpkit: note: \(PrintableText.escaped(warning))\n".utf8))
      }
      // The log never goes into what the run reads or its checkpoint.
      let reporter = try ProgressReporter(
        totalEpochs: run.session.configuration.epochs, quiet: output.quiet || !reports,
        logPath: reports ? output.logJson : nil,
        inputs: run.inputs + [run.plan.checkpointPath], runID: run.id, seed: run.session.configuration.seed,
        outputClosed: stop.outputClosed)
      defer { try? reporter.finish() }
      let outcome = try run.run(control: stop.control) {
        try reporter.report($0, checkpointPath: run.plan.checkpointPath)
      }
      let resumeCommand = "bpkit train --resume \(Self.quoted(run.plan.checkpointPath))"
      switch outcome.reason {
      case .alreadyComplete:
        reporter.message(
          "the run has already trained \(outcome.progress.epoch) of \(outcome.epochs) epochs; "
            + "give --epochs N to train longer")
      case .stopRequested, .cancelled:
        if reports {
          reporter.notice(
            "stopped by \(Self.stopCause(stop.signal)) at epoch \(outcome.progress.epoch + 1), step "
              + "\(outcome.progress.stepInEpoch); checkpoint written to \(run.plan.checkpointPath)\n"
              + "resume with: \(resumeCommand)")
        }
        throw ExitCode(stop.exitCode)
      case .stepLimit:
        reporter.message(
          "stopped after \(outcome.steps) steps at epoch \(outcome.progress.epoch + 1), step "
            + "\(outcome.progress.stepInEpoch); checkpoint written to \(run.plan.checkpointPath)\n"
            + "resume with: \(resumeCommand)")
      case .completed:
        if let last = outcome.progress.history.last {
          reporter.message(
            String(
              format: "done: %d epochs in %.2f s of training; final loss %.4f", outcome.progress.epoch,
              outcome.progress.elapsedSeconds, last.trainLoss)
              + (last.validationAccuracy.map { String(format: ", validation accuracy %.2f%%", $0 * 100) } ?? ""))
        }
      }
      try reporter.finish()
    }
  }

  static func stopCause(_ signal: Int32?) -> String {
    switch signal {
    case SIGINT: "Ctrl-C"
    case SIGPIPE: "a closed standard output"
    default: "SIGTERM"
    }
  }

  static func quoted(_ path: String) -> String {
    path.allSatisfy { $0.isLetter || $0.isNumber || "._-/+".contains($0) } ? path : "'\(path)'"
  }
}

extension TrainStartOptions {
  var options: TrainingOptions.Start {
    TrainingOptions.Start(
      layers: layers, model: model, resume: resume, allowDataChange: allowDataChange,
      freeze: freeze.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } },
      dtype: dtype)
  }
}

extension TrainDataOptions {
  var options: TrainingOptions.DataSelection {
    TrainingOptions.DataSelection(
      data: data, target: target, x: x, y: y, validationSplit: validationSplit, validation: validation,
      validationX: validationX, validationY: validationY, standardize: standardize, stream: stream,
      validationSplitSeed: splitSeed, sampleWeight: sampleWeight)
  }
}

extension TrainScheduleOptions {
  var options: TrainingOptions.Schedule {
    get throws {
      try scheduleOptions()
    }
  }

  private func scheduleOptions() throws(BPKitError) -> TrainingOptions.Schedule {
    TrainingOptions.Schedule(
      epochs: epochs, batchSize: batchSize, loss: loss?.loss, optimizer: optimizer, learningRate: learningRate,
      momentum: momentum, seed: seed, bpttSteps: bpttSteps, noShuffle: noShuffle, weightDecay: weightDecay,
      amsgrad: amsgrad, centered: centered, initialAccumulatorValue: initialAccumulatorValue, clipNorm: clipnorm,
      clipValue: clipvalue, globalClipNorm: globalClipnorm, learningRateSchedule: lrSchedule,
      earlyStopping: try earlyStopping.map { text throws(BPKitError) in try EarlyStopping(specification: text) },
      reduceLearningRateOnPlateau: try reduceLrOnPlateau.map { text throws(BPKitError) in
        try ReduceLearningRateOnPlateau(specification: text)
      },
      classWeight: try classWeight.map { text throws(BPKitError) in try ClassWeighting(specification: text) },
      probabilityClip: try clipProbabilities.map { text throws(BPKitError) in
        try ProbabilityClip(specification: text)
      })
  }
}

extension TrainOutputOptions {
  var options: TrainingOptions.Output {
    TrainingOptions.Output(
      checkpoint: checkpoint, checkpointEvery: checkpointEvery, checkpointEverySteps: checkpointEverySteps, keep: keep,
      saveBest: saveBest, stopAfterSteps: stopAfterSteps, overwrite: overwrite)
  }
}

/// Where a run starts from.
struct TrainStartOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("The network, as a layer list (see LAYERS above).", valueName: "spec"))
  var layers: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Start from a model file: bpkit HDF5 or JSON, or Keras (whose loss and optimizer state are continued).",
      valueName: "file"))
  var model: String?

  @Option(name: .long, help: ArgumentHelp("Resume the run stored in a checkpoint.", valueName: "checkpoint"))
  var resume: String?

  @Flag(name: .long, help: "Resume even though the training data differs from the checkpoint's.")
  var allowDataChange = false

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Freeze these layers (Keras trainable=False): their weights do not move and get no optimizer slots.",
      valueName: "name,..."))
  var freeze: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Train and store the weights in float32 (default) or float64; a --model file's own by default, widened "
        + "exactly to float64, never narrowed; a resumed run keeps its checkpoint's.",
      valueName: "float32|float64"))
  var dtype: DType?
}

/// The data a run trains and validates on.
struct TrainDataOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("Training data: an HDF5 or CSV file.", valueName: "file"))
  var data: String?

  @Option(name: .long, help: ArgumentHelp("CSV: the target column (default: label).", valueName: "column"))
  var target: String?

  @Option(name: .long, help: ArgumentHelp("HDF5: the inputs dataset (default: /train/x).", valueName: "path"))
  var x: String?

  @Option(name: .long, help: ArgumentHelp("HDF5: the targets dataset (default: /train/y).", valueName: "path"))
  var y: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Weigh each training sample's loss by this CSV column or HDF5 dataset (Keras sample_weight); a validation "
        + "split's samples too.", valueName: "column|dataset"))
  var sampleWeight: String?

  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp(
      "Hold out this fraction of the data for validation: its last samples, or with --split-seed samples drawn at "
        + "random.", valueName: "fraction"))
  var validationSplit: Double?

  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp(
      "Hold out --validation-split samples drawn at random with this seed (0 to 2^64-1) instead of the last ones; "
        + "the checkpoint records the seed and the rows, so a resume validates on the same samples.",
      valueName: "seed"))
  var splitSeed: UInt64?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Validation data: a file like --data (HDF5: datasets --validation-x, --validation-y).", valueName: "file"))
  var validation: String?

  @Option(name: .long, help: ArgumentHelp("HDF5 validation inputs dataset (default: /test/x).", valueName: "path"))
  var validationX: String?

  @Option(name: .long, help: ArgumentHelp("HDF5 validation targets dataset (default: /test/y).", valueName: "path"))
  var validationY: String?

  @Flag(
    name: .long,
    help: "Scale each input feature by the training data's mean and standard deviation, stored in the model.")
  var standardize = false

  @Flag(
    name: .long,
    help: "Stream HDF5 data from disk in blocks instead of reading it into memory (automatic above 256 MiB).")
  var stream = false
}

/// How a run trains.
struct TrainScheduleOptions: ParsableArguments {
  @Option(
    name: .long, parsing: .unconditional, help: "The total number of epochs (on resume: the new total). Default 30.")
  var epochs: Int?

  @Option(name: .long, parsing: .unconditional, help: "Samples per update; 1 is online learning. Default 32.")
  var batchSize: Int?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "cross-entropy, binary-cross-entropy, mse, mae, huber (delta 1), sparse-cross-entropy, or "
        + "cross-entropy-from-logits, binary-cross-entropy-from-logits, sparse-cross-entropy-from-logits "
        + "(a linear output layer, whose outputs are then logits). Default: from the output activation.",
      valueName: "loss"))
  var loss: LossOption?

  @Option(
    name: .long, help: "sgd, momentum, nesterov, adam, adamw, nadam, adagrad, rmsprop or rprop. Default adam.")
  var optimizer: OptimizerKind?

  @Option(
    name: [.customLong("lr"), .long], parsing: .unconditional,
    help: "The learning rate. Default: Keras' (0.01 SGD, 0.001 the others).")
  var learningRate: Double?

  @Option(
    name: .long, parsing: .unconditional,
    help: "The momentum of momentum, nesterov and rmsprop. Default 0.9 (rmsprop 0).")
  var momentum: Double?

  @Option(
    name: .long, parsing: .unconditional,
    help:
      "Decoupled weight decay, w -= w*decay*lr before each update (Keras weight_decay). Default 0.004 adamw, else 0.")
  var weightDecay: Double?

  @Flag(inversion: .prefixedNo, help: "AMSGrad for adam and adamw (Keras amsgrad).")
  var amsgrad: Bool?

  @Flag(inversion: .prefixedNo, help: "Centred rmsprop (Keras centered).")
  var centered: Bool?

  @Option(
    name: .long, parsing: .unconditional, help: "adagrad's initial accumulator value (Keras'). Default 0.1.")
  var initialAccumulatorValue: Double?

  @Option(
    name: .long, parsing: .unconditional, help: "Clip each weight tensor's gradient to this L2 norm (Keras clipnorm).")
  var clipnorm: Double?

  @Option(name: .long, parsing: .unconditional, help: "Clip each gradient element to [-c, c] (Keras clipvalue).")
  var clipvalue: Double?

  @Option(
    name: .long, parsing: .unconditional, help: "Clip all gradients together to this L2 norm (Keras global_clipnorm).")
  var globalClipnorm: Double?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "A Keras learning-rate schedule (see LEARNING-RATE SCHEDULES above); its initial rate defaults to --lr.",
      valueName: "name:settings"))
  var lrSchedule: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Stop once a figure stops improving (Keras EarlyStopping): monitor=val_loss,patience=N,min_delta=D,"
        + "restore_best_weights,start_from_epoch=N.", valueName: "settings"))
  var earlyStopping: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Reduce the learning rate on a plateau (Keras ReduceLROnPlateau): monitor=val_loss,factor=0.1,patience=10,"
        + "min_delta=0.0001,cooldown=0,min_lr=0.", valueName: "settings"))
  var reduceLrOnPlateau: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Weigh each class's samples in the training loss (Keras class_weight): auto (n/(classes*count), Keras' "
        + "balanced) or CLASS:WEIGHT pairs such as 0:1,1:5 (a class not named weighs 1).", valueName: "weights"))
  var classWeight: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Clip a cross-entropy's probabilities to [ε, 1−ε] as Keras' JAX, PyTorch and NumPy backends do: keras "
        + "(ε = 1e-7, keras.config.epsilon()), ε, or none (TensorFlow's unclipped loss; the default).",
      valueName: "epsilon"))
  var clipProbabilities: String?

  @Option(name: .long, parsing: .unconditional, help: "The seed of weight initialisation and shuffling. Default 1.")
  var seed: UInt64?

  @Option(name: .long, parsing: .unconditional, help: "Truncate backpropagation through time to this many steps.")
  var bpttSteps: Int?

  @Flag(name: .long, help: "Visit the samples in file order every epoch.")
  var noShuffle = false

  @Option(
    name: .long, parsing: .unconditional,
    help: "Threads per matrix product (default: every processor). The weights are the same for any count.")
  var threads: Int?
}

/// What a run writes.
struct TrainOutputOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "Where to write the checkpoint (default: run.ckpt.h5; on resume, the resumed file).", valueName: "file"))
  var checkpoint: String?

  @Flag(name: .long, help: "Replace an existing checkpoint file that this run does not resume.")
  var overwrite = false

  @Option(name: .long, help: "Write a checkpoint every N epochs.")
  var checkpointEvery = 1

  @Option(name: .long, help: "Also write a checkpoint every N steps.")
  var checkpointEverySteps: Int?

  @Option(name: .long, help: "Keep the K most recent checkpoints (older ones as NAME.1.h5, NAME.2.h5, ...).")
  var keep = 1

  @Flag(name: .long, help: "Also write the best epoch's checkpoint (lowest validation loss) to NAME.best.h5.")
  var saveBest = false

  @Option(
    name: .long,
    help: "Train at most N steps in this invocation, then write a checkpoint and exit (for time-boxed jobs).")
  var stopAfterSteps: Int?

  @Flag(name: .long, help: "Print nothing but errors and notes of what the run cannot take as given.")
  var quiet = false

  @Option(name: .long, help: ArgumentHelp("Append one JSON object per epoch to this file.", valueName: "file"))
  var logJson: String?
}
