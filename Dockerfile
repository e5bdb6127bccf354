# The kind-ci runner image: the job image generated pipelines use (`--runner-image`). kind-ci with
# its Swift runtime linked in, kubectl, and curl for tests that call services.
# Built by scripts/build-runner-image, whose build context holds only this file and the binary.
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl kubernetes-client \
 && rm -rf /var/lib/apt/lists/*
COPY kind-ci /usr/local/bin/kind-ci
RUN kind-ci --version
