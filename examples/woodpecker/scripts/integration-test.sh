#!/bin/sh
# The hello example's integration test. `kind-ci run` starts it once the Deployment is ready, with
# KUBECONFIG, DOCKER_HOST and KIND_CI_HOST set. Writes a JUnit report to reports/.
set -u

mkdir -p reports
report=reports/integration.xml
cases=""
failures=0
total=0

xml_escape() {
  sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'
}

# check NAME COMMAND...: runs COMMAND, records a test case, prints the outcome.
check() {
  name=$1
  shift
  total=$((total + 1))
  if output=$("$@" 2>&1); then
    echo "ok   $name"
    cases="$cases  <testcase classname=\"hello\" name=\"$name\"/>
"
  else
    failures=$((failures + 1))
    echo "FAIL $name"
    echo "$output" | sed 's/^/     /'
    cases="$cases  <testcase classname=\"hello\" name=\"$name\"><failure message=\"failed\">$(echo "$output" | xml_escape)</failure></testcase>
"
  fi
}

http_get() {
  if command -v curl >/dev/null 2>&1; then
    curl --silent --show-error --fail --max-time 10 "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -T 10 -O - "$1"
  else
    echo "neither curl nor wget is in the job image" >&2
    return 127
  fi
}

rolled_out() {
  kubectl rollout status deployment/hello --timeout=60s
}

two_replicas_available() {
  available=$(kubectl get deployment hello -o jsonpath='{.status.availableReplicas}')
  [ "$available" = 2 ] || { echo "availableReplicas is '$available', expected 2"; return 1; }
}

answers_on_node_port() {
  port=$(kubectl get service hello -o jsonpath='{.spec.ports[0].nodePort}') || return 1
  body=$(http_get "http://${KIND_CI_HOST}:${port}/") || return 1
  case "$body" in
    *"Hello from kind-ci!"*) ;;
    *) echo "unexpected answer from ${KIND_CI_HOST}:${port}: $body"; return 1 ;;
  esac
}

check "deployment rolled out" rolled_out
check "two replicas available" two_replicas_available
check "service answers on its node port" answers_on_node_port

{
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo "<testsuite name=\"hello integration\" tests=\"$total\" failures=\"$failures\">"
  printf '%s' "$cases"
  echo '</testsuite>'
} > "$report"

[ "$failures" -eq 0 ]
