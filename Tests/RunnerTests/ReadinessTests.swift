import Testing
@testable import Runner

/// The readiness rules, from status objects shaped as the API serves them; the Deployment rules
/// are kubectl's `rollout status`.
@Suite struct ReadinessTests {
    static func deployment(generation: Int = 2, replicas: Int = 2, status: JSON) -> JSON {
        ["kind": "Deployment", "apiVersion": "apps/v1", "metadata": ["name": "api", "namespace": "default", "generation": .int(generation)],
         "spec": ["replicas": .int(replicas), "selector": ["matchLabels": ["app": "api"]]], "status": status]
    }

    @Test func deploymentFollowsKubectlsRolloutRules() {
        #expect(Readiness.verdict(Self.deployment(status: ["observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2]))
            == .waiting("waiting for the deployment controller"))
        #expect(Readiness.verdict(Self.deployment(status: ["observedGeneration": 2, "replicas": 2, "updatedReplicas": 1, "availableReplicas": 1]))
            == .waiting("1/2 updated"))
        #expect(Readiness.verdict(Self.deployment(status: ["observedGeneration": 2, "replicas": 3, "updatedReplicas": 2, "availableReplicas": 2]))
            == .waiting("1 old replica terminating"))
        #expect(Readiness.verdict(Self.deployment(status: ["observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 1]))
            == .waiting("1/2 available"))
        #expect(Readiness.verdict(Self.deployment(status: ["observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2]))
            == .ready)
        let stalled = Self.deployment(status: ["observedGeneration": 2, "replicas": 2, "updatedReplicas": 1, "conditions": [
            ["type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
             "message": "ReplicaSet \"api-7d9\" has timed out progressing."]]])
        #expect(Readiness.verdict(stalled) == .failed("exceeded its progress deadline: ReplicaSet \"api-7d9\" has timed out progressing."))
        // No replicas asked for: ready as soon as observed.
        #expect(Readiness.verdict(Self.deployment(replicas: 0, status: ["observedGeneration": 2])) == .ready)
    }

    @Test func statefulSetWaitsForReadyReplicasAndTheRevision() {
        func set(_ status: JSON, strategy: JSON = ["type": "RollingUpdate"]) -> JSON {
            ["kind": "StatefulSet", "metadata": ["name": "db", "generation": 1], "spec": ["replicas": 3, "updateStrategy": strategy], "status": status]
        }
        #expect(Readiness.verdict(set(["observedGeneration": 1, "readyReplicas": 2])) == .waiting("2/3 ready"))
        #expect(Readiness.verdict(set(["observedGeneration": 1, "readyReplicas": 3, "currentRevision": "db-1", "updateRevision": "db-2"]))
            == .waiting("rolling update to revision db-2"))
        #expect(Readiness.verdict(set(["observedGeneration": 1, "readyReplicas": 3, "currentRevision": "db-2", "updateRevision": "db-2"])) == .ready)
        let partitioned: JSON = ["type": "RollingUpdate", "rollingUpdate": ["partition": 2]]
        #expect(Readiness.verdict(set(["observedGeneration": 1, "readyReplicas": 3, "updatedReplicas": 0], strategy: partitioned)) == .waiting("0/1 updated"))
        #expect(Readiness.verdict(set(["observedGeneration": 1, "readyReplicas": 3, "updatedReplicas": 1], strategy: partitioned)) == .ready)
        #expect(Readiness.verdict(set(["observedGeneration": 1, "readyReplicas": 3, "currentRevision": "a", "updateRevision": "b"],
                                      strategy: ["type": "OnDelete"])) == .ready)
    }

    @Test func daemonSetWaitsForEveryNode() {
        func set(_ status: JSON) -> JSON { ["kind": "DaemonSet", "metadata": ["name": "agent", "generation": 1], "status": status] }
        #expect(Readiness.verdict(set(["observedGeneration": 1, "desiredNumberScheduled": 1, "updatedNumberScheduled": 0])) == .waiting("0/1 updated"))
        #expect(Readiness.verdict(set(["observedGeneration": 1, "desiredNumberScheduled": 1, "updatedNumberScheduled": 1, "numberAvailable": 0]))
            == .waiting("0/1 available"))
        #expect(Readiness.verdict(set(["observedGeneration": 1, "desiredNumberScheduled": 1, "updatedNumberScheduled": 1, "numberAvailable": 1])) == .ready)
    }

    @Test func jobCompletesOrFailsAtOnce() {
        func job(_ status: JSON) -> JSON { ["kind": "Job", "metadata": ["name": "seed"], "spec": ["completions": 2], "status": status] }
        #expect(Readiness.verdict(job(["active": 1, "succeeded": 1])) == .waiting("1/2 succeeded"))
        #expect(Readiness.verdict(job(["conditions": [["type": "Complete", "status": "True"]]])) == .ready)
        #expect(Readiness.verdict(job(["conditions": [["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                                                        "message": "Job has reached the specified backoff limit"]]]))
            == .failed("failed (BackoffLimitExceeded): Job has reached the specified backoff limit"))
    }

    @Test func podsClaimsAndDefinitions() {
        #expect(Readiness.verdict(["kind": "Pod", "status": ["phase": "Running", "conditions": [["type": "Ready", "status": "False"]]]])
            == .waiting("Running"))
        #expect(Readiness.verdict(["kind": "Pod", "status": ["phase": "Running", "conditions": [["type": "Ready", "status": "True"]]]]) == .ready)
        #expect(Readiness.verdict(["kind": "Pod", "status": ["phase": "Succeeded"]]) == .ready)
        #expect(Readiness.verdict(["kind": "Pod", "status": ["phase": "Failed", "containerStatuses": [
            ["name": "c", "state": ["terminated": ["exitCode": 3]]]]]]) == .failed("failed (a container exited with 3)"))
        #expect(Readiness.verdict(["kind": "PersistentVolumeClaim", "status": ["phase": "Pending"]]) == .waiting("Pending, not bound"))
        #expect(Readiness.verdict(["kind": "PersistentVolumeClaim", "status": ["phase": "Bound"]]) == .ready)
        #expect(Readiness.verdict(["kind": "CustomResourceDefinition", "status": ["conditions": [["type": "Established", "status": "True"]]]]) == .ready)
        #expect(Readiness.verdict(["kind": "CustomResourceDefinition", "status": ["conditions": [
            ["type": "NamesAccepted", "status": "False", "message": "\"widgets\" is already in use"]]]])
            == .failed("names not accepted: \"widgets\" is already in use"))
        #expect(Readiness.verdict(["kind": "ConfigMap"]) == .ready)
    }

    @Test func stuckPodsAreExplained() {
        func pod(_ waiting: JSON, last: JSON = .null) -> JSON {
            ["kind": "Pod", "metadata": ["name": "api-7d9"], "status": ["phase": "Pending", "containerStatuses": [
                ["name": "api", "image": "example-app:latest", "state": ["waiting": waiting], "lastState": last]]]]
        }
        #expect(Readiness.trouble(pod(["reason": "ImagePullBackOff", "message": "Back-off pulling image"]))
            == "pod api-7d9 container api ImagePullBackOff: example-app:latest is not in kind's docker and cannot be pulled")
        #expect(Readiness.trouble(pod(["reason": "CrashLoopBackOff"], last: ["terminated": ["exitCode": 2]]))
            == "pod api-7d9 container api CrashLoopBackOff: it keeps exiting (last exit code 2)")
        #expect(Readiness.trouble(pod(["reason": "CreateContainerConfigError", "message": "secret \"db\" not found"]))
            == "pod api-7d9 container api CreateContainerConfigError: secret \"db\" not found")
        #expect(Readiness.trouble(pod(["reason": "ContainerCreating"])) == nil)
    }

    @Test func selectorsPickTheWorkloadsPods() {
        let workload: JSON = ["metadata": ["namespace": "a"], "spec": ["selector": [
            "matchLabels": ["app": "api"], "matchExpressions": [["key": "tier", "operator": "In", "values": ["web", "api"]],
                                                                ["key": "canary", "operator": "DoesNotExist"]]]]]
        func pod(_ namespace: String, _ labels: JSON) -> JSON { ["metadata": ["namespace": .string(namespace), "labels": labels]] }
        #expect(Readiness.selects(workload, pod("a", ["app": "api", "tier": "web"])))
        #expect(!Readiness.selects(workload, pod("b", ["app": "api", "tier": "web"])))
        #expect(!Readiness.selects(workload, pod("a", ["app": "api", "tier": "db"])))
        #expect(!Readiness.selects(workload, pod("a", ["app": "api", "tier": "web", "canary": "yes"])))
    }
}
