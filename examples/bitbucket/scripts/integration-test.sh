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

# Bitbucket publishes none of kind's node ports: the service is reached through the API server,
# with kubectl port-forward, as a developer would.
answers_through_port_forward() {
  log=${TMPDIR:-/tmp}/hello-port-forward.log
  kubectl port-forward service/hello 18080:8080 >"$log" 2>&1 &
  forward=$!
  tries=0
  until grep -q "Forwarding from" "$log" 2>/dev/null; do
    tries=$((tries + 1))
    [ "$tries" -lt 50 ] || { kill "$forward"; cat "$log"; return 1; }
    sleep 0.2
  done
  body=$(http_get "http://127.0.0.1:18080/")
  status=$?
  kill "$forward"
  [ "$status" -eq 0 ] || return 1
  case "$body" in
    *"Hello from kind-ci!"*) ;;
    *) echo "unexpected answer through the port-forward: $body"; return 1 ;;
  esac
}

check "deployment rolled out" rolled_out
check "two replicas available" two_replicas_available
check "service answers through a port-forward" answers_through_port_forward

{
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo "<testsuite name=\"hello integration\" tests=\"$total\" failures=\"$failures\">"
  printf '%s' "$cases"
  echo '</testsuite>'
} > "$report"

[ "$failures" -eq 0 ]
