import DBAdviseModel
import Foundation

/// The report's `what_if` section (`analyze --what-if`): the same rules run over the latest
/// snapshot scaled by the scenario (see ``SnapshotScaler``), reduced to what changes the plan.
public struct ReportWhatIf: Codable, Sendable, Equatable {
    public var scenario: WhatIfScenario
    /// The summary line of the scaled report: its next step, or "stay on one box".
    public var summary: String
    public var growthShape: GrowthShape
    public var metrics: ReportMetrics
    /// Scaling steps the scaled load would need that today's does not.
    public var newSteps: [Strategy]
    /// Every recommendation at the scaled load, ladder order.
    public var recommendations: [WhatIfRecommendation]
    /// The thresholds the scaled load crosses.
    public var breaches: [GateBreach]

    private enum CodingKeys: String, CodingKey {
        case scenario
        case summary
        case growthShape = "growth_shape"
        case metrics
        case newSteps = "new_steps"
        case recommendations
        case breaches
    }

    public init(scenario: WhatIfScenario, scaled: Report, today: Report) {
        self.scenario = scenario
        summary = scaled.summary
        growthShape = scaled.growthShape
        metrics = scaled.metrics
        let todaySteps = Set(today.recommendations.map(\.strategy))
        var steps: [Strategy] = []
        for recommendation in scaled.recommendations
        where recommendation.strategy.isScalingStep && !todaySteps.contains(recommendation.strategy)
            && !steps.contains(recommendation.strategy)
        {
            steps.append(recommendation.strategy)
        }
        newSteps = steps
        recommendations = scaled.recommendations.map(WhatIfRecommendation.init)
        breaches = scaled.gate.breaches
    }
}

/// A recommendation of the scaled report, without its actions (the plan is for today's).
public struct WhatIfRecommendation: Codable, Sendable, Equatable {
    public var rule: String
    public var strategy: Strategy
    public var severity: Severity
    public var target: String
    public var title: String

    public init(_ recommendation: Recommendation) {
        rule = recommendation.rule
        strategy = recommendation.strategy
        severity = recommendation.severity
        target = recommendation.target
        title = recommendation.title
    }
}
