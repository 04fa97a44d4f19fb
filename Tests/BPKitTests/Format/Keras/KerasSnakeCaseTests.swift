import Foundation
import Testing

@testable import BPKit

/// `KerasNetworkPlan.snakeCase` scans for Keras' two regular expressions by
/// hand; the expressions themselves, run by Foundation, are the reference.
@Suite struct KerasSnakeCaseTests {
  /// Keras' `naming.to_snake_case`, with its regular expressions.
  static func reference(_ name: String) -> String {
    var text = name.filter { $0.isLetter || $0.isNumber || $0 == "_" }
    text = text.replacingOccurrences(of: "(.)([A-Z][a-z]+)", with: "$1_$2", options: .regularExpression)
    text = text.replacingOccurrences(of: "([a-z])([A-Z])", with: "$1_$2", options: .regularExpression)
    return text.lowercased()
  }

  @Test func kerasClassNamesBecomeTheirSnakeCase() {
    let expected = [
      "SimpleRNN": "simple_rnn", "LeakyReLU": "leaky_re_lu", "Dense": "dense", "LSTM": "lstm", "GRU": "gru",
      "ExponentialDecay": "exponential_decay", "PiecewiseConstantDecay": "piecewise_constant_decay",
      "InputLayer": "input_layer", "already_snake": "already_snake", "Conv2DTranspose": "conv2d_transpose",
      "HTTPServerError": "http_server_error", "": "",
    ]
    for (name, snake) in expected {
      #expect(KerasNetworkPlan.snakeCase(name) == snake, "\(name)")
      #expect(Self.reference(name) == snake, "\(name)")
    }
  }

  @Test func everyShortStringMatchesTheRegularExpressions() {
    // Upper and lower case in and out of ASCII, a digit, an underscore, a
    // combining accent (a scalar of its own) and a character the filter
    // drops: every string of up to four of them, where the two
    // expressions' matches meet and overlap.
    let alphabet: [String] = ["A", "Z", "a", "b", "1", "_", "É", "e\u{301}", "-"]
    var names = [""]
    var differences: [String] = []
    for _ in 1...4 {
      names = names.flatMap { name in alphabet.map { name + $0 } }
      for name in names where KerasNetworkPlan.snakeCase(name) != Self.reference(name) { differences.append(name) }
    }
    #expect(differences.isEmpty, "\(differences.prefix(10))")
  }
}
