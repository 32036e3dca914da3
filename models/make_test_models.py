#!/usr/bin/python3
"""Writes the small hand-built ONNX models the Java tests need besides the two trained samples
(into java/src/test/resources/models/). Run with /usr/bin/python3; the outputs are committed.

- identity-all-types: one Identity per tensor type ONNX Runtime Java can carry, batch axis dynamic.
- gather: y = table[idx]; an out-of-range index makes ONNX Runtime fail at run time (the model-error path).
- two-columns: sum = a + b over two 1-D inputs, for MLflow "one input per DataFrame column".
- constant-half: the breast-cancer signature (input [batch, 30] → probability [batch, 1]) answering 0.5 for every
  row, so tests can tell which version of a model answered from the output alone.
- doubled-rows: declares y [batch] but answers x twice over (2 × batch rows): a model whose outputs are not the
  shape it declares, which the runtime must still serve (it cannot write such outputs into buffers sized in advance).
"""
import os

import onnx
from onnx import TensorProto, helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "java", "src", "test", "resources", "models")
OPSET = [helper.make_opsetid("", 17)]

TYPES = {
    "fp32": TensorProto.FLOAT, "fp64": TensorProto.DOUBLE, "fp16": TensorProto.FLOAT16,
    "bf16": TensorProto.BFLOAT16, "int8": TensorProto.INT8, "uint8": TensorProto.UINT8,
    "int16": TensorProto.INT16, "int32": TensorProto.INT32, "int64": TensorProto.INT64,
    "bool": TensorProto.BOOL, "bytes": TensorProto.STRING,
}


def save(model, name):
    onnx.checker.check_model(model)
    os.makedirs(os.path.join(OUT, name), exist_ok=True)
    onnx.save(model, os.path.join(OUT, name, "model.onnx"))


def identity_all_types():
    inputs, outputs, nodes = [], [], []
    for suffix, t in TYPES.items():
        inputs.append(helper.make_tensor_value_info("in_" + suffix, t, ["batch", 2]))
        outputs.append(helper.make_tensor_value_info("out_" + suffix, t, ["batch", 2]))
        nodes.append(helper.make_node("Identity", ["in_" + suffix], ["out_" + suffix]))
    graph = helper.make_graph(nodes, "identity_all_types", inputs, outputs)
    save(helper.make_model(graph, opset_imports=OPSET), "identity-all-types")


def gather():
    table = helper.make_tensor("table", TensorProto.FLOAT, [3], [10.0, 20.0, 30.0])
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "idx"], ["y"], axis=0)], "gather",
        [helper.make_tensor_value_info("idx", TensorProto.INT64, ["batch"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch"])], initializer=[table])
    save(helper.make_model(graph, opset_imports=OPSET), "gather")


def two_columns():
    graph = helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["sum"])], "two_columns",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, ["batch"]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, ["batch"])],
        [helper.make_tensor_value_info("sum", TensorProto.FLOAT, ["batch"])])
    save(helper.make_model(graph, opset_imports=OPSET), "two-columns")


def constant_half():
    zeros = helper.make_tensor("w", TensorProto.FLOAT, [30, 1], [0.0] * 30)
    half = helper.make_tensor("half", TensorProto.FLOAT, [1], [0.5])
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["input", "w"], ["xw"]), helper.make_node("Add", ["xw", "half"], ["probability"])],
        "constant_half",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 30])],
        [helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["batch", 1])], initializer=[zeros, half])
    save(helper.make_model(graph, opset_imports=OPSET), "constant-half")


def doubled_rows():
    graph = helper.make_graph(
        [helper.make_node("Concat", ["x", "x"], ["y"], axis=0)], "doubled_rows",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch"])])
    save(helper.make_model(graph, opset_imports=OPSET), "doubled-rows")


if __name__ == "__main__":
    constant_half()
    doubled_rows()
    identity_all_types()
    gather()
    two_columns()
