"""Applies adapters exported by PeftExport to a GPT-2 in PyTorch by PEFT's LoRA rule and compares the logits with the
ones this project computed (the Java tests never need Python).

    mvn -B -q test -pl finetuning -Dtest=PeftExportTest -Dllm.peftCheckDir=/tmp/peft-check
    python3 finetuning/src/test/python/check_peft_export.py /tmp/peft-check     # needs torch

PEFT's rule for GPT-2's Conv1D layers (fan_in_fan_out = true), per target module: W (in, out) += (B @ A)^T * scaling,
with A = lora_A.weight (r, in), B = lora_B.weight (out, r) and scaling = lora_alpha / r, where rank_pattern and
alpha_pattern override r and lora_alpha for the modules they name. PeftModel.from_pretrained(...).merge_and_unload()
computes exactly this; the PEFT library itself is not installed here, so the rule is applied by hand.
"""
import json
import os
import re
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "gpt", "src", "test", "python"))
import make_gpt2_fixtures as fx  # noqa: E402


def main(folder):
    with open(f"{folder}/expected.json") as f:
        expected = json.load(f)
    with open(f"{folder}/peft/adapter_config.json") as f:
        config = json.load(f)
    hf = fx.read_safetensors(f"{folder}/base/model.safetensors")
    adapters = fx.read_safetensors(f"{folder}/peft/adapter_model.safetensors")
    for key in adapters:
        m = re.fullmatch(r"base_model\.model\.transformer\.(h\.\d+\.(?:attn|mlp)\.(c_attn|c_proj|c_fc))\.lora_A\.weight", key)
        if not m:
            continue
        module, short = m.group(1), m.group(2)
        a, b = adapters[key], adapters[key.replace("lora_A", "lora_B")]
        r = config["rank_pattern"].get(short, config["r"])
        alpha = config["alpha_pattern"].get(short, config["lora_alpha"])
        hf[module + ".weight"] = hf[module + ".weight"] + (b @ a).T * (alpha / r)
    fx.CONTEXT = json.load(open(f"{folder}/base/config.json"))["n_positions"]
    model = fx.GPTModel().eval()
    state = fx.book_state_from_hf(hf)
    state.update({k: v for k, v in model.state_dict().items() if k.endswith("att.mask")})
    model.load_state_dict(state)
    with torch.no_grad():
        logits = model(torch.tensor([expected["ids"]])).flatten()
    diff = (logits - torch.tensor(expected["logits"])).abs().max().item()
    print(f"max |logit difference| between this project's adapted model and GPT-2 with the exported PEFT adapters merged: {diff:.2e}")
    sys.exit(0 if diff < 1e-4 else 1)


if __name__ == "__main__":
    main(sys.argv[1])
