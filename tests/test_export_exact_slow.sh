#!/bin/sh
# The exported C header bit for bit against `acrl act` where the summation order is the same:
# builds acrl with its plain-C kernels only (-DACRL_XSMM=OFF -DACRL_NATIVE=OFF, no MuJoCo)
# into BUILD/export-ref (incremental after the first time, ~30 s) and runs test_export.sh
# with it, which then requires identical actions (its ONNX part skipped).
# Usage: sh tests/test_export_exact_slow.sh /path/to/acrl
ACRL=${1:?usage: test_export_exact_slow.sh /path/to/acrl}
HERE=$(cd "$(dirname "$0")" && pwd)
REF=$(cd "$(dirname "$ACRL")" && pwd)/export-ref
cmake -S "$HERE/.." -B "$REF" -DCMAKE_BUILD_TYPE=Release -DACRL_XSMM=OFF -DACRL_NATIVE=OFF -DACRL_MUJOCO=OFF \
    -DBUILD_TESTING=OFF >"$REF.log" 2>&1 &&
    cmake --build "$REF" --target acrl -j 2 >>"$REF.log" 2>&1 || { tail -n 20 "$REF.log"; echo "FAIL: plain-C build"; exit 1; }
# ONNX export does not depend on the kernels: test_export checks it (ACRL_EXPORT_ONNX=0 here)
ACRL_EXPORT_ONNX=0 exec sh "$HERE/test_export.sh" "$REF/acrl"
