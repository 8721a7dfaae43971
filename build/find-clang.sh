#!/bin/sh
# Prints the C compiler that links the NativeAOT worker (build/WorkerAot.targets): "clang" when it
# is on PATH, else the newest versioned clang-NN on PATH (Debian's clang-14 package alone installs
# only /usr/bin/clang-14). Prints nothing when there is none. Shell built-ins only.
if command -v clang > /dev/null 2>&1; then
    echo clang
    exit 0
fi

best=
best_version=-1
IFS=:
for dir in $PATH; do
    for path in "$dir"/clang-[0-9]*; do
        version=${path##*/clang-}
        case $version in
            *[!0-9]*) continue ;; # clang-14.py and the like
        esac
        if [ -x "$path" ] && [ "$version" -gt "$best_version" ]; then
            best=${path##*/}
            best_version=$version
        fi
    done
done

if [ -n "$best" ]; then
    echo "$best"
fi
exit 0
