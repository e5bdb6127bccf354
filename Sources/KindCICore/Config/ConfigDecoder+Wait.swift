import Yams

/// `wait:`: how long the workloads may take to be ready, and what is waited out.
extension ConfigDecoder {
    func readWait(_ node: Node) -> WaitSettings {
        var wait = WaitSettings()
        guard let fields = reader.mapping(node, "wait", keys: ["timeout", "tolerate"], example: "'wait: {timeout: 3m}'") else { return wait }
        if let node = fields["timeout"], let timeout = reader.duration(node, "wait.timeout") {
            wait.timeout = timeout
        }
        if let node = fields["tolerate"], let text = reader.string(node, "wait.tolerate", example: "'tolerate: until-deadline'") {
            if let tolerance = WaitSettings.Tolerance(rawValue: text) {
                wait.tolerate = tolerance
            } else {
                reader.report(node, "wait.tolerate", "expected 'none' or 'until-deadline', found '\(text)'",
                              fix: "'until-deadline' waits out pods stuck pulling or crashing; 'none' (the default) fails at once")
            }
        }
        return wait
    }
}
