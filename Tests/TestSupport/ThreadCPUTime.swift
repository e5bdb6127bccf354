#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The processor time the calling thread has used: what a piece of work costs, whatever else the
/// machine runs meanwhile (the two test processes, docker builds). Wall-clock bounds on such work
/// fail on a loaded machine without anything being slow.
public enum ThreadCPUTime {
    public static func now() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }
}
