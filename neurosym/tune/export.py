"""Writing a trained LoRA adapter as a GGUF adapter file that llama.cpp loads.

llama.cpp reads an adapter as a GGUF file of ``general.type = "adapter"`` for the base
model's architecture, with ``adapter.type = "lora"``, ``adapter.lora.alpha``, and for
each adapted weight ``W`` (stored as ``out x in``) a pair ``<name>.lora_a`` of shape
``rank x in`` and ``<name>.lora_b`` of shape ``out x rank``: the orientation peft's
``lora_A`` and ``lora_B`` already have. Names follow llama.cpp's tensor names
(``blk.3.attn_q.weight``). llama.cpp stores a llama model's query and key rows in
another order than transformers does (it interleaves each head's rotary halves), so
those two ``lora_b`` matrices are permuted the same way the weights were.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import AdapterError
from ..model import read_header

__all__ = ["write_adapter", "GGUF_NAMES"]

#: transformers' projection name -> llama.cpp's tensor name within a block.
GGUF_NAMES: dict[str, str] = {
    "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}

_LORA_KEY = re.compile(r"(?:.*\.)?layers\.(\d+)\.(\w+\.\w+)\.lora_([AB])\.weight$")


def _rotary_order(matrix: Any, heads: int) -> Any:
    """Rows reordered from transformers' layout to llama.cpp's for one projection."""
    rows = matrix.shape[0]
    return (matrix.reshape(heads, 2, rows // heads // 2, *matrix.shape[1:])
            .swapaxes(1, 2).reshape(matrix.shape))


def write_adapter(net: Any, base_gguf: Path, out: Path, *, name: str = "neurosym planner",
                  dtype: str = "f16") -> Path:
    """Write the adapter of ``net`` (a peft model) for ``base_gguf`` to ``out``."""
    import gguf
    import numpy as np
    from peft import get_peft_model_state_dict
    header = read_header(base_gguf)
    if header is None:
        raise AdapterError(f"{base_gguf.name} is not a GGUF file", hint="pass the base model")
    arch = header.text("general.architecture") or ""
    heads = header.metadata.get(f"{arch}.attention.head_count")
    kv_heads = header.metadata.get(f"{arch}.attention.head_count_kv", heads)
    permute = arch == "llama"
    config = next(iter(net.peft_config.values()))
    pairs: dict[str, dict[str, Any]] = {}
    for key, tensor in get_peft_model_state_dict(net, save_embedding_layers=False).items():
        match = _LORA_KEY.match(key)
        if match is None or match.group(2) not in GGUF_NAMES:
            raise AdapterError(f"the adapter holds {key}, which has no llama.cpp tensor name",
                               hint="train the projections of llama-style blocks only")
        layer, projection, part = match.groups()
        matrix = tensor.detach().float().cpu().numpy()
        if permute and part == "B" and projection == "self_attn.q_proj":
            matrix = _rotary_order(matrix, int(heads))
        elif permute and part == "B" and projection == "self_attn.k_proj":
            matrix = _rotary_order(matrix, int(kv_heads))
        stem = f"blk.{layer}.{GGUF_NAMES[projection]}.weight"
        pairs.setdefault(stem, {})["lora_" + part.lower()] = matrix
    for stem, pair in pairs.items():
        if stem not in header.tensors:
            raise AdapterError(f"{base_gguf.name} has no tensor {stem} to adapt",
                               hint="train the adapter on this same model file")
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp")
    writer = gguf.GGUFWriter(str(temporary), arch)
    writer.add_string("general.type", "adapter")
    writer.add_string("general.name", name)
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(config.lora_alpha))
    cast = np.float16 if dtype == "f16" else np.float32
    for stem in sorted(pairs, key=_natural):
        for part in ("lora_a", "lora_b"):
            writer.add_tensor(f"{stem}.{part}", np.ascontiguousarray(pairs[stem][part], dtype=cast))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    temporary.replace(out)
    return out


def _natural(stem: str) -> tuple[int, str]:
    parts = stem.split(".")
    return int(parts[1]), parts[2]
