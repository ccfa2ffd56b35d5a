"""A narrow GPT-2 with GPT-2's full vocabulary (50,257 tokens, width 8, 2 heads, 1 layer, context 64), written by
PyTorch in Hugging Face's layout, so that the chapter 6 tests can fine-tune from "OpenAI-style" files: the spam data
is GPT-2 ids, which the 97-token fixtures of chapter 5 cannot read.

    python3 finetuning/src/test/python/make_gpt2_fullvocab_fixture.py    # needs torch; the Java tests never need Python
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "gpt", "src", "test", "python"))
import make_gpt2_fixtures as fx  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "llm", "classification", "tiny-gpt2-50257")

fx.VOCAB, fx.CONTEXT, fx.DIM, fx.HEADS, fx.LAYERS = 50257, 64, 8, 2, 1
torch.manual_seed(2025)
model = fx.GPTModel().eval()
os.makedirs(OUT, exist_ok=True)
fx.write_safetensors(os.path.join(OUT, "model.safetensors"), fx.hf_state(model))
with open(os.path.join(OUT, "config.json"), "w") as f:
    json.dump({"model_type": "gpt2", "vocab_size": fx.VOCAB, "n_positions": fx.CONTEXT, "n_ctx": fx.CONTEXT, "n_embd": fx.DIM,
               "n_head": fx.HEADS, "n_layer": fx.LAYERS, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new",
               "tie_word_embeddings": True}, f, indent=2)
print("wrote", os.path.normpath(OUT))
