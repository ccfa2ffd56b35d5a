"""Writes llmc_written.bin the way llm.c's dev/data/data_common.py (write_datafile, GPT-2 version) does:
a 256 x int32 header (magic 20240520, version 1, token count), then the tokens as uint16. Our test reads it.
Regenerate with: python3 make_llmc_shard.py (needs numpy; the committed .bin keeps the tests free of Python).
"""
import numpy as np

tokens = np.array([50256, 40, 367, 2885, 1464, 1807, 3619, 402, 271, 65535, 0, 1], dtype=np.uint16)
header = np.zeros(256, dtype=np.int32)
header[0] = 20240520
header[1] = 1
header[2] = len(tokens)
with open("llmc_written.bin", "wb") as f:
    f.write(header.tobytes())
    f.write(tokens.tobytes())
