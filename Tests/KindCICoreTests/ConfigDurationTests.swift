import Testing
import KindCICore

@Suite struct ConfigDurationTests {
    @Test(arguments: [("90s", 90), ("3m", 180), ("1h30m", 5400), ("1h", 3600), ("2h0m5s", 7205), ("0s", 0)])
    func parses(text: String, seconds: Int) {
        #expect(ConfigDuration(parsing: text)?.seconds == seconds)
    }

    @Test(arguments: ["", "90", "3 m", "m", "1m1h", "1h1h", "1.5m", "-3m", "3min", "1d", "10000000s"])
    func refuses(text: String) {
        #expect(ConfigDuration(parsing: text) == nil)
    }

    @Test(arguments: [(90, "1m30s"), (5400, "1h30m"), (0, "0s"), (3601, "1h1s")])
    func printsTheShortestSpelling(seconds: Int, text: String) {
        #expect(ConfigDuration(seconds: seconds).description == text)
        #expect(ConfigDuration(parsing: text)?.seconds == seconds)
    }
}
