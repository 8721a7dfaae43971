#!/usr/bin/env bash
# Runs every test in the repository: builds Playground.sln once, then runs `dotnet test --no-build`
# on each tests/*/*.Tests.csproj (tests/Benchmarks is not a test project and is never run).
#
#   ./test.sh                                   all tests
#   ./test.sh --filter "FullyQualifiedName~Queue"   extra arguments go to every `dotnet test`
#
# Environment: CONFIGURATION (default Release), TEST_HANG_TIMEOUT (no test may run longer than
# this, default 5m), TEST_PROJECT_TIMEOUT (backstop for a whole project, default 30m).
# TRX files are written to TestResults/<project>/. The last line printed is always
# "N passed, N failed" (", N skipped" is appended when tests were skipped).
set -uo pipefail

cd "$(dirname "$0")" || exit 1

CONFIGURATION="${CONFIGURATION:-Release}"
HANG_TIMEOUT="${TEST_HANG_TIMEOUT:-5m}"
PROJECT_TIMEOUT="${TEST_PROJECT_TIMEOUT:-30m}"
RESULTS_DIR="$PWD/TestResults"
SOLUTION="Playground.sln"

passed=0
failed=0
skipped=0
broken_projects=()

print_summary() {
    local line="$passed passed, $failed failed"
    if [ "$skipped" -gt 0 ]; then
        line="$line, $skipped skipped"
    fi
    echo "$line"
}

# Prints the value of attribute $2 of the <Counters .../> element given in $1 (0 when absent).
counter() {
    local value
    value=$(printf '%s\n' "$1" | sed -n "s/.*[[:space:]]$2=\"\([0-9]*\)\".*/\1/p")
    echo "${value:-0}"
}

shopt -s nullglob
projects=(tests/*/*.Tests.csproj)
shopt -u nullglob

if [ "${#projects[@]}" -eq 0 ]; then
    echo "error: no test projects found (expected tests/*/*.Tests.csproj); no tests is a failure." >&2
    print_summary
    exit 1
fi

rm -rf "$RESULTS_DIR"
mkdir -p "$RESULTS_DIR"

echo "==> dotnet build $SOLUTION -c $CONFIGURATION"
if ! dotnet build "$SOLUTION" -c "$CONFIGURATION"; then
    echo "error: the build failed; no tests were run." >&2
    print_summary
    exit 1
fi

# A test project that the solution build did not cover (not listed in the solution, or added to
# it while the build ran) would run stale or not at all under --no-build; build it on its own.
for project in "${projects[@]}"; do
    target_path=$(dotnet msbuild "$project" -getProperty:TargetPath -p:Configuration="$CONFIGURATION" 2> /dev/null)
    if ! grep -qF "\"${project//\//\\}\"" "$SOLUTION" || [ -z "$target_path" ] || [ ! -f "$target_path" ]; then
        echo "warning: $SOLUTION did not build $project (is it listed? dotnet sln add $project); building it separately" >&2
        if ! dotnet build "$project" -c "$CONFIGURATION"; then
            echo "error: the build of $project failed; no tests were run." >&2
            print_summary
            exit 1
        fi
    fi
done

for project in "${projects[@]}"; do
    name=$(basename "$project" .csproj)
    project_results="$RESULTS_DIR/$name"
    echo
    echo "==> dotnet test $project"

    timeout --kill-after=1m "$PROJECT_TIMEOUT" \
        dotnet test "$project" \
            -c "$CONFIGURATION" \
            --no-build \
            --results-directory "$project_results" \
            --logger "trx;LogFileName=$name.trx" \
            --blame-hang-timeout "$HANG_TIMEOUT" \
            --blame-hang-dump-type none \
            "$@"
    exit_code=$?

    # Why this project's run broke, if it did; a broken run counts as one failed test.
    broken=""
    if [ "$exit_code" -eq 124 ] || [ "$exit_code" -eq 137 ]; then
        broken="did not finish within $PROJECT_TIMEOUT and was stopped"
    fi

    trx_files=()
    if [ -d "$project_results" ]; then
        while IFS= read -r file; do
            trx_files+=("$file")
        done < <(find "$project_results" -name '*.trx' -type f | sort)
    fi

    project_failed=0
    if [ "${#trx_files[@]}" -eq 0 ]; then
        broken="${broken:-produced no TRX result file (dotnet test exit code $exit_code)}"
    fi
    for trx in "${trx_files[@]}"; do
        counters=$(tr '\r\n' '  ' < "$trx" | grep -o '<Counters [^>]*>' | head -n 1)
        if [ -z "$counters" ]; then
            broken="${broken:-$trx has no <Counters> element}"
            continue
        fi
        total=$(counter "$counters" total)
        executed=$(counter "$counters" executed)
        trx_failed=$(( $(counter "$counters" failed) + $(counter "$counters" error) \
            + $(counter "$counters" timeout) + $(counter "$counters" aborted) ))
        passed=$(( passed + $(counter "$counters" passed) ))
        failed=$(( failed + trx_failed ))
        # Skipped tests are counted in total but not in executed.
        if [ "$total" -gt "$executed" ]; then
            skipped=$(( skipped + total - executed ))
        fi
        project_failed=$(( project_failed + trx_failed ))
    done

    # A non-zero exit with no failed test means the run itself broke: the test host crashed or
    # was stopped by the hang guard (the test that was running is named in the output above).
    if [ -z "$broken" ] && [ "$exit_code" -ne 0 ] && [ "$project_failed" -eq 0 ]; then
        broken="test run aborted (test host crashed or a test hung; dotnet test exit code $exit_code)"
    fi

    if [ -n "$broken" ]; then
        echo "error: $name: $broken; counted as one failed test." >&2
        broken_projects+=("$name: $broken")
        failed=$(( failed + 1 ))
    fi
done

echo
if [ "${#broken_projects[@]}" -gt 0 ]; then
    echo "Test projects that did not run cleanly:" >&2
    for broken in "${broken_projects[@]}"; do
        echo "  - $broken" >&2
    done
fi
echo "Test results (TRX): $RESULTS_DIR"
print_summary

if [ "$failed" -gt 0 ] || [ "${#broken_projects[@]}" -gt 0 ]; then
    exit 1
fi
exit 0
