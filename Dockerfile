# The kind-ci runner image: the job image generated pipelines use (`--runner-image`). kind-ci with
# its Swift runtime linked in, kubectl, and curl for tests that call services.
# From the repository root:
#   swift build -c release --static-swift-stdlib
#   docker build -t kindci/kind-ci:0.1.0 .
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl kubernetes-client \
 && rm -rf /var/lib/apt/lists/*
COPY .build/release/kind-ci /usr/local/bin/kind-ci
RUN kind-ci --version
