#!/usr/bin/python3
"""Trains the two sample models on data sets bundled with scikit-learn and writes them as MLflow model
directories (onnx flavor) under models/repository/, with reference inputs and the PyTorch outputs.

Run with Debian's interpreter: /usr/bin/python3 models/train.py  (python3-torch, python3-onnx, python3-sklearn).
Deterministic: fixed seeds, single thread. The outputs are committed so builds need no Python.
"""
import hashlib
import json
import os
import sys

import numpy as np
import onnx
import torch
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.model_selection import train_test_split
from torch import nn

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.join(ROOT, "repository")
OPSET = 17
REFERENCE_ROWS = 16

torch.manual_seed(7)
np.random.seed(7)
torch.set_num_threads(1)


class BreastCancerMlp(nn.Module):
    """30 → 64 → 32 → 1 with the training set's standardisation folded in as constant buffers,
    so clients send the raw measurements exactly as the data set has them."""

    def __init__(self, mean, scale):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("scale", torch.tensor(scale, dtype=torch.float32))
        self.net = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return torch.sigmoid(self.net((x - self.mean) / self.scale))


class DigitsCnn(nn.Module):
    """8×8 grey images (values 0..16 as in the data set) → 10 class probabilities."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2), nn.Flatten())
        self.head = nn.Sequential(nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return torch.softmax(self.head(self.features(x / 16.0)), dim=1)


def train(model, x, y, loss_fn, epochs, lr=1e-3, batch=32):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    n = x.shape[0]
    for _ in range(epochs):
        perm = torch.randperm(n)
        model.train()
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
    model.eval()


def export(model, example, input_name, output_name, path):
    torch.onnx.export(model, example, path, opset_version=OPSET, input_names=[input_name],
                      output_names=[output_name],
                      dynamic_axes={input_name: {0: "batch"}, output_name: {0: "batch"}})
    onnx.checker.check_model(onnx.load(path))


def mlmodel(input_name, input_shape, output_name, output_shape, description):
    """The MLmodel file as mlflow.onnx.save_model writes it (mlflow 2.x), with tensor-based signature."""
    def spec(name, shape):
        return json.dumps([{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": shape}, "name": name}])
    return (
        "artifact_path: model\n"
        "flavors:\n"
        "  onnx:\n"
        "    code: null\n"
        "    data: model.onnx\n"
        "    onnx_version: " + onnx.__version__ + "\n"
        "    providers:\n"
        "    - CPUExecutionProvider\n"
        "    onnx_session_options:\n"
        "      intra_op_num_threads: 1\n"
        "      inter_op_num_threads: 1\n"
        "      execution_mode: sequential\n"
        "      graph_optimization_level: 99\n"
        "  python_function:\n"
        "    data: model.onnx\n"
        "    env:\n"
        "      conda: conda.yaml\n"
        "      virtualenv: python_env.yaml\n"
        "    loader_module: mlflow.onnx\n"
        "    python_version: " + ".".join(map(str, sys.version_info[:3])) + "\n"
        "mlflow_version: 2.17.2\n"
        "model_size_bytes: {size}\n"
        "model_uuid: {uuid}\n"
        "run_id: null\n"
        "signature:\n"
        "  inputs: '" + spec(input_name, input_shape) + "'\n"
        "  outputs: '" + spec(output_name, output_shape) + "'\n"
        "  params: null\n"
        "utc_time_created: '2026-11-25 00:00:00.000000'\n"
        "metadata:\n"
        "  description: " + json.dumps(description) + "\n"
    )


def write_version(name, version, model, example, input_name, input_shape, output_name, output_shape,
                  ref_x, description, feature_names=None):
    d = os.path.join(REPO, name, str(version))
    os.makedirs(d, exist_ok=True)
    onnx_path = os.path.join(d, "model.onnx")
    export(model, example, input_name, output_name, onnx_path)
    with open(onnx_path, "rb") as f:
        blob = f.read()
    text = mlmodel(input_name, input_shape, output_name, output_shape, description)
    text = text.replace("{size}", str(len(blob))).replace("{uuid}", hashlib.sha256(blob).hexdigest()[:32])
    with open(os.path.join(d, "MLmodel"), "w") as f:
        f.write(text)
    with torch.no_grad():
        ref_y = model(torch.tensor(ref_x, dtype=torch.float32)).numpy()
    reference = {
        "input": input_name, "input_shape": list(ref_x.shape), "inputs": ref_x.astype(np.float32).tolist(),
        "output": output_name, "output_shape": list(ref_y.shape), "outputs": ref_y.astype(np.float64).tolist(),
    }
    if feature_names is not None:
        reference["columns"] = list(feature_names)
    with open(os.path.join(d, "reference.json"), "w") as f:
        json.dump(reference, f)


def breast_cancer():
    data = load_breast_cancer()
    x_train, x_test, y_train, y_test = train_test_split(
        data.data.astype(np.float32), data.target.astype(np.float32), test_size=0.25, random_state=7,
        stratify=data.target)
    model = BreastCancerMlp(x_train.mean(axis=0), x_train.std(axis=0))
    train(model, torch.tensor(x_train), torch.tensor(y_train).unsqueeze(1), nn.BCELoss(), epochs=60)
    with torch.no_grad():
        acc = ((model(torch.tensor(x_test)).squeeze(1) > 0.5).float() == torch.tensor(y_test)).float().mean()
    print(f"breast-cancer test accuracy {acc:.3f}")
    write_version("breast-cancer", 1, model, torch.zeros(1, 30), "input", [-1, 30], "probability", [-1, 1],
                  x_test[:REFERENCE_ROWS], "P(benign) from 30 raw breast-cancer measurements "
                  "(standardisation inside the model)", feature_names=[n.replace(" ", "_") for n in data.feature_names])


def digits():
    data = load_digits()
    x = data.images.astype(np.float32)[:, None, :, :]
    x_train, x_test, y_train, y_test = train_test_split(x, data.target, test_size=0.25, random_state=7,
                                                        stratify=data.target)
    model = DigitsCnn()
    nll = nn.NLLLoss()
    train(model, torch.tensor(x_train), torch.tensor(y_train),
          lambda p, y: nll(torch.log(p + 1e-9), y), epochs=25)
    with torch.no_grad():
        acc = (model(torch.tensor(x_test)).argmax(1) == torch.tensor(y_test)).float().mean()
    print(f"digits test accuracy {acc:.3f}")
    write_version("digits", 1, model, torch.zeros(1, 1, 8, 8), "image", [-1, 1, 8, 8], "probabilities", [-1, 10],
                  x_test[:REFERENCE_ROWS], "class probabilities for 8x8 digit images, pixel values 0..16")


if __name__ == "__main__":
    breast_cancer()
    digits()
