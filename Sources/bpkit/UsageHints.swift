import ArgumentParser

/// Better words for two usage errors whose parser message points the wrong
/// way: a misspelt subcommand (the parser says only "Unexpected argument")
/// and an option for a regularization bpkit sets elsewhere or does not have
/// (the parser suggests the nearest spelling, `--l2` -> `--lr`).
enum UsageHints {
  /// The subcommands a first argument may mean.
  static var commandNames: [String] {
    BPKitCommand.configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
  }

  /// Options people bring from other tools for L1/L2 regularization, which bpkit sets per layer in `--layers`.
  static let penaltyOptions: Set<String> = ["--l1", "--l2", "--regularization", "--regularizer"]

  /// Options people bring from other tools for regularization, which bpkit has none of.
  static let regularizationOptions: Set<String> = penaltyOptions.union(["--decay", "--dropout"])

  /// The message to print instead of the parser's, or `nil` to keep it.
  static func message(for parserMessage: String, arguments: [String]) -> String? {
    if let first = arguments.first, !first.hasPrefix("-"), !commandNames.contains(first) {
      let nearest = commandNames.map { ($0, distance($0, first)) }.min { $0.1 < $1.1 }
      let suggestion = nearest.flatMap { $0.1 <= 2 ? " did you mean '\($0.0)'?" : nil } ?? ""
      return "Error: '\(first)' is not a bpkit command;\(suggestion) ('bpkit --help' lists the commands)"
    }
    for option in arguments where regularizationOptions.contains(option.split(separator: "=")[0].lowercased()) {
      let name = option.split(separator: "=")[0]
      guard parserMessage.contains("Unknown option '\(name)'") else { continue }
      if penaltyOptions.contains(name.lowercased()) {
        return
          "Error: no such option '\(name)': L1/L2 regularization is set per layer in --layers, e.g. "
          + "'4,64:relu:l2=0.01,3:softmax' (Keras' kernel_regularizer=L2(0.01); bias_l2=, recurrent_l2= and l1= "
          + "likewise, see LAYERS in 'bpkit train --help'); decoupled weight decay is --weight-decay"
      }
      return
        "Error: no such option '\(name)': dropout is a layer in --layers (e.g. '64,32:relu,dropout0.2,10:softmax'); "
        + "L1/L2 regularization is set per layer in --layers ('64:relu:l2=0.01'); decoupled weight decay is "
        + "--weight-decay"
    }
    return nil
  }

  /// The Damerau-Levenshtein distance (with adjacent swaps), so `trian` is one edit from `train`.
  static func distance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in stride(from: 1, through: a.count, by: 1) {
      for j in stride(from: 1, through: b.count, by: 1) {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
      }
    }
    return d[a.count][b.count]
  }
}
