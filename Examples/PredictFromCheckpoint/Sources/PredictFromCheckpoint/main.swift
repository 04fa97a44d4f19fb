// Loads a bpkit checkpoint, says where its training run stands, and predicts
// the first samples of a data set with the checkpoint's model.
//
// Usage: PredictFromCheckpoint CHECKPOINT DATA.h5 [INPUTS] [LABELS] [COUNT]
// (datasets in DATA.h5; defaults /test/x, /test/y and 5)
//
// `make example` trains a small digits classifier with `bpkit train` and runs
// this program on its checkpoint and the bundled test digits.
import BPKit
import Foundation

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
  FileHandle.standardError.write(
    Data("usage: PredictFromCheckpoint CHECKPOINT DATA.h5 [INPUTS] [LABELS] [COUNT]\n".utf8))
  exit(2)
}
let inputsPath = arguments.count > 3 ? arguments[3] : "/test/x"
let labelsPath = arguments.count > 4 ? arguments[4] : "/test/y"
let count = arguments.count > 5 ? Int(arguments[5]) ?? 5 : 5

do {
  // 1. Open the file. BPKitFile.open tells a model, a checkpoint and a
  //    Keras file apart by their content. Files are untrusted by default:
  //    libhdf5 first parses them in a child process, the bpkit-probe
  //    executable shipped beside this program or named by BPKIT_PROBE.
  let file = try BPKitFile.open(URL(fileURLWithPath: arguments[1]))
  guard case .checkpoint(let checkpoint) = file else {
    print("\(arguments[1]) is a \(file.kind), not a checkpoint")
    exit(3)
  }

  // 2. The training state travels with the weights.
  let progress = checkpoint.progress
  print("checkpoint written by bpkit \(checkpoint.bpkitVersion) at \(checkpoint.createdAt)")
  print("epoch \(progress.epoch) of \(checkpoint.configuration.epochs), \(checkpoint.optimizer.configuration.kind)")
  if let last = progress.history.last {
    print(String(format: "last epoch: training loss %.4f", last.trainLoss))
  }

  // 3. Predict a batch: [batch, features] in, [batch, outputs] out.
  let data = try Dataset.readHDF5(path: arguments[2], inputs: inputsPath, targets: labelsPath)
  let batch = data.subset(0..<min(count, data.sampleCount))
  let outputs = try checkpoint.model.predict(batch.inputs)
  let width = outputs.shape[1]
  for sample in 0..<batch.sampleCount {
    let row = Array(outputs.scalars[(sample * width)..<((sample + 1) * width)])
    let predicted = row.indices.max { row[$0] < row[$1] }!
    let label = batch.targets.map { Int($0.scalars[sample]) }
    print(
      String(format: "sample %d: predicted %d (p = %.3f)", sample, predicted, row[predicted])
        + (label.map { ", labelled \($0)" } ?? ""))
  }
} catch {
  FileHandle.standardError.write(Data("PredictFromCheckpoint: \(error)\n".utf8))
  exit(1)
}
