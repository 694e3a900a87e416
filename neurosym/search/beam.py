"""The search: partial plans weighted by the model's likelihood, pruned by hard potentials.

A beam of at most ``width`` partial plans grows one token at a time. Every branch the
grammar leaves open (which tool, each value, a literal or a reference, another call or
the end, ``none()`` against a call) is decided the same way: by the weight of the whole
text so far, and the best continuations over all branches survive.

The weight is the model's log-probability of the text after the request (every token,
forced ones too, over the full vocabulary), less ``contrast_weight`` times its
log-probability after a contrast prompt: the same prompt with an empty request. A text
the model would write whatever was asked (the first tool, the first enum value, a
round number) loses what it gains from that habit; a value the request supports keeps
its gain. That is pointwise mutual information between the request and the plan,
scaled; it reads nothing of the request's wording, only the model's probabilities.
Candidates for the next token are the ones the model finds plausible after the request
(its best few under the grammar's mask, within ``plausibility`` nats of its best), ranked
by that weight: the contrast re-weighs what the model would write, never adds what it
would not.

The grammar is a hard potential through the token masks (llguidance); the solver and
the reference check are hard potentials at each complete value, reference and call
(:mod:`neurosym.search.potentials`): a partial plan they refuse leaves at once. A branch
more than ``threshold`` nats behind the best is dropped, so the beam narrows where the
model is sure and widens where it hesitates.

A plan ends when the model writes its end-of-turn token where the grammar may end, so
ending the plan competes with another call. Once ``width`` plans have ended and every
live branch weighs less than them, the search stops. With one branch and no contrast,
this is greedy decoding exactly.

Each partial plan is a llama.cpp sequence sharing the prompt's KV cells (and one for
the contrast prompt); one batch evaluates every branch's next tokens
(:class:`~neurosym.model.sequences.SharedPrompt`). Tokens are kept canonical
(:mod:`neurosym.search.canonical`).

Why one module: ``BeamSearch`` is one loop whose steps (propose, evaluate, observe,
finish) share the branches' state; the potentials, canonical tokens and the verdict are
modules of their own.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..decode import bit_is_set, unpack_mask
from ..decode.tracker import TERMINAL_TOOLS, PlanTracker
from ..errors import DecodeError
from ..plan.ast import Ref, Step
from .canonical import Canonical
from .base import PartialPlan, Potential, Refusal, SoftPotential
from .potentials import ReferencePotential, first_refusal

if TYPE_CHECKING:
    from ..model.llama import Model
    from ..model.sequences import SharedPrompt

__all__ = ["BeamSearch", "Candidate", "SearchEvent", "SearchOutcome", "choice_positions",
           "repeats_itself"]

StopReason = Literal["complete", "exhausted", "tokens", "time", "loop"]

#: A branch whose last tokens are one stretch of at most ``_LOOP_PERIOD`` tokens written
#: ``_LOOP_REPEATS`` times over (and at least ``_LOOP_SPAN`` tokens in all) repeats itself:
#: a small model's loop (``"email", "email", "email", ...``), which its likelihood does not
#: stop, since each repetition is likelier than the last.
_LOOP_PERIOD = 16
_LOOP_REPEATS = 3
_LOOP_SPAN = 16
#: Next tokens considered per branch: the model's best this many times the width.
_CANDIDATES_PER_SLOT = 4
#: A line that holds only a step's forced name: its next token chooses the tool.
_NAMED = re.compile(r"[A-Za-z_][A-Za-z0-9_]* = ?")
#: The start of an argument's value: ``f(x=``, ``, y="``, ``, z=[``.
_VALUE_START = re.compile(r'.*[(,] ?[A-Za-z_][A-Za-z0-9_]*=(?:"|\[)?')

#: A bare value whose first name is complete: ``r2.``, ``r1[``.
_REF_HEAD = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)[.\[]")

Steer = Literal["all", "decisions", "values", "none"]
#: Which tokens the contrast weighs in a plan's weight (see ``BeamSearch.scope``).
Scope = Literal["all", "choices"]

@dataclass(frozen=True)
class Candidate:
    """A complete plan text, its weight in the search (``score``) and the model's
    log-probability of it after the request, its end included (``logprob``).

    Without a contrast the two are equal; with one, ``score`` is ``logprob`` less
    ``contrast_weight`` times the text's log-probability after the contrast prompt.
    """

    text: str
    score: float
    tokens: tuple[int, ...]
    canonical: bool
    logprob: float = 0.0


@dataclass(frozen=True)
class SearchEvent:
    """One step of the search, for traces and the search tree.

    ``kind`` is ``fork`` (a partial plan went on in several ways: ``reason`` lists them
    with what each adds to the weight), ``finish`` (a plan ended), ``refuse`` (a
    potential gave a partial plan weight zero), ``cut`` (a branch ran out of tokens),
    ``reopen`` (every call the search held was refused: it starts again, weighing each
    tool at each step) or ``choose`` (the verdict: the plan chosen, with its weight).
    ``text`` is the partial plan's text.
    """

    kind: Literal["fork", "finish", "refuse", "cut", "reopen", "choose"]
    text: str
    score: float
    reason: str = ""
    t: float = 0.0


@dataclass(frozen=True)
class SearchOutcome:
    """What a search found: complete plans best first, and what it cost."""

    candidates: tuple[Candidate, ...]
    events: tuple[SearchEvent, ...]
    stop: StopReason
    prompt_tokens: int
    reused_tokens: int
    evaluated_tokens: int
    decode_calls: int
    refusals: tuple[Refusal, ...]
    seconds: float
    prompt_seconds: float
    longest: str = ""
    mask_seconds: float = 0.0
    #: The best weight of a branch the token budget cut, and its text (None: no cut).
    cut_score: float | None = None
    cut_text: str = ""
    #: What the plan's first token starts, by form (``call``, ``none``, ``ask``,
    #: ``answer``): the log of its total probability after the request and after the
    #: contrast prompt (None without one), over the tokens the grammar admits there.
    heads: dict[str, tuple[float, float | None]] = field(default_factory=dict)

    def abstain_odds(self, contrast_weight: float) -> float | None:
        """The log-odds of ``none()`` against any call at the plan's first token, the
        contrast scaled by ``contrast_weight`` as in the weight (None: no heads).

        The first token alone tells the two apart, so this weighs every plan that
        calls (whatever its tools and values) against abstaining, where comparing
        ``none()`` with the best single plan found would count only that plan's share.
        """
        if "none" not in self.heads or "call" not in self.heads:
            return None
        (none, none_c), (call, call_c) = self.heads["none"], self.heads["call"]
        odds = none - call
        if none_c is not None and call_c is not None:
            odds -= contrast_weight * (none_c - call_c)
        return odds


@dataclass
class _Branch:
    seq: int
    tokens: list[int]
    data: bytearray
    pending: bytes
    text: str
    score: float                          # the search's weight
    logprob: float                        # log p(tokens | request)
    matcher: Any
    logprobs: np.ndarray                  # next-token log-probabilities after the request
    tracker: PlanTracker
    partial: PartialPlan
    canonical: bool = True
    contrast_seq: int = -1
    contrast: np.ndarray | None = None    # next-token log-probabilities after the contrast
    guide: float = 0.0                    # what the beam ranks by (see Steer)
    soft: float = 0.0                     # the soft potentials' log-weight of ``partial``

    def fork(self, seq: int, contrast_seq: int) -> _Branch:
        return _Branch(seq=seq, tokens=list(self.tokens), data=bytearray(self.data),
                       pending=self.pending, text=self.text, score=self.score,
                       logprob=self.logprob, matcher=self.matcher.deep_copy(),
                       logprobs=self.logprobs, tracker=copy.deepcopy(self.tracker),
                       partial=self.partial, canonical=self.canonical,
                       contrast_seq=contrast_seq, contrast=self.contrast, guide=self.guide,
                       soft=self.soft)

    def gain(self, token: int, contrast_weight: float) -> float:
        """What appending ``token`` adds to the weight."""
        gain = float(self.logprobs[token])
        if self.contrast is not None:
            gain -= contrast_weight * float(self.contrast[token])
        return gain

    def end_gain(self, ends: Sequence[int], contrast_weight: float) -> tuple[float, float]:
        """The weight and log-probability the best end-of-turn token adds."""
        end = max(ends, key=lambda e: float(self.logprobs[e]))
        return self.gain(end, contrast_weight), float(self.logprobs[end])

    def at_decision(self, values: bool = False) -> bool:
        """Whether the next token chooses what the plan does: the first token of a line
        (a tool, a terminal form) or of a call after its forced name (``r2 = ``); with
        ``values``, also the first token of each argument's value."""
        return _at_choice(self.text.rsplit("\n", 1)[-1], values)

    def at_tool(self) -> bool:
        """Whether the next token chooses a step's tool: the line holds only its name."""
        return _NAMED.fullmatch(self.text.rsplit("\n", 1)[-1]) is not None


@dataclass
class BeamSearch:
    """Beam search over plans for one grammar (an llguidance matcher, copied per branch).

    ``width`` branches at most; ``threshold`` (nats) drops a branch that far behind the
    best (None: never); ``plausibility`` (nats) considers only next tokens whose
    log-probability after the request is that close to the branch's best one (None:
    the best few, whatever their probability); ``contrast`` is the contrast prompt's tokens and
    ``contrast_weight`` its scale (0 or no contrast: the plain log-probability);
    ``steer`` says where the contrast guides the beam: at every token (``"all"``), at
    the tokens that choose what the plan does only (``"decisions"``: a line's first
    token, a call's tool, the end), there and at the first token of each value
    (``"values"``), or nowhere (``"none"``: the plain log-probability);
    the finished plans are ranked by the full weight in every case; ``guide_weight``
    scales the contrast where it guides (None: ``contrast_weight``); ``end_weight``
    scales it on the end-of-turn token, in the weight (None: ``contrast_weight``);
    ``scope`` says which tokens the contrast weighs in the weight (``"all"`` or
    ``"choices"``);
    ``allow_repeats=False`` refuses a step that repeats an earlier one exactly; ``always`` are plan texts (``none()``) scored and
    offered whether or not the beam reaches them;
    ``potentials`` are checked at every complete value, reference and call, and ``soft``
    potentials add their log-weight there (to the weight and to what the beam ranks by);
    ``max_tokens`` bounds each plan, ``max_seconds`` the search; ``canonical`` keeps
    each branch's tokens the tokenizer's own split.
    """

    model: Model
    matcher: Any
    width: int = 4
    potentials: Sequence[Potential] = ()
    soft: Sequence[SoftPotential] = ()
    max_tokens: int = 256
    max_seconds: float = 60.0
    canonical: bool = True
    threshold: float | None = None
    plausibility: float | None = None
    contrast: Sequence[int] | None = None
    contrast_weight: float = 0.0
    steer: Steer = "decisions"
    guide_weight: float | None = None
    #: Scale of the contrast on the end of the plan (None: ``contrast_weight``).
    end_weight: float | None = None
    #: The tokens the contrast weighs in a plan's weight: every token (``"all"``), or
    #: only the tokens that choose (``"choices"``: a line's first token, a call's tool,
    #: each value's first token, a new step and the end). Over every token, copying a
    #: long stretch of the request into a string gains its whole surprise under the
    #: empty request, so the weight grows with the copy's length; at the choices, the
    #: contrast weighs which value starts and the value then costs its plain likelihood.
    scope: Scope = "all"
    allow_repeats: bool = False
    #: At a step's tool (the line holds only its forced name, ``r2 = ``), propose every
    #: tool the grammar admits, however unlikely the model finds it after the request:
    #: which tool to call is a choice between whole plans, for the weight to decide.
    open_tools: bool = False
    #: Judges each reference the moment it is written and each complete argument's
    #: data flow (the bare one only checks that a reference names an earlier step).
    references: ReferencePotential = field(default_factory=ReferencePotential)
    always: tuple[str, ...] = ()
    on_event: Callable[[SearchEvent], None] | None = None
    _events: list[SearchEvent] = field(default_factory=list, repr=False)

    def search(self, prompt: Sequence[int]) -> SearchOutcome:
        """Search for plans continuing ``prompt`` (its tokens); hold ``model.lock``."""
        from ..model.sequences import SharedPrompt
        if self.width < 1:
            raise DecodeError(f"the search width must be at least 1, not {self.width}",
                              hint="width=1 is greedy decoding")
        self._events = []
        self._mask_seconds = 0.0
        self._opening = False
        self._cut: tuple[float, str] | None = None
        self._refusals: list[Refusal] = []
        self._t0 = time.perf_counter()
        model = self.model
        self._canon = Canonical(model) if self.canonical else None
        self._bytes = model.token_bytes
        self._eos = sorted(model.eos)
        self._contrasted = bool(self.contrast) and (self.contrast_weight != 0.0
                                                    or bool(self.guide_weight)
                                                    or bool(self.end_weight))
        self._guide_weight = ((self.contrast_weight if self.guide_weight is None
                               else self.guide_weight) if self._contrasted else 0.0)
        self._end_weight = ((self.contrast_weight if self.end_weight is None
                             else self.end_weight) if self._contrasted else 0.0)
        words = (model.n_vocab + 31) // 32
        self._mask = np.zeros(words, dtype=np.int32)
        model.check_fits(len(prompt), reserve=self.max_tokens)
        if self._contrasted:
            model.check_fits(len(self.contrast or ()), reserve=self.max_tokens)
        self._n_prompt = len(prompt)
        capacity = max(512, self.width * 2 * 64)
        with SharedPrompt(model, prompt, capacity=capacity) as shared:
            self._shared = shared
            root_matcher = self.matcher.deep_copy()
            root_matcher.reset()
            tracker = PlanTracker()
            tracker.start()
            root = _Branch(seq=shared.start(), tokens=[], data=bytearray(), pending=b"",
                           text="", score=0.0, logprob=0.0, matcher=root_matcher,
                           logprobs=shared.first, tracker=tracker, partial=PartialPlan())
            if self._contrasted:
                self._n_contrast = len(self.contrast or ())
                root.contrast_seq, root.contrast = shared.other_prompt(list(self.contrast or ()))
            prompt_seconds = time.perf_counter() - self._t0
            heads = self._heads(root)
            early = [c for c in (self._score_fixed(root, text) for text in self.always) if c]
            # The root as it is now, should the search have to start again.
            spare = None if self.open_tools else root.fork(
                shared.start(root.seq),
                shared.start(root.contrast_seq) if root.contrast_seq >= 0 else -1)
            finished, stop, longest = self._loop([root], early)
            if spare is not None and self._reopens(finished, stop):
                # The calls the model was sure of were all refused, and the plausible
                # tools it did not try were never weighed: make it choose again among all.
                self._event("reopen", "", 0.0, "every call the search held was refused; "
                            "each tool is weighed at each step")
                self._opening = True
                finished, stop, longest = self._loop([spare], finished)
            elif spare is not None:
                self._release(spare)
        finished.sort(key=lambda c: -c.score)
        return SearchOutcome(candidates=tuple(finished), events=tuple(self._events), stop=stop,
                             prompt_tokens=len(prompt), reused_tokens=len(prompt) - shared.evaluated,
                             evaluated_tokens=shared.tokens_evaluated,
                             decode_calls=shared.decode_calls, refusals=tuple(self._refusals),
                             seconds=time.perf_counter() - self._t0,
                             prompt_seconds=prompt_seconds, longest=longest,
                             mask_seconds=self._mask_seconds,
                             cut_score=self._cut[0] if self._cut else None,
                             cut_text=self._cut[1] if self._cut else "", heads=heads)

    # -- the loop ---------------------------------------------------------------------
    def _release(self, branch: _Branch) -> None:
        self._shared.release(branch.seq)
        if branch.contrast_seq >= 0:
            self._shared.release(branch.contrast_seq)

    def _heads(self, root: _Branch) -> dict[str, tuple[float, float | None]]:
        """The total probability (log) of the first tokens the grammar admits, by the
        form each one starts: a terminal form (``none(``, ``ask(``, ``answer(``) when
        the token's text is a beginning of it, else a call."""
        mask = self._mask
        root.matcher.unsafe_compute_mask_ptr(mask.ctypes.data, mask.nbytes)
        allowed = unpack_mask(mask, root.logprobs.shape[0])
        allowed[self._eos] = False
        forms = [(name, (name + "(").encode()) for name in TERMINAL_TOOLS]
        groups: dict[str, list[int]] = {"call": []}
        for token in np.flatnonzero(allowed):
            piece = self._bytes[int(token)]
            if not piece:
                continue
            form = next((name for name, text in forms
                         if text.startswith(piece) or piece.startswith(text)), "call")
            groups.setdefault(form, []).append(int(token))

        def mass(logprobs: np.ndarray, tokens: list[int]) -> float:
            return float(np.logaddexp.reduce(logprobs[tokens]))

        return {form: (mass(root.logprobs, tokens),
                       None if root.contrast is None else mass(root.contrast, tokens))
                for form, tokens in groups.items() if tokens}

    def _score_fixed(self, root: _Branch, text: str) -> Candidate | None:
        """``text`` as a finished plan with its weight, when the grammar admits it."""
        from ..model.sequences import Continuation
        tokens = self.model.tokenize(text)
        matcher = root.matcher.deep_copy()
        if matcher.validate_tokens(tokens) != len(tokens) or not matcher.consume_tokens(tokens):
            return None
        mask = self._mask
        matcher.unsafe_compute_mask_ptr(mask.ctypes.data, mask.nbytes)
        ends = [e for e in self._eos if bit_is_set(mask, e)]
        if not ends and not matcher.is_stopped():
            return None
        shared = self._shared
        seqs = [shared.start(root.seq)]
        items = [Continuation(seqs[0], self._n_prompt, tuple(tokens))]
        if root.contrast_seq >= 0:
            seqs.append(shared.start(root.contrast_seq))
            items.append(Continuation(seqs[1], self._n_contrast, tuple(tokens)))
        rows = shared.evaluate(items)
        for seq in seqs:
            shared.release(seq)
        ends = ends or self._eos

        end = max(ends, key=lambda e: float(rows[0][-1][e]))
        weighed = (range(len(tokens)) if self.scope == "all"
                   else choice_positions(root.matcher, self._bytes, tokens))

        def body(first: np.ndarray, block: np.ndarray, at: Iterable[int]) -> float:
            return sum(float(first[tokens[0]]) if j == 0 else float(block[j - 1][tokens[j]])
                       for j in at)

        logprob = body(root.logprobs, rows[0], range(len(tokens))) + float(rows[0][-1][end])
        score = logprob
        if root.contrast is not None and len(rows) > 1:
            score -= (self.contrast_weight * body(root.contrast, rows[1], weighed)
                      + self._end_weight * float(rows[1][-1][end]))
        self._event("finish", text, score)
        return Candidate(text, score, tuple(tokens), True, logprob)

    def _loop(self, beam: list[_Branch], early: Sequence[Candidate] = ()
              ) -> tuple[list[Candidate], StopReason, str]:
        finished: list[Candidate] = list(early)
        ended: set[str] = {c.text for c in early}
        stop: StopReason = "exhausted"
        longest = ""
        while beam:
            if time.perf_counter() - self._t0 > self.max_seconds:
                stop = "time"
                # What the live branches would have become is unknown: the best of them
                # counts as cut, so a plan that ended behind it is not taken as the answer.
                for branch in beam:
                    self._event("cut", branch.text, branch.score, "the search reached max_seconds")
                    if self._cut is None or branch.score > self._cut[0]:
                        self._cut = (branch.score, branch.text)
                break
            # weight, log-probability, guide, branch, token (-1: the end)
            proposals: list[tuple[float, float, float, int, int]] = []
            for index, branch in enumerate(beam):
                proposals.extend(self._proposals(index, branch))
            by = {"all": 0, "none": 1, "decisions": 2, "values": 2}[self.steer]
            proposals.sort(key=lambda p: -p[by])
            chosen: list[tuple[int, int]] = []
            seen: set[bytes] = set()
            rank = 0
            best = proposals[0][by] if proposals else 0.0
            # The ``width`` best continuations over every branch go on; an end ranked among
            # the first ``width`` is a finished plan (so width 1 is greedy decoding exactly).
            for proposal in proposals:
                weight, logprob, _, index, token = proposal
                if len(chosen) >= self.width:
                    break
                branch = beam[index]
                if token < 0:
                    # A branch whose grammar can only end takes no slot from the others.
                    forced_end = branch.matcher.is_stopped()
                    if (rank < self.width or forced_end) and branch.text not in ended:
                        ended.add(branch.text)
                        finished.append(Candidate(branch.text, weight, tuple(branch.tokens),
                                                  branch.canonical, logprob))
                        self._event("finish", branch.text, weight)
                    rank += 0 if forced_end else 1
                    continue
                if self.threshold is not None and proposal[by] < best - self.threshold:
                    break
                text = bytes(branch.data) + self._bytes[token]
                if text in seen:
                    continue
                seen.add(text)
                chosen.append((index, token))
                rank += 1
            if len(finished) >= self.width:
                # Only the log-probability is sure to fall as text grows: with the contrast
                # steering, the weight may rise again, so the bound holds for the beam only.
                ranked = sorted((c.score if self.steer == "all" else c.logprob) for c in finished)
                floor = ranked[-self.width]
                chosen = [(i, t) for i, t in chosen if self._bound(beam[i], t) > floor]
                if not chosen:
                    stop = "complete"
                    for branch in beam:
                        self._release(branch)
                    beam = []
                    break
            beam = self._advance(beam, chosen)
            for branch in beam:
                if len(branch.text) > len(longest):
                    longest = branch.text
            kept = []
            looped = False
            for branch in beam:
                if repeats_itself(branch.tokens):
                    # A loop never ends: dropped like a refused branch, it does not hold
                    # back the plans that did end, as a branch the budget cut does.
                    self._event("cut", branch.text, branch.score, "the plan repeats itself")
                    self._release(branch)
                    looped = True
                elif len(branch.tokens) >= self.max_tokens:
                    self._event("cut", branch.text, branch.score, "the plan reached max_tokens")
                    if self._cut is None or branch.score > self._cut[0]:
                        self._cut = (branch.score, branch.text)
                    self._release(branch)
                    stop = "tokens"
                else:
                    kept.append(branch)
            beam = kept
            if looped and not beam and stop == "exhausted":
                stop = "loop"
        else:
            stop = "complete" if finished else stop
        for branch in beam:
            self._release(branch)
        return finished, stop, longest

    def _reopens(self, finished: Sequence[Candidate], stop: StopReason) -> bool:
        """Whether the search should start again with every tool open: it ran to its end,
        a potential refused a partial plan, and no plan but the ``always`` ones ended."""
        return (stop in ("complete", "exhausted") and bool(self._refusals)
                and all(c.text in self.always for c in finished))

    def _bound(self, branch: _Branch, token: int) -> float:
        if self.steer == "all":
            return branch.score + branch.gain(token, self.contrast_weight if self._contrasted else 0.0)
        return branch.logprob + float(branch.logprobs[token])

    def _proposals(self, index: int, branch: _Branch) -> list[tuple[float, float, float, int, int]]:
        """The continuations of ``branch`` the grammar admits and the model finds
        plausible (token -1: the end): weight, log-probability, guide, branch, token."""
        matcher = branch.matcher
        lp = branch.logprobs
        weight = self.contrast_weight if self._contrasted else 0.0
        decision = branch.at_decision(self.steer == "values")
        # Only the choices' scope asks where the choices are.
        at_choice = self.scope == "choices" and branch.at_decision(True)
        steering = self._guide_weight

        if matcher.is_stopped():
            # The grammar can only end here; the end token still costs its probability.
            gain, logprob = branch.end_gain(self._eos, self._end_weight)
            return [(branch.score + gain, branch.logprob + logprob,
                     branch.guide + branch.end_gain(self._eos, steering)[0], index, -1)]
        mask = self._mask
        started = time.perf_counter()
        matcher.unsafe_compute_mask_ptr(mask.ctypes.data, mask.nbytes)
        self._mask_seconds += time.perf_counter() - started
        allowed = unpack_mask(mask, lp.shape[0])
        out: list[tuple[float, float, float, int, int]] = []
        ends = [e for e in self._eos if allowed[e]]
        if ends:
            gain, logprob = branch.end_gain(ends, self._end_weight)
            out.append((branch.score + gain, branch.logprob + logprob,
                        branch.guide + branch.end_gain(ends, steering)[0], index, -1))
            allowed[ends] = False
        atom = self._open_atom(branch)
        if atom is not None:
            # A reference to no earlier step is refused before it is written: the model
            # chooses again among the rest.
            for token in np.flatnonzero(allowed):
                if self.references.dooms(atom + self._bytes[token].decode("utf-8", "ignore"),
                                         branch.partial):
                    allowed[token] = False
        n_allowed = int(allowed.sum())
        if n_allowed == 0:
            return out
        scores = np.where(allowed, lp, -np.inf)
        opening = (self.open_tools or self._opening) and branch.at_tool()
        take = n_allowed if opening else min(n_allowed, self.width * _CANDIDATES_PER_SLOT)
        top = (np.argpartition(-scores, take - 1)[:take] if take < n_allowed
               else np.flatnonzero(allowed))
        top = top[np.argsort(-scores[top])]
        kept = 0
        fallback: tuple[float, float, float, int, int] | None = None
        floor = (float(scores[top[0]]) - self.plausibility
                 if self.plausibility is not None and not opening else None)
        for token in top:
            token = int(token)
            if floor is not None and kept and float(lp[token]) < floor:
                break
            guide = (branch.gain(token, steering) if _decides(decision, self._bytes[token])
                     else float(lp[token]))
            weighs = self.scope == "all" or _decides(at_choice, self._bytes[token])
            proposal = (branch.score + branch.gain(token, weight if weighs else 0.0),
                        branch.logprob + float(lp[token]), branch.guide + guide, index, token)
            if self._canon is not None and not self._canon.extends(branch.tokens, token):
                if fallback is None:
                    fallback = proposal
                continue
            out.append(proposal)
            kept += 1
        if kept == 0 and fallback is not None:
            # No canonical way on: keep the best, marked as not canonical.
            out.append(fallback)
        return out

    def _open_atom(self, branch: _Branch) -> str | None:
        """The bare value the branch's next token continues (its text so far, "" at an
        argument's first token), or None where the next token writes no bare value."""
        atom = branch.tracker.open_atom
        if atom:
            return atom
        line = branch.text.rsplit("\n", 1)[-1]
        match = _VALUE_START.fullmatch(line)
        return "" if match is not None and not line.endswith('"') else None

    def _advance(self, beam: list[_Branch], chosen: list[tuple[int, int]]) -> list[_Branch]:
        """Fork the chosen branches, append their tokens (and the forced ones after them),
        evaluate every new token in one batch, and apply the potentials."""
        from ..model.sequences import Continuation
        shared = self._shared
        claimed: set[int] = set()
        made: dict[int, _Branch] = {}
        # Forks first, while every parent is still untouched.
        for position, (index, _) in enumerate(chosen):
            if index in claimed:
                parent = beam[index]
                contrast_seq = (shared.start(parent.contrast_seq) if parent.contrast_seq >= 0
                                else -1)
                made[position] = parent.fork(shared.start(parent.seq), contrast_seq)
            claimed.add(index)
        children: list[tuple[_Branch, int]] = []
        for position, (index, token) in enumerate(chosen):
            children.append((made.get(position, beam[index]), token))
        ways: dict[int, list[int]] = {}
        for index, token in chosen:
            ways.setdefault(index, []).append(token)
        for index, tokens in ways.items():
            if len(tokens) > 1:
                parent = beam[index]
                weight = self.contrast_weight if self._contrasted else 0.0
                self._event("fork", parent.text, parent.score, "; ".join(
                    f"{self._bytes[t].decode('utf-8', 'replace')!r} {parent.gain(t, weight):+.2f}"
                    for t in tokens))
        for index, branch in enumerate(beam):
            if index not in claimed:
                self._release(branch)
        items: list[Continuation] = []
        appended: list[list[int]] = []
        decisions: list[bool] = []
        choices: list[bool] = []
        for branch, token in children:
            decisions.append(_decides(branch.at_decision(self.steer == "values"),
                                      self._bytes[token]))
            choices.append(self.scope == "all"
                           or _decides(branch.at_decision(True), self._bytes[token]))
            new = self._append(branch, token)
            appended.append(new)
            done = len(branch.tokens)
            items.append(Continuation(branch.seq, self._n_prompt + done, tuple(new)))
            if branch.contrast_seq >= 0:
                items.append(Continuation(branch.contrast_seq, self._n_contrast + done, tuple(new)))
        rows = shared.evaluate(items)
        survivors: list[_Branch] = []
        weight = self.contrast_weight
        at = 0
        for (branch, _), new, decision, choice in zip(children, appended, decisions, choices):
            block = rows[at]
            at += 1
            contrast_block = None
            if branch.contrast_seq >= 0:
                contrast_block = rows[at]
                at += 1
            gain = float(branch.logprobs[new[0]])
            for j in range(1, len(new)):
                gain += float(block[j - 1][new[j]])
            branch.logprob += gain
            branch.guide += gain
            if decision and branch.contrast is not None:
                branch.guide -= self._guide_weight * float(branch.contrast[new[0]])
            if contrast_block is not None and branch.contrast is not None:
                if self.scope == "all":
                    against = float(branch.contrast[new[0]])
                    for j in range(1, len(new)):
                        against += float(contrast_block[j - 1][new[j]])
                else:
                    # Forced tokens choose nothing: only the chosen token is weighed.
                    against = float(branch.contrast[new[0]]) if choice else 0.0
                gain -= weight * against
                branch.contrast = contrast_block[-1]
            branch.score += gain
            branch.logprobs = block[-1]
            branch.tokens.extend(new)
            refusal = self._observe(branch, new)
            if refusal is not None:
                self._refusals.append(refusal)
                self._event("refuse", branch.text, branch.score,
                            f"{refusal.potential}: {refusal.reason}")
                self._release(branch)
                continue
            survivors.append(branch)
        return survivors

    def _append(self, branch: _Branch, token: int) -> list[int]:
        """Consume ``token`` and the tokens the grammar forces after it; return them all."""
        matcher = branch.matcher
        if self._canon is not None and not self._canon.extends(branch.tokens, token):
            branch.canonical = False
        if not matcher.consume_token(token):
            raise DecodeError(f"the grammar refused token {token}: {matcher.get_error()}",
                              hint="this is a bug in the search's masking; please report it")
        new = [token]
        forced = list(matcher.compute_ff_tokens())
        if forced:
            if self._canon is not None:
                split = self._canon.resplit([*branch.tokens, token], forced)
                if split != forced and matcher.validate_tokens(split) == len(split):
                    forced = split
            if not matcher.consume_tokens(forced):
                raise DecodeError(f"the grammar refused its own forced tokens: {matcher.get_error()}",
                                  hint="this is a bug in the search; please report it")
            new.extend(forced)
        return new

    def _observe(self, branch: _Branch, new: Sequence[int]) -> Refusal | None:
        """Feed the new text to the branch's tracker; check the potentials at each
        complete value, reference and call."""
        data = branch.pending + b"".join(self._bytes[t] for t in new)
        text, branch.pending = _decode_prefix(data)
        branch.data.extend(b"".join(self._bytes[t] for t in new))
        branch.text += text
        if not text:
            return None
        changed = False
        partial = branch.partial
        for boundary in branch.tracker.feed(text):
            kind, path = boundary.kind, boundary.path
            if kind == "call_start" and len(path) == 2 and boundary.tool not in TERMINAL_TOOLS:
                partial = partial.with_call(str(boundary.tool), boundary.bind)
            elif kind == "value_end" and len(path) == 3 and boundary.value is not None:
                partial = partial.with_arg(str(boundary.param), boundary.value)
                changed = True
            elif kind == "ref_end" and boundary.value is not None:
                if isinstance(boundary.value, Ref):
                    refusal = self.references.refuse_reference(boundary.value, partial)
                    if refusal is not None:
                        return refusal
            elif kind == "step_end" and isinstance(boundary.step, Step):
                if not self.allow_repeats and any(boundary.step.call == s.call
                                                  for s in partial.steps):
                    return Refusal("repeats", f"step {len(partial.steps) + 1} repeats an "
                                              "earlier call exactly")
                partial = partial.with_step(boundary.step)
                changed = True
        branch.partial = partial
        head = _REF_HEAD.match(branch.tracker.open_atom)
        if head is not None:
            # A reference's name is judged as soon as its path begins, not when the path
            # (free field names, as long as the model likes) ends.
            refusal = self.references.refuse_name(head.group(1), partial)
            if refusal is not None:
                return refusal
        if not changed:
            return None
        refusal = first_refusal([self.references, *self.potentials], partial)
        if refusal is None and self.soft:
            weight = sum(float(potential.weigh(partial)) for potential in self.soft)
            branch.score += weight - branch.soft
            branch.guide += weight - branch.soft
            branch.soft = weight
        return refusal

    def _event(self, kind: Any, text: str, score: float, reason: str = "") -> None:
        event = SearchEvent(kind, text, score, reason, time.perf_counter() - self._t0)
        self._events.append(event)
        if self.on_event is not None:
            self.on_event(event)


def repeats_itself(tokens: Sequence[int]) -> bool:
    """Whether ``tokens`` end in one stretch written over and over: at most
    ``_LOOP_PERIOD`` tokens, ``_LOOP_REPEATS`` times or more, ``_LOOP_SPAN`` tokens at
    least. Three short list items alike (``[0, 0, 0]``) are not a loop; a value that
    keeps writing the same item or words is."""
    n = len(tokens)
    for period in range(1, _LOOP_PERIOD + 1):
        span = period * max(_LOOP_REPEATS, -(-_LOOP_SPAN // period))
        if span > n:
            continue
        tail = tokens[n - span:]
        if all(tail[i] == tail[i + period] for i in range(span - period)):
            return True
    return False


def choice_positions(matcher: Any, token_bytes: Sequence[bytes], tokens: Sequence[int]
                     ) -> list[int]:
    """The positions in a plan's ``tokens`` where the beam weighs the contrast with
    ``scope="choices"``: tokens the grammar (``matcher``, at the plan's start) does not
    force, at a choice (:func:`_at_choice`, or a new line)."""
    matcher = matcher.deep_copy()
    text = b""
    out: list[int] = []
    j = 0
    while j < len(tokens):
        line = text.decode("utf-8", "replace").rsplit("\n", 1)[-1]
        if _decides(_at_choice(line, True), token_bytes[tokens[j]]):
            out.append(j)
        matcher.consume_token(tokens[j])
        text += token_bytes[tokens[j]]
        j += 1
        # The text the grammar forces next, however the plan's tokens split it.
        forced = b"".join(token_bytes[t] for t in matcher.compute_ff_tokens())
        while forced and j < len(tokens) and forced.startswith(token_bytes[tokens[j]]):
            forced = forced[len(token_bytes[tokens[j]]):]
            matcher.consume_token(tokens[j])
            text += token_bytes[tokens[j]]
            j += 1
            if not forced:
                forced = b"".join(token_bytes[t] for t in matcher.compute_ff_tokens())
    return out


def _at_choice(line: str, values: bool) -> bool:
    """Whether the token after ``line`` (the plan's last line so far) chooses what the plan
    does: the line's first token, a step's tool after its forced name, and with
    ``values`` the first token of an argument's value."""
    if not line or _NAMED.fullmatch(line) is not None:
        return True
    return values and _VALUE_START.fullmatch(line) is not None


def _decides(at_decision: bool, token: bytes) -> bool:
    """Whether a token chooses what the plan does: any token at a decision, and a new
    line (another step rather than the end) anywhere."""
    return at_decision or token[:1] == b"\n"


def _decode_prefix(data: bytes) -> tuple[str, bytes]:
    """The text of ``data`` up to an unfinished UTF-8 character at its end, and the rest."""
    for cut in range(0, min(4, len(data)) + 1):
        head = data[:len(data) - cut] if cut else data
        try:
            return head.decode("utf-8"), data[len(head):]
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace"), b""
