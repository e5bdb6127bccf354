/// "Did you mean" for misspelt keys: the closest known word within a small edit distance.
enum Suggestion {
    static func closest(to word: String, among candidates: [String]) -> String? {
        let lowered = word.lowercased()
        let limit = max(2, word.count / 3)
        return candidates
            .map { (candidate: $0, distance: editDistance(lowered, $0.lowercased())) }
            .filter { $0.distance <= limit }
            .min { $0.distance < $1.distance }?
            .candidate
    }

    /// Levenshtein distance, one row at a time.
    static func editDistance(_ left: String, _ right: String) -> Int {
        let left = Array(left), right = Array(right)
        guard !left.isEmpty else { return right.count }
        var previous = Array(0...right.count)
        for (i, leftCharacter) in left.enumerated() {
            var current = [i + 1]
            for (j, rightCharacter) in right.enumerated() {
                let substitution = previous[j] + (leftCharacter == rightCharacter ? 0 : 1)
                current.append(min(substitution, previous[j + 1] + 1, current[j] + 1))
            }
            previous = current
        }
        return previous[right.count]
    }
}
