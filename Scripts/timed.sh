#!/bin/sh
# Runs a command and prints how long it took: `timed.sh NAME COMMAND...`.
# make test and make test-quick print each stage's time with it.
name=$1
shift
start=$(date +%s)
status=0
"$@" || status=$?
echo "== $name: $(($(date +%s) - start)) s$([ $status -ne 0 ] && echo " (failed, exit $status)")"
exit $status
