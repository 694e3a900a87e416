"""One decode: the token loop with masks, checkpoints, hooks and rollbacks.

Per token: the grammar masks for the next position are computed in a worker thread
while llama.cpp evaluates the tokens just chosen (both release the GIL); the masks are
applied to the last row of logits only; tokens the grammar forces are taken from the
matcher and evaluated in one batch. Text goes through the tracker, whose boundaries
become checkpoints and are put to the hooks.

Why one module: ``DecodeRun`` is the token loop; masks, checkpoints, hooks and rollback
interleave at every token and share its state.
"""

from __future__ import annotations

import bisect
import codecs
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import BudgetExceeded, DecodeError
from ..plan.ast import Step, Terminal
from .boundary import Boundary
from .budget import Budgets
from .checkpoint import Checkpoint
from .events import (CallEvent, CheckpointEvent, ConstraintEvent, DecisionEvent, Event,
                     RollbackEvent, TokenEvent, ValueEvent)
from .hooks import DecodeHooks, Reject
from ._masks import TokenPrefixIndex, ValueMatchers, bit_is_set, blocked_completions, unpack_mask
from .sampling import Sampling
from .tracker import PlanTracker

if TYPE_CHECKING:
    from ..model.llama import Model

__all__ = ["DecodeRun", "mask_executor"]

_EXECUTOR: ThreadPoolExecutor | None = None


#: Bytes that open a value: a string, a list, a dict, an argument list.
_OPENINGS = (b'"', b"[", b"{", b"(")


def mask_executor() -> ThreadPoolExecutor:
    """The worker thread that computes grammar masks while llama.cpp evaluates."""
    global _EXECUTOR
    if _EXECUTOR is None:
        _EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="neurosym-mask")
    return _EXECUTOR


@dataclass
class _Guard:
    """A value grammar narrowing the value that starts at ``offset``."""

    offset: int
    path: tuple[Any, ...]
    grammar: str
    matcher: Any
    mask: np.ndarray
    line: bool                        # a step's line, not a value
    checkpoint: int                   # id of the checkpoint of the boundary that set it


@dataclass(frozen=True)
class _Request:
    target: Checkpoint
    block: str | None
    reason: str
    guard: tuple[int, tuple[Any, ...], str, bool] | None = None   # to hold from the target on


class DecodeRun:
    """The state of one decode; also the read-only view hooks receive (``DecodeState``)."""

    def __init__(self, *, model: Model, matcher: Any, value_matchers: ValueMatchers | None,
                 prompt: Sequence[int], hooks: DecodeHooks, sampling: Sampling,
                 budgets: Budgets, on_event: Callable[[Event], None] | None,
                 overlap: bool, track: bool, record: bool, ignore_eos: bool = False,
                 fast_forward: bool = True) -> None:
        self.model = model
        self.matcher = matcher
        self.value_matchers = value_matchers
        self.prompt = list(prompt)
        self.hooks = hooks
        self.sampling = sampling
        self.budgets = budgets
        self.on_event = on_event
        self.overlap = overlap
        self.fast_forward = fast_forward
        self.track = track and matcher is not None
        self.record = record
        self.rng = np.random.default_rng(sampling.seed)
        self.eos = frozenset() if ignore_eos else model.eos
        self._free_banned = sorted(model.eos) if ignore_eos else []
        self.n_vocab = model.n_vocab
        self.token_bytes = model.token_bytes
        words = (model.n_vocab + 31) // 32
        self.plan_mask = np.zeros(words, dtype=np.int32)
        self._words = words
        # the plan written so far
        self.gen: list[int] = []
        self.starts: list[int] = []       # byte offset where each generated token starts
        self.marks: list[int] = []        # next checkpoint id when each token was appended
        self.chosen: list[bool] = []      # whether each token was sampled (not forced)
        self.data = bytearray()
        self._text = ""
        self._ascii = True
        self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")
        self._last_text = ""
        self.tracker = PlanTracker()
        # the search
        self._checkpoints: list[Checkpoint] = []
        self._next_id = 0
        self._current: Checkpoint | None = None
        self._blocked: dict[tuple[str, int], set[str]] = {}
        self.guards: list[_Guard] = []
        self._finish_from = -1            # first checkpoint id reported by the last finish()
        self.kv_ok = 0
        # accounting
        self.t0 = time.perf_counter()
        self.events: list[Event] = []
        self.n_rollbacks = 0
        self.sampled = 0
        self.forced = 0
        self.evaluated = 0                # tokens evaluated after the prompt
        self.mask_times: list[float] = []
        self.mask_wait = 0.0
        self.hook_time = 0.0
        self.prompt_time = 0.0
        self.reused = 0
        self.stop = ""

    # -- DecodeState -----------------------------------------------------------------
    @property
    def text(self) -> str:
        return self._text

    @property
    def checkpoint(self) -> Checkpoint | None:
        return self._current

    @property
    def checkpoints(self) -> tuple[Checkpoint, ...]:
        return tuple(self._checkpoints)

    @property
    def steps(self) -> tuple[Step | Terminal, ...]:
        return tuple(self.tracker.steps)

    @property
    def n_tokens(self) -> int:
        return len(self.gen)

    @property
    def rollbacks(self) -> int:
        return self.n_rollbacks

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def blocked(self, checkpoint: Checkpoint) -> frozenset[str]:
        return frozenset(self._blocked.get((checkpoint.kind, checkpoint.offset), ()))

    # -- the loop --------------------------------------------------------------------
    def run(self) -> None:
        start = time.perf_counter()
        evaluated = self.model.sync(self.prompt)
        self.reused = len(self.prompt) - evaluated
        self.prompt_time = time.perf_counter() - start
        self.kv_ok = 0
        if self.matcher is not None:
            self.matcher.reset()
        if self.track:
            self._settle(self._report(self.tracker.start()))
        while True:
            self._check_budgets()
            if self.matcher is not None and self.matcher.is_stopped():
                if self._blocked.get(("plan_end", len(self._text))):
                    self._dead_end()      # the grammar can only end, and ending was rejected
                elif self._finish("grammar"):
                    return
                continue
            self._prepare()
            token = self._choose(self.model.logits())
            if token is None:
                self._dead_end()
                continue
            if token in self.eos:
                if self._finish("eos"):
                    return
                continue
            self._commit(token)

    def _prepare(self) -> None:
        """Masks for the next token (in the worker) while the KV cache catches up."""
        if self.matcher is None:
            self._sync_kv()
            return
        if self.overlap:
            future: Future[float] = mask_executor().submit(self._compute_masks)
            try:
                self._sync_kv()
            finally:
                # The matchers are the worker's until it is done, even when evaluation failed.
                waited = time.perf_counter()
                self.mask_times.append(future.result())
                self.mask_wait += time.perf_counter() - waited
        else:
            self.mask_times.append(self._compute_masks())
            self._sync_kv()

    def _compute_masks(self) -> float:
        start = time.perf_counter()
        self.matcher.unsafe_compute_mask_ptr(self.plan_mask.ctypes.data, self.plan_mask.nbytes)
        for guard in self.guards:
            guard.matcher.unsafe_compute_mask_ptr(guard.mask.ctypes.data, guard.mask.nbytes)
        return time.perf_counter() - start

    def _sync_kv(self) -> None:
        model = self.model
        base = len(self.prompt)
        model.truncate(base + self.kv_ok)
        if self.kv_ok < len(self.gen):
            model.eval(self.gen[self.kv_ok:])
            self.evaluated += len(self.gen) - self.kv_ok
        elif not model.has_logits:
            whole = self.prompt + self.gen
            model.truncate(len(whole) - 1)
            model.eval(whole[-1:])
            self.evaluated += 1
        self.kv_ok = len(self.gen)

    def _check_budgets(self) -> None:
        budgets = self.budgets
        if len(self.gen) >= budgets.max_tokens:
            if self.matcher is None:
                self.stop = "length"
                raise _Stop
            raise BudgetExceeded(
                f"the plan reached max_tokens={budgets.max_tokens} without ending: "
                f"{_tail(self._text)}", budget="max_tokens", limit=budgets.max_tokens,
                hint="raise max_tokens, or ask for fewer steps")
        if self.sampled >= budgets.total_tokens:
            raise BudgetExceeded(
                f"{self.sampled} tokens sampled (rollbacks included) without a plan",
                budget="max_total_tokens", limit=budgets.total_tokens,
                hint="loosen the constraints or raise the token budget")
        if self.elapsed > budgets.max_seconds:
            raise BudgetExceeded(f"decoding took longer than {budgets.max_seconds} s",
                                 budget="max_seconds", limit=budgets.max_seconds,
                                 hint="raise max_seconds, or use fewer tools and constraints")

    # -- choosing a token ------------------------------------------------------------
    def _choose(self, logits: np.ndarray) -> int | None:
        sampling = self.sampling
        if self.matcher is None:
            if self._free_banned:
                logits = logits.copy()
                logits[self._free_banned] = -np.inf
            if sampling.greedy:
                return int(logits.argmax())
            return self._sample(logits, np.ones(self.n_vocab, dtype=bool))
        banned = self._banned()
        guards = self.guards
        if sampling.greedy:
            token = int(logits.argmax())
            if (bit_is_set(self.plan_mask, token) and token not in banned
                    and all(bit_is_set(g.mask, token) for g in guards)):
                return token
        mask = self.plan_mask
        for guard in guards:
            mask = mask & guard.mask
        allowed = unpack_mask(mask, self.n_vocab)
        if banned:
            allowed[list(banned)] = False
        if not allowed.any():
            return None
        if sampling.greedy:
            token = int(np.where(allowed, logits, -np.inf).argmax())
        else:
            token = self._sample(logits, allowed)
            if allowed[int(logits.argmax())]:
                return token
        return self._opening_alone(token, allowed)

    def _opening_alone(self, token: int, allowed: np.ndarray) -> int:
        """An opening quote or bracket glued to more text, chosen after the model's own
        first choice was masked out, is written alone.

        The model did not mean to open a value here (it wanted, say, a bare word where a
        string must be quoted), so the text glued to the opening is not its choice either:
        ``",`` for a string the model meant to write bare is a comma only because commas
        follow quotes in JSON. Written alone, the opening is in the context when the model
        chooses what the value holds.
        """
        data = self.token_bytes[token]
        if len(data) < 2 or data[:1] not in _OPENINGS:
            return token
        alone = self._prefix_index.token_of(data[:1])
        if alone is not None and allowed[alone]:
            return alone
        return token

    @property
    def _prefix_index(self) -> TokenPrefixIndex:
        """The vocabulary by bytes, built once per model."""
        index: TokenPrefixIndex = self.model.memo(
            "token_prefix_index", lambda: TokenPrefixIndex(self.token_bytes))
        return index

    def _sample(self, logits: np.ndarray, allowed: np.ndarray) -> int:
        ids = np.flatnonzero(allowed)
        scaled = logits[ids].astype(np.float64) / self.sampling.temperature
        scaled -= scaled.max()
        probs = np.exp(scaled)
        probs /= probs.sum()
        if self.sampling.top_p < 1.0:
            order = np.argsort(-probs)
            cumulative = np.cumsum(probs[order])
            keep = order[: int(np.searchsorted(cumulative, self.sampling.top_p)) + 1]
            ids, probs = ids[keep], probs[keep] / probs[keep].sum()
        return int(ids[self.rng.choice(len(ids), p=probs)])

    def _active_blocks(self) -> list[tuple[str, int, set[str]]]:
        """Blocked texts that bear on the next token: their unit is open here."""
        if not self._blocked:
            return []
        here = len(self._text)
        open_values: set[int] | None = None
        active = []
        for (kind, offset), texts in self._blocked.items():
            if offset > here:
                continue
            if kind == "value_start":
                if open_values is None:
                    open_values = {o for o, _ in self.tracker.open_values()}
                if offset not in open_values:
                    continue
            elif kind == "step_start":
                if offset != self.tracker.step_start:
                    continue
            elif kind == "plan_end":
                if offset != here:
                    continue
            else:
                written = bytes(self.data[self._byte_offset(offset):])
                if not any(len(t.encode("utf-8")) > len(written)
                           and t.encode("utf-8").startswith(written) for t in texts):
                    continue
            active.append((kind, offset, texts))
        return active

    def _banned(self) -> set[int]:
        """Tokens that would write a blocked text again (or stop where stopping was rejected).

        At a value_start a blocked text is a whole value, at a step_start a whole line;
        at plan_end it is the end itself; at any other checkpoint it is a prefix of what
        follows.
        """
        active = self._active_blocks()
        if not active:
            return set()
        out: set[int] = set()
        index = self._prefix_index
        for kind, offset, texts in active:
            if kind == "plan_end":
                out.update(self.eos)
                continue
            written = bytes(self.data[self._byte_offset(offset):])
            if kind == "value_start":
                for text in texts:
                    closed = text[:1] in ("\"", "'", "[", "{") or text.endswith(")")
                    out |= blocked_completions(index, written, (text,), closed=closed)
            elif kind == "step_start":
                out |= blocked_completions(index, written, texts, closed=False, terminators=b"\n")
                if any(t.encode("utf-8") == written for t in texts):
                    out.update(self.eos)
            else:
                for text in texts:
                    target = text.encode("utf-8")
                    if target.startswith(written) and len(target) > len(written):
                        out.update(index.starting_with(target[len(written):]))
        return out

    # -- committing tokens -------------------------------------------------------------
    def _commit(self, token: int) -> None:
        self.sampled += 1
        new = [token]
        matcher = self.matcher
        if matcher is not None:
            if not matcher.consume_token(token):
                raise DecodeError(f"the grammar refused token {token}: {matcher.get_error()}",
                                  hint="this is a bug in the decoder's masking; please report it")
            for guard in self.guards:
                guard.matcher.consume_token(token)
            if self.fast_forward and self._forcing_allowed():
                forced = matcher.compute_ff_tokens()
                for guard in self.guards:
                    # the value grammars take as much of the forced text as they admit
                    forced = forced[:guard.matcher.validate_tokens(forced)]
                if forced:
                    if not matcher.consume_tokens(forced):
                        raise DecodeError(f"the grammar refused its own forced tokens: "
                                          f"{matcher.get_error()}")
                    for guard in self.guards:
                        guard.matcher.consume_tokens(forced)
                    new.extend(forced)
                    self.forced += len(forced)
        self._append(new, forced_from=1)
        if self.track:
            self._settle(self._report(self.tracker.feed(self._last_text)))

    def _forcing_allowed(self) -> bool:
        return not self._active_blocks()

    def _append(self, tokens: Sequence[int], *, forced_from: int) -> None:
        chunks = []
        t = self.elapsed
        for position, token in enumerate(tokens):
            data = self.token_bytes[token]
            self.starts.append(len(self.data))
            self.marks.append(self._next_id)
            self.chosen.append(position < forced_from)
            self.gen.append(token)
            self.data += data
            piece = self._utf8.decode(data)
            chunks.append(piece)
            if self.record or self.on_event is not None:
                self._emit(TokenEvent(token, piece, position >= forced_from, t))
        text = "".join(chunks)
        if self._ascii and not text.isascii():
            self._ascii = False
        self._text += text
        self._last_text = text

    def _byte_offset(self, offset: int) -> int:
        if self._ascii:
            return offset
        return len(self._text[:offset].encode("utf-8"))

    # -- boundaries, checkpoints and hooks --------------------------------------------
    def _emit(self, event: Event) -> None:
        if self.record:
            self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)

    def _make_checkpoint(self, boundary: Boundary) -> Checkpoint:
        byte_offset = self._byte_offset(boundary.offset)
        if byte_offset >= len(self.data):
            count, prefix = len(self.gen), b""
        else:
            index = bisect.bisect_right(self.starts, byte_offset) - 1
            count, prefix = index, bytes(self.data[self.starts[index]:byte_offset])
        checkpoint = Checkpoint(self._next_id, boundary.kind, boundary.offset, byte_offset,
                                count, prefix, boundary.path)
        self._next_id += 1
        return checkpoint

    def _report(self, boundaries: Sequence[Boundary]) -> _Request | None:
        """Put each boundary to the hooks, in order; a rollback request stops the round."""
        for raw in boundaries:
            checkpoint = self._make_checkpoint(raw)
            boundary = replace(raw, checkpoint=checkpoint, t=self.elapsed)
            self._checkpoints.append(checkpoint)
            self._current = checkpoint
            self._emit(CheckpointEvent(checkpoint, boundary.t))
            if boundary.kind == "value_end" and boundary.value is not None:
                self._emit(ValueEvent(boundary.path, boundary.text or "", boundary.value, boundary.t))
                start = boundary.offset - len(boundary.text or "")
                self.guards = [g for g in self.guards
                               if g.line or not (g.offset == start and g.path == boundary.path)]
                if boundary.text in self._blocked.get(("value_start", start), ()):
                    again = self._live("value_start", start)
                    if again is not None:
                        return _Request(again, None, f"blocked value {boundary.text} written again")
            elif boundary.kind == "call_end" and boundary.call is not None:
                self._emit(CallEvent(boundary.path, boundary.call, boundary.t))
            elif boundary.kind == "step_end":
                self.guards = [g for g in self.guards if not g.line]
            started = time.perf_counter()
            decision = self.hooks.on_boundary(boundary, self)
            self.hook_time += time.perf_counter() - started
            self._emit(DecisionEvent(boundary, decision, self.elapsed))
            if isinstance(decision, Reject):
                target = decision.rollback_to
                if not any(c.id == target.id for c in self._checkpoints):
                    raise DecodeError(f"rollback to checkpoint {target.id} ({target.kind}) that "
                                      "is no longer live",
                                      hint="reject with a checkpoint from state.checkpoints")
                return _Request(target, decision.block, decision.reason or "rejected")
            if boundary.kind in ("value_start", "step_start"):
                started = time.perf_counter()
                grammars = self.hooks.value_constraint(boundary, self)
                self.hook_time += time.perf_counter() - started
                if isinstance(grammars, str):
                    grammars = [grammars]
                for grammar in grammars or ():
                    request = self._start_guard(boundary, checkpoint, grammar)
                    if request is not None:
                        return request
        self._current = None
        return None

    def _live(self, kind: str, offset: int) -> Checkpoint | None:
        for checkpoint in reversed(self._checkpoints):
            if checkpoint.kind == kind and checkpoint.offset == offset:
                return checkpoint
        return None

    def _start_guard(self, boundary: Boundary, checkpoint: Checkpoint, grammar: str) -> _Request | None:
        if self.value_matchers is None:
            return None
        line = boundary.kind == "step_start"
        for guard in self.guards:
            if (guard.offset, guard.path, guard.grammar, guard.line) == (
                    boundary.offset, boundary.path, grammar, line):
                guard.checkpoint = checkpoint.id  # set again after a realignment: adopt it
                return None
        matcher = self.value_matchers.fresh(grammar, line=line)
        excess = bytes(self.data[checkpoint.byte_offset:])
        applied = True
        if excess:
            tokens = self._tokens_for(excess)
            applied = matcher.validate_tokens(tokens) == len(tokens) and matcher.consume_tokens(tokens)
        self._emit(ConstraintEvent(boundary.path, grammar, applied, self.elapsed))
        if not applied:
            # The value's first characters came in the same token as what precedes it and
            # break the value grammar: go back to the boundary and write them under the mask.
            return _Request(checkpoint, None, "value grammar applied from the value's start",
                            guard=(boundary.offset, boundary.path, grammar, line))
        self.guards.append(_Guard(boundary.offset, boundary.path, grammar, matcher,
                                  np.zeros(self._words, dtype=np.int32), line, checkpoint.id))
        return None

    def _tokens_for(self, data: bytes) -> list[int]:
        tokens = self.model.tokenize(data)
        if b"".join(self.token_bytes[t] for t in tokens) != data:
            raise DecodeError(f"cannot re-tokenise {data!r} exactly",
                              hint="this model's tokenizer does not round-trip its own text")
        return tokens

    def _settle(self, request: _Request | None) -> None:
        while request is not None:
            request = self._rollback(request)

    def _rollback(self, request: _Request) -> _Request | None:
        """Go back to ``request.target``; returns the next request from re-reported boundaries."""
        self.n_rollbacks += 1
        if self.n_rollbacks > self.budgets.max_rollbacks:
            raise BudgetExceeded(f"more than {self.budgets.max_rollbacks} rollbacks",
                                 budget="max_rollbacks", limit=self.budgets.max_rollbacks,
                                 hint="loosen the constraints or raise max_rollbacks")
        target = request.target
        dropped = self._text[target.offset:]
        keep = target.token_count
        if keep < len(self.gen):
            if self.matcher is not None and not self.matcher.rollback(len(self.gen) - keep):
                raise DecodeError(f"the grammar matcher cannot roll back: {self.matcher.get_error()}")
            del self.data[self.starts[keep]:]
            del self.gen[keep:]
            del self.starts[keep:]
            del self.marks[keep:]
            del self.chosen[keep:]
        self.kv_ok = min(self.kv_ok, keep)
        self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")
        self._text = self._utf8.decode(bytes(self.data))
        self._emit(RollbackEvent(target, dropped, request.block, request.reason, self.elapsed))
        if target.prefix:
            tokens = self._tokens_for(target.prefix)
            if self.matcher is not None and not self.matcher.consume_tokens(tokens):
                raise DecodeError(f"the grammar refused the text before a checkpoint: "
                                  f"{self.matcher.get_error()}")
            self._append(tokens, forced_from=0)
        if len(self._text) != target.offset:
            raise DecodeError(f"rollback landed at offset {len(self._text)}, not {target.offset}")
        replayed = self.tracker.replay(self._text) if self.track else []
        # Rejecting the plan's end also takes back the step end reported with it.
        first = min(self._finish_from if target.kind == "plan_end" else target.id, target.id)
        self._checkpoints = [c for c in self._checkpoints if c.id < first]
        self._blocked = {key: texts for key, texts in self._blocked.items()
                         if key[1] <= target.offset}
        if request.block == "\n" and target.kind == "step_end":
            # Ending the plan after this step overrides an earlier refusal to end there.
            self._blocked.pop(("plan_end", target.offset), None)
        if request.block is not None or target.kind == "plan_end":
            block = "" if target.kind == "plan_end" else request.block or ""
            if not block and target.kind not in ("value_start", "step_start", "plan_end"):
                raise DecodeError(f"cannot block an empty text at a {target.kind} checkpoint",
                                  hint="block a non-empty text, or reject at plan_end to "
                                       "forbid stopping")
            self._blocked.setdefault((target.kind, target.offset), set()).add(block)
        # A guard stays when the boundary that set it stays (it is not reported again).
        self.guards = [g for g in self.guards if g.checkpoint < first]
        for guard in self.guards:
            guard.matcher = self.value_matchers.fresh(guard.grammar, line=guard.line)  # type: ignore[union-attr]
            tail = bytes(self.data[self._byte_offset(guard.offset):])
            if tail:
                guard.matcher.consume_tokens(self._tokens_for(tail))
        self._current = None
        started = time.perf_counter()
        self.hooks.on_rollback(target, self)
        self.hook_time += time.perf_counter() - started
        survivors = {(c.kind, c.offset, c.path) for c in self._checkpoints}
        again = [b for b in replayed if b.offset == target.offset
                 and (b.kind, b.offset, b.path) not in survivors]
        follow = self._report(again)
        if follow is None and request.guard is not None:
            self._hold_guard(*request.guard)
        return follow

    def _hold_guard(self, offset: int, path: tuple[Any, ...], grammar: str, line: bool) -> None:
        """Keep a value grammar from its value's start, found again after a realignment.

        A boundary known only from the value's first character is not reported again by
        the rollback; the guard holds until that boundary comes again and adopts it.
        """
        if any((g.offset, g.path, g.grammar, g.line) == (offset, path, grammar, line)
               for g in self.guards):
            return
        matcher = self.value_matchers.fresh(grammar, line=line)  # type: ignore[union-attr]
        self.guards.append(_Guard(offset, path, grammar, matcher,
                                  np.zeros(self._words, dtype=np.int32), line, self._next_id))
        self._next_id += 1

    # -- ends ------------------------------------------------------------------------
    def _finish(self, reason: str) -> bool:
        """The plan wants to end here; True when the hooks let it."""
        if self.track:
            self._finish_from = self._next_id
            request = self._report(self.tracker.finish())
            if request is not None:
                self._settle(request)
                return False
        self.stop = reason
        return True

    def _dead_end(self) -> None:
        """No token is admissible: the hooks may jump back; otherwise back off one token."""
        boundary = Boundary("dead_end", len(self._text), self._innermost_path())
        request = self._report([boundary])
        dead = self._checkpoints[-1] if self._checkpoints else None
        if request is None or (dead is not None and request.target.id == dead.id):
            request = self._back_off()
        self._settle(request)

    def _back_off(self) -> _Request:
        """Undo the last chosen token (with the forced ones after it) and ban it there.

        Two masks can each allow a prefix that no text satisfies both ways (``None``
        begins a name the plan grammar allows, and is a whole value the value grammar
        allows): going back a token and choosing another gets out of such corners.
        """
        index = len(self.gen) - 1
        while index >= 0 and not (self.chosen[index] and self._char_boundary(self.starts[index])):
            index -= 1
        if index < 0:
            raise DecodeError(
                "no token can start the plan: the grammar, the value grammars and the blocked "
                "texts leave nothing", hint="check that the grammar admits some text")
        start = self.starts[index]
        offset = len(bytes(self.data[:start]).decode("utf-8", "replace"))
        token_text = self.token_bytes[self.gen[index]].decode("utf-8", "replace")
        target = Checkpoint(self.marks[index], "token", offset, start, index, b"",
                            (self.tracker.step_index,))
        return _Request(target, token_text, f"dead end: {token_text!r} leads nowhere")

    def _char_boundary(self, byte_offset: int) -> bool:
        return byte_offset >= len(self.data) or not 0x80 <= self.data[byte_offset] < 0xC0

    def _innermost_path(self) -> tuple[Any, ...]:
        values = self.tracker.open_values()
        if values:
            return values[-1][1]
        return (self.tracker.step_index,)


class _Stop(Exception):
    """Unconstrained decoding reached its length."""


def _tail(text: str, size: int = 80) -> str:
    return text if len(text) <= size else "..." + text[-size:]
