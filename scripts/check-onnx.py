#!/usr/bin/env python3
"""Runs the ONNX checker (full_check: also shape inference) on exported models and prints what each declares.

By hand, not in the test path (docs/onnx.md). Needs the onnx Python package, e.g. Debian's python3-onnx:
    apt-get install python3-onnx
    /usr/bin/python3 scripts/check-onnx.py models/*.onnx
Exit 0 when every file passes, 1 otherwise.
"""
import sys

import onnx


def describe(value):
    dims = [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]
    return f"{value.name}{dims}"


def main(paths):
    if not paths:
        print(__doc__)
        return 2
    failed = 0
    for path in paths:
        try:
            model = onnx.load(path)
            onnx.checker.check_model(model, full_check=True)
        except Exception as e:  # the checker's own exception types differ between versions
            print(f"FAIL {path}: {e}")
            failed += 1
            continue
        opset = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in model.opset_import)
        meta = {p.key: p.value for p in model.metadata_props}
        ops = sorted({n.op_type for n in model.graph.node})
        print(f"ok   {path}: IR {model.ir_version}, opset {opset}, "
              f"{' '.join(map(describe, model.graph.input))} -> {' '.join(map(describe, model.graph.output))}, "
              f"{len(model.graph.node)} nodes ({', '.join(ops)}), group {meta.get('gmcodegen.group', '?')!r}, "
              f"radius {meta.get('radius', '?')}, version {meta.get('gmcodegen.version', '?')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
