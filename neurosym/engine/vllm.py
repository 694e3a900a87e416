"""Plans written on a vLLM server: the same pieces, with Lark grammars in structured outputs.

vLLM's OpenAI-compatible ``/v1/completions`` takes a grammar per request as
``structured_outputs: {"grammar": ...}`` (the ``guided_*`` fields it replaced were removed
in v0.12); with the guidance backend (``vllm serve ... --structured-outputs-config.backend
guidance``) the grammar is Lark as llguidance reads it, which is what
:meth:`~neurosym.engine.pieces.Rules.to_lark` writes. ``logprobs: 1`` returns each written
token's log-probability in ``choices[0].logprobs.token_logprobs``, the same shape as the
llama.cpp servers, and vLLM's automatic prefix caching makes the shared prompt free after
the first piece.

This engine is written against vLLM's documented request and response shapes; with no
GPU here it is tested against a recorded exchange (``tests/engine/data/vllm_exchange.json``),
not a running vLLM.
"""

from __future__ import annotations

from typing import Any

from .remote import GrammarKind, RemoteEngine

__all__ = ["VLLMEngine"]


class VLLMEngine(RemoteEngine):
    """A vLLM server (``vllm serve MODEL``): pieces go to ``/v1/completions`` with a Lark
    grammar in ``structured_outputs``. ``model`` is the served model's name (None: the
    first that ``/v1/models`` lists). vLLM renders no chat for completions, so pass the
    model's chat ``template`` (or ``template_model``, a GGUF file with the same template).
    """

    grammar_kind: GrammarKind = "lark"

    def body(self, prompt: str, grammar: str, max_tokens: int) -> dict[str, Any]:
        return {"model": self.served_model(), "prompt": prompt, "max_tokens": max_tokens,
                "temperature": 0.0, "top_p": 1.0, "logprobs": 1, "seed": 0,
                "structured_outputs": {"grammar": grammar}}

    def served_model(self) -> str:
        """The model the requests name: as given, or the first the server lists."""
        if self.model is None:
            from ..errors import EngineError
            listing = self.get("/v1/models")
            try:
                self.model = str(listing["data"][0]["id"])
            except (KeyError, IndexError, TypeError):
                raise EngineError(f"{self.url}/v1/models lists no model: {str(listing)[:120]}",
                                  engine=self.url,
                                  hint="pass model= with the name vLLM serves") from None
        return self.model

    def get(self, path: str) -> Any:
        """GET ``path`` as JSON, with the same timeout as the pieces."""
        import json
        import urllib.error
        import urllib.request

        from ..errors import EngineError
        try:
            with urllib.request.urlopen(self.url + path, timeout=self.timeout) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError) as err:
            raise EngineError(f"cannot read {self.url}{path}: {err}", engine=self.url,
                              hint="check that vLLM is running, or pass model=") from None
