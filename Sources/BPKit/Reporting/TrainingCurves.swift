import Foundation

/// Draws a run's loss and accuracy per epoch, train and validation, as an SVG document.
///
/// Each metric gets its own panel with axes, tick labels, a legend and a
/// title. Runs of one epoch show points; long runs (thousands of epochs)
/// are drawn as lines with ticks spaced for legibility.
public struct TrainingCurves: Sendable {
  /// Which series to draw.
  public enum Metric: String, Sendable, CaseIterable {
    /// Train and validation loss.
    case loss
    /// Train and validation accuracy (classifiers only).
    case accuracy
    /// The learning rate in force at the end of each epoch.
    case lr
    /// Loss above accuracy, and below them the learning rate when it changed during the run.
    case all
  }

  /// The epochs to draw.
  public var history: [EpochRecord]
  /// The title shown above the plot, naming the run.
  public var title: String
  /// Which series to draw.
  public var metric: Metric

  /// Creates a plot of `history`.
  public init(history: [EpochRecord], title: String, metric: Metric = .all) {
    self.history = history
    self.title = title
    self.metric = metric
  }

  private struct Series {
    var name: String
    var color: String
    var dashed: Bool
    var points: [(epoch: Double, value: Double)]
  }

  private struct Panel {
    var label: String
    var series: [Series]
  }

  private var panels: [Panel] {
    func series(_ name: String, _ color: String, _ dashed: Bool, _ value: (EpochRecord) -> Double?) -> Series {
      Series(
        name: name, color: color, dashed: dashed,
        points: history.compactMap { record in
          value(record).flatMap { $0.isFinite ? (Double(record.epoch), $0) : nil }
        })
    }
    let loss = Panel(
      label: "loss",
      series: [
        series("train loss", "#1f77b4", false) { $0.trainLoss },
        series("validation loss", "#ff7f0e", true) { $0.validationLoss },
      ].filter { !$0.points.isEmpty })
    let accuracy = Panel(
      label: "accuracy",
      series: [
        series("train accuracy", "#2ca02c", false) { $0.trainAccuracy },
        series("validation accuracy", "#d62728", true) { $0.validationAccuracy },
      ].filter { !$0.points.isEmpty })
    let rate = Panel(
      label: "learning rate", series: [series("learning rate", "#9467bd", false) { $0.learningRate }])
    let rateChanged = Set(history.map(\.learningRate)).count > 1
    switch metric {
    case .loss: return [loss]
    case .accuracy: return [accuracy]
    case .lr: return [rate]
    case .all: return (accuracy.series.isEmpty ? [loss] : [loss, accuracy]) + (rateChanged ? [rate] : [])
    }
  }

  /// The SVG document.
  public var svg: String {
    let width = 800.0
    // Each panel: a legend row above the plot, the plot, and the epoch axis below it.
    let panelHeight = 340.0
    let top = 40.0
    let panels = self.panels
    let height = top + Double(panels.count) * panelHeight
    var body = ""
    for (index, panel) in panels.enumerated() {
      body += draw(
        panel, x: 80, y: top + Double(index) * panelHeight + 30, width: width - 110, height: panelHeight - 90)
    }
    return """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
      viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
      <title>\(escape(title))</title>
      <rect width="100%" height="100%" fill="#ffffff"/>
      <text x="\(width / 2)" y="26" text-anchor="middle" font-size="16" font-weight="bold"\(fit(title, width - 40))>\
      \(escape(title))</text>
      \(body)</svg>

      """
  }

  private func draw(_ panel: Panel, x: Double, y: Double, width: Double, height: Double) -> String {
    let epochs = history.map { Double($0.epoch) }
    // Epochs are whole numbers: no tick between two of them.
    let xScale = AxisScale(
      minimum: epochs.min() ?? 0, maximum: epochs.max() ?? 1, targetTicks: 8, minimumStep: 1)
    let values = panel.series.flatMap { $0.points.map(\.value) }
    let yScale = AxisScale(
      minimum: values.min() ?? 0, maximum: values.max() ?? 1, targetTicks: 6, includesZero: panel.label == "loss")
    func px(_ epoch: Double) -> Double { x + xScale.fraction(epoch) * width }
    func py(_ value: Double) -> Double { y + (1 - yScale.fraction(value)) * height }
    var svg = "<g class=\"panel\" id=\"\(panel.label.replacingOccurrences(of: " ", with: "-"))\">\n"
    svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(width)\" height=\"\(height)\" fill=\"none\" stroke=\"#444\"/>\n"
    for tick in yScale.ticks {
      let ty = format(py(tick))
      svg += "<line x1=\"\(x)\" y1=\"\(ty)\" x2=\"\(x + width)\" y2=\"\(ty)\" stroke=\"#e5e5e5\"/>"
      svg += "<text x=\"\(x - 6)\" y=\"\(ty)\" text-anchor=\"end\" dominant-baseline=\"middle\">"
      svg += "\(yScale.label(tick))</text>\n"
    }
    for tick in xScale.ticks {
      let tx = format(px(tick))
      svg += "<line x1=\"\(tx)\" y1=\"\(y + height)\" x2=\"\(tx)\" y2=\"\(y + height + 5)\" stroke=\"#444\"/>"
      svg += "<text x=\"\(tx)\" y=\"\(y + height + 18)\" text-anchor=\"middle\">\(xScale.label(tick))</text>\n"
    }
    svg += "<text x=\"\(x + width / 2)\" y=\"\(y + height + 36)\" text-anchor=\"middle\">epoch</text>\n"
    svg += "<text transform=\"translate(\(x - 55),\(y + height / 2)) rotate(-90)\" text-anchor=\"middle\">"
    svg += "\(panel.label)</text>\n"
    if panel.series.isEmpty {
      svg += "<text x=\"\(x + width / 2)\" y=\"\(y + height / 2)\" text-anchor=\"middle\" fill=\"#888\">"
      svg += "no \(panel.label) recorded</text>\n"
    }
    for series in panel.series {
      let dash = series.dashed ? " stroke-dasharray=\"6 4\"" : ""
      let points = Self.thinned(series.points.map { (px($0.epoch), py($0.value)) }, columns: Int(width))
        .map { "\(format($0.x)),\(format($0.y))" }
      svg += "<polyline class=\"series\" data-name=\"\(series.name)\" fill=\"none\" stroke=\"\(series.color)\" "
      svg += "stroke-width=\"2\"\(dash) points=\"\(points.joined(separator: " "))\"/>\n"
      if series.points.count <= 60 {
        for point in points {
          let xy = point.split(separator: ",")
          svg += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"3\" fill=\"\(series.color)\"/>"
        }
        svg += "\n"
      }
    }
    // The legend sits in a row above the plot, right-aligned, so it never hides a curve.
    var legendRight = x + width
    for series in panel.series.reversed() {
      let textWidth = Double(series.name.count) * 6.5
      let lx = legendRight - textWidth - 30
      let ly = y - 12
      let dash = series.dashed ? " stroke-dasharray=\"6 4\"" : ""
      svg += "<g class=\"legend\"><line x1=\"\(lx)\" y1=\"\(ly)\" x2=\"\(lx + 24)\" y2=\"\(ly)\" "
      svg += "stroke=\"\(series.color)\" stroke-width=\"2\"\(dash)/>"
      svg += "<text x=\"\(lx + 30)\" y=\"\(ly)\" dominant-baseline=\"middle\">\(series.name)</text></g>\n"
      legendRight = lx - 16
    }
    return svg + "</g>\n"
  }

  /// At most four points per pixel column (the first, lowest, highest and
  /// last, in epoch order) where a series has more points than the plot has
  /// columns: the line looks the same and the file stays small for 10,000 epochs.
  static func thinned(_ points: [(x: Double, y: Double)], columns: Int) -> [(x: Double, y: Double)] {
    guard points.count > 2 * columns else { return points }
    var kept: [(x: Double, y: Double)] = []
    var start = 0
    while start < points.count {
      let column = points[start].x.rounded(.down)
      var end = start
      while end + 1 < points.count && points[end + 1].x.rounded(.down) == column { end += 1 }
      let bucket = start...end
      let low = bucket.min { points[$0].y < points[$1].y }!
      let high = bucket.max { points[$0].y < points[$1].y }!
      for index in Set([start, low, high, end]).sorted() { kept.append(points[index]) }
      start = end + 1
    }
    return kept
  }

  /// Squeezes a title that would be wider than `available` (at about 9
  /// pixels a character in bold 16-pixel Helvetica) into that width, so a
  /// long file name or network never runs off the picture.
  private func fit(_ text: String, _ available: Double) -> String {
    Double(text.count) * 9 > available ? " textLength=\"\(Int(available))\" lengthAdjust=\"spacingAndGlyphs\"" : ""
  }

  private func format(_ value: Double) -> String { String(format: "%.1f", value) }

  private func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }
}
