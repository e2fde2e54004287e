"""The name resolver: what a person writes for a quantity (``δ_{o1}``, ``w5'``, ``∂E/∂w5``) -> the problem's name.

One resolver serves every place where a person names a quantity: answer keys and ``using:`` names of a submission,
the question column of ``--manual`` CSVs, write-ups and the practice page.

How it works, deterministically and in time linear in the text:

1. :func:`normalise` (``grader.spec.canonical``) turns a spelling into a canonical string: NFKC, Greek letters to
   their names (``δ``, ``Δ``, ``\\delta`` are all ``delta``), ``∂``/``\\partial`` to ``d``, braces and LaTeX spacing
   dropped, lower case, separators vanishing except between two digits (``h2_3`` is not ``h23``), a superscript of
   digits marked (``h_1^2`` is not ``h1_2``) and put after the subscript (``\\delta^3_1`` is ``\\delta_1^3``). It
   refuses (returns ``None``) texts over :data:`MAX_LEN` characters or nested deeper than :data:`MAX_DEPTH`.
2. The canonical string is matched against the problem's names through the :data:`KINDS` table: each kind says how a
   name is made from a base (``delta_{}``, ``grad_{}``, ``{}_new``) and how people write it around the base (canonical
   ``before``/``after`` pieces, derived from the human spellings listed in the table by the same normaliser). A
   trailing step/example suffix (``_s2``, ``_step2``, ``_x1``, ``_ex1``) is peeled off and put back. Only names the
   problem really has are ever returned.
3. Several names fitting one spelling is ambiguous: the resolution names them all and picks none.

The bases are the problem's names, their stems (a name without its ``_s<k>``/``_x<j>`` suffix) and aliases: those of
:meth:`Resolver.for_problem` (``out_h1`` -> ``h1``, ``net_h1`` -> the declared net name, ``target_o1`` -> ``t1``,
``∂E/∂net_o1`` -> ``delta_o1`` under the default delta convention) and the problem's own ``notation:``. Built-in
words (``lr``, ``alpha``, ``learning_rate`` -> ``eta``; ``E_total``, ``loss`` -> ``E``; ``momentum`` -> ``mu``) are
used only when nothing else fits. A new kind of quantity needs only a :class:`Kind` entry in :data:`KINDS`.

The same symbol can mean two things (``/work/shared/notes/notation.md``): ``Δw5`` is the *change* of ``w5``, never
``w5``; ``z``/``a`` are not guessed (a course says what they mean with ``notation:``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from grader.record import Record
from grader.spec.canonical import MAX_DEPTH, MAX_LEN, normalise

__all__ = ["MAX_LEN", "MAX_DEPTH", "Kind", "KINDS", "BUILTIN_ALIASES", "Resolution", "Resolver", "normalise", "stem",
           "GRAD_SPELLINGS", "DERIVATIVE_SPELLINGS"]

# --------------------------------------------------------------------------------------------------------------
BASE = "@"  # where the base name goes in a spelling template


class Kind(Record):
    """One kind of quantity: its name template and the spellings people use for it.

    ``make`` builds the problem's name from a base (``"delta_{}"``); ``spellings`` are human spellings with ``@``
    for the base (``"\\delta_{@}"``), shown in the README; ``inner`` are markers written inside the base after its
    leading letters (``w'_5`` for ``w5'``)."""

    id: str
    what: str
    make: str
    spellings: tuple[str, ...]
    inner: tuple[str, ...] = ()

    def __init__(self, id: str, what: str, make: str, spellings: tuple[str, ...], inner: tuple[str, ...] = ()) -> None:
        self.__dict__.update(id=id, what=what, make=make, spellings=spellings, inner=inner)

    def forms(self) -> tuple[tuple[str, str], ...]:
        """Canonical (before, after) pieces around the base's canonical form."""
        out: dict[tuple[str, str], None] = {}
        for sp in self.spellings:
            c = normalise(sp.replace(BASE, "\u0001"))
            if c is None or c.count("\u0001") != 1:
                raise ValueError(f"bad spelling template {sp!r}")
            before, after = c.split("\u0001")
            out[(before, after)] = None
        return tuple(out)


_LOSSES = ("E", "E_total", "E_{total}", "E_tot")
DERIVATIVE_SPELLINGS: tuple[str, ...] = (
    ("dE_d@",)
    + tuple(f"d{e}/d@" for e in _LOSSES)
    + ("∂E/∂@", "∂E_total/∂@", "\\partial E / \\partial @")
    + tuple(f"\\frac{{\\partial {e}}}{{\\partial @}}" for e in _LOSSES)
    + ("\\frac{dE}{d@}", "\\nabla_{@} E", "\\nabla_{@} E_{total}")
)
GRAD_SPELLINGS: tuple[str, ...] = ("grad_@", "grad @", "g_{@}") + DERIVATIVE_SPELLINGS
# d(activation)/d(net input) of a neuron, ``{out}`` and ``{net}`` filled in by ``Resolver.for_problem``
CHAIN_SPELLINGS: tuple[str, ...] = ("d{out}/d{net}", "∂{out}/∂{net}", "\\frac{{\\partial {out}}}{{\\partial {net}}}",
                                    "\\frac{{d{out}}}{{d{net}}}")

KINDS: tuple[Kind, ...] = (
    Kind("plain", "the name itself, any letter case and subscript style", "{}",
         ("@",)),
    Kind("delta", "delta of a neuron (dE/dnet)", "delta_{}",
         ("delta_@", "δ_@", "Δ_@", "\\delta_{@}", "\\Delta_{@}", "δ@", "delta(@)")),
    Kind("grad", "gradient of a parameter (dE/dparam)", "grad_{}", GRAD_SPELLINGS),
    Kind("new", "a parameter after the step", "{}_new",
         ("@_new", "@'", "@^{\\prime}", "@+", "@^{+}", "@^{new}", "@_{new}", "new_@", "new @", "@(t+1)",
          "@^{(t+1)}", "@^{t+1}", "@^{(1)}", "@_updated", "updated_@", "@(new)", "@_{(new)}", "@(updated)"),
         inner=("'", "+")),
    Kind("velocity", "momentum velocity of a parameter", "v_{}", ("v_@", "v_{@}", "velocity_@")),
    Kind("loss_part", "the loss at one output", "E_{}", ("E_@", "E_{@}")),
    Kind("net", "the net input of a neuron (default names)", "net_{}", ("net_@", "net_{@}", "net(@)")),
)

# Words for given values and the loss, used only when no name, stem or alias of the problem fits.
BUILTIN_ALIASES: dict[str, tuple[str, ...]] = {
    "eta": ("η", "\\eta", "lr", "alpha", "α", "\\alpha", "learning_rate", "learning rate", "learningrate"),
    "mu": ("μ", "\\mu", "momentum"),
    "E": ("E_total", "E_{total}", "E_tot", "Etotal", "loss", "E_{tot}"),
}

_STEP_TAGS = ("s", "step")
_EXAMPLE_TAGS = ("x", "ex", "example")


class Resolution(Record):
    name: str | None  # the one quantity/given this spelling means, or None
    ambiguous: tuple[str, ...] = ()  # when several fit: all of them (then name is None)
    suggestions: tuple[str, ...] = ()  # when none fits: closest names, asked quantities first
    note: str = ""  # why a tempting reading was refused (e.g. "Δw5 is the change of w5, not w5")
    negated: bool = False  # the spelling means minus ``name``: an error term Err = −∂E/∂net where delta is ∂E/∂net

    def __init__(
        self, name: str | None, ambiguous: tuple[str, ...] = (), suggestions: tuple[str, ...] = (), note: str = "",
        negated: bool = False,
    ) -> None:
        self.__dict__.update(name=name, ambiguous=ambiguous, suggestions=suggestions, note=note, negated=negated)

    @property
    def ok(self) -> bool:
        return self.name is not None

    def hint(self) -> str:
        """One sentence for a message: what fits, or what might have been meant."""
        if self.ambiguous:
            return f"it fits {' and '.join(self.ambiguous)}: write the name exactly"
        parts = [self.note] if self.note else []
        if self.suggestions:
            parts.append(f"did you mean {' or '.join(self.suggestions)}?")
        return "; ".join(parts)


def stem(name: str) -> str:
    """The name without a trailing ``_s<k>`` and/or ``_x<j>`` suffix."""
    core = name
    for tag in ("_x", "_s"):
        i = core.rfind(tag)
        if i > 0 and core[i + 2:].isdigit() and core[i + 2:]:
            core = core[:i]
    return core


def _peel(c: str, tags: tuple[str, ...]) -> list[tuple[str, int]]:
    """(rest, number) for each way ``c`` ends with tag + digits (1-4 digits), rest non-empty."""
    i = len(c)
    while i > 0 and "0" <= c[i - 1] <= "9":  # (not ``isdigit``: ❶ and ² are digits to it, and not to ``int``)
        i -= 1
    if i == len(c) or len(c) - i > 4:
        return []
    num, head = int(c[i:]), c[:i]
    return [(head[:-len(t)], num) for t in tags if head.endswith(t) and len(head) > len(t)]


def _step_sfx(k: int) -> str:
    return f"_s{k}" if k > 1 else ""


def _splits(c: str) -> list[tuple[str, str]]:
    """(core, suffix in the problem's spelling) for every way the canonical text may end with a suffix."""
    out = [(c, "")]
    out += [(rest, _step_sfx(k)) for rest, k in _peel(c, _STEP_TAGS) if k >= 1]
    mark = len(c) - len(c.rstrip("+'"))
    if 0 < mark < len(c):  # an update's mark after the step: w_5^{+}_{s2} as LaTeX reads it, w_{5_s2}^{+} (w5s2+)
        out += [(rest + c[-mark:], _step_sfx(k)) for rest, k in _peel(c[:-mark], _STEP_TAGS) if k >= 1]
    for rest, j in _peel(c, _EXAMPLE_TAGS):
        out.append((rest, f"_x{j}"))
        out += [(r2, _step_sfx(k) + f"_x{j}") for r2, k in _peel(rest, _STEP_TAGS) if k >= 1]
    return out


class Resolver:
    """Resolves spellings to the names of one problem (built once per problem; ``resolve`` is cheap)."""

    def __init__(self, names: Iterable[str], *, asked: Iterable[str] = (), givens: Iterable[str] = (),
                 aliases: Mapping[str, str] | None = None, kinds: tuple[Kind, ...] = KINDS,
                 builtin: Mapping[str, Iterable[str]] | None = None) -> None:
        self.names: tuple[str, ...] = tuple(dict.fromkeys(names))
        self._set = frozenset(self.names)
        self._order = {n: i for i, n in enumerate(self.names)}
        self.asked = tuple(a for a in asked if a in self._set)
        self.givens = frozenset(g for g in givens if g in self._set)
        self.kinds = kinds
        self._forms = [(k, k.forms()) for k in kinds]
        self._inner = [(k, k.inner) for k in kinds if k.inner]
        stems = {stem(n) for n in self.names} | set(self.names)
        for k in kinds:  # the bases the names are built on (``w5`` of ``w5_new``), even when not names themselves
            pre, _, post = k.make.partition("{}")
            stems |= {n[len(pre):len(n) - len(post)] for n in list(stems)
                      if (pre or post) and len(n) > len(pre) + len(post) and n.startswith(pre) and n.endswith(post)}
        self._bases: dict[str, set[str]] = {}
        for n in stems:
            self._add(self._bases, n, n)
        self.aliases: dict[str, str] = {}
        for alias, target in (aliases or {}).items():
            if target not in stems:
                raise ValueError(f"alias {alias!r} names {target!r}, which is not a name of the problem")
            self.aliases[alias] = target
            self._add(self._bases, alias, target)
        self._builtin: dict[str, set[str]] = {}
        for target, words in (BUILTIN_ALIASES if builtin is None else builtin).items():
            if target in stems:
                for w in words:
                    self._add(self._builtin, w, target)
        # how an error term ``Err_o1`` (Han & Kamber's, Mitchell's: −∂E/∂net) is read: None, not at all; else as
        # ``delta_o1``, negated (True) where the problem's delta is ∂E/∂net (``for_problem`` says which)
        self.error_terms: bool | None = None
        self._canon = {}  # canonical form -> names, for suggestions
        for n in self.names:
            c = normalise(n)
            if c:
                self._canon.setdefault(c, []).append(n)

    @staticmethod
    def _add(table: dict[str, set[str]], spelling: str, target: str) -> None:
        c = normalise(spelling)
        if c:
            table.setdefault(c, set()).add(target)

    @classmethod
    def for_problem(cls, problem) -> "Resolver":
        """Every generated name of ``problem`` (quantities, givens, frozen biases' ``_new``), its structural
        aliases and its ``notation:``."""
        from grader.spec import names as N

        net = problem.network
        quantities = N.quantity_names(problem)
        givens = N.given_names(problem)
        extra = []
        if not problem.training.update_biases:  # answers a student may give by mistake (flagged, not graded)
            extra = [N.new_name(b, s) for b in net.biases for s in range(1, problem.training.steps + 1)]
        all_names = quantities + givens + extra
        stems = {stem(n) for n in all_names} | set(all_names)
        aliases: dict[str, str] = {}

        def alias(spelling: str, target: str) -> None:
            if target in stems and spelling not in stems:
                aliases.setdefault(spelling, target)

        minus = getattr(problem, "delta_convention", "dE_dnet") != "dE_dnet"
        for n, neuron in net.neurons.items():
            alias(f"out_{n}", n)
            if neuron.net != f"net_{n}":
                alias(f"net_{n}", neuron.net)
            if not minus:  # delta_<n> is dE/dnet_<n>: the gradient spellings of the net input mean it
                for net_name in dict.fromkeys((neuron.net, f"net_{n}")):
                    for sp in DERIVATIVE_SPELLINGS:
                        alias(sp.replace(BASE, net_name), N.delta_name(n, ""))
            # the chain-rule factors: dE/dout_<n> (also dE/d<n>) and dout_<n>/dnet_<n> (with the declared net too)
            for out in (n, f"out_{n}"):
                for sp in DERIVATIVE_SPELLINGS:
                    alias(sp.replace(BASE, out), N.dE_dout_name(n, ""))
                for net_name in dict.fromkeys((neuron.net, f"net_{n}")):
                    for sp in CHAIN_SPELLINGS:
                        alias(sp.format(out=out, net=net_name), N.dout_dnet_name(n, ""))
        for k, o in enumerate(net.outputs, 1):
            alias(f"target_{o}", net.target_name(o))
            # ŷ, the prediction: the output in every book that writes it (y alone is the target in some, the output
            # in others: never read); ŷ_k is the k-th output, ŷ alone the only one
            for hat in ("\\hat{y}", "ŷ", "yhat", "y_hat"):
                alias(f"{hat}_{k}", o)
                if len(net.outputs) == 1:
                    alias(hat, o)
        book = getattr(problem, "layer_notation", None)
        if book is not None:
            from grader.spec.layernames import layer_aliases

            taken = {normalise(n) for n in all_names}  # (a book's y_1 is no target where an output is named y1)
            for a, target in layer_aliases(problem, book).items():
                if target in stems and normalise(a) not in taken:
                    aliases[a] = target
        for a, target in (getattr(problem, "notation", None) or {}).items():
            aliases[a] = target
        resolver = cls(all_names, asked=[a.quantity for a in problem.ask], givens=givens, aliases=aliases)
        resolver.error_terms = not minus
        return resolver

    @property
    def exact(self) -> frozenset[str]:
        """The names as the problem spells them: ``resolve`` gives each of them itself."""
        return self._set

    # ----------------------------------------------------------------------------------------------------------
    def resolve(self, text: str) -> Resolution:
        if not isinstance(text, str):
            return Resolution(None)
        if text in self._set:
            return Resolution(text)
        if text in self.aliases and self.aliases[text] in self._set:
            return Resolution(self.aliases[text])
        c = normalise(text)
        if c is None:
            return Resolution(None, suggestions=self._rank(self._close(text.lower()[:MAX_LEN])))
        found = self._match(c, self._bases) or self._match(c, self._builtin)
        if len(found) == 1:
            return Resolution(next(iter(found)))
        if found:
            return Resolution(None, ambiguous=tuple(sorted(found, key=self._order.__getitem__)))
        return self._error_term(c) or self._unknown(c)

    def _error_term(self, c: str) -> Resolution | None:
        """``Err_o1``, ``Error_{o_1}``: the error term of o1 as Han & Kamber and Mitchell write it, −∂E/∂net_o1. It is
        the problem's ``delta_o1``, negated where that delta is ∂E/∂net (the default convention), as it is where the
        problem declares ``delta_convention: minus_dE_dnet``. None when the rest names no delta of the problem."""
        if self.error_terms is None:
            return None
        for prefix in ("error", "err"):
            if c.startswith(prefix) and len(c) > len(prefix):
                found = sorted((n for n in self._match("delta" + c[len(prefix):], self._bases) if n.startswith("delta_")),
                               key=self._order.__getitem__)
                if len(found) == 1:
                    return Resolution(found[0], negated=self.error_terms)
                return Resolution(None, ambiguous=tuple(found)) if found else None
        return None

    def _match(self, c: str, bases: dict[str, set[str]]) -> set[str]:
        found: set[str] = set()
        for core, sfx in _splits(c):
            for kind, forms in self._forms:
                for before, after in forms:
                    if len(core) > len(before) + len(after) and core.startswith(before) and core.endswith(after):
                        self._candidates(kind, core[len(before):len(core) - len(after)], sfx, bases, found)
            for kind, markers in self._inner:
                for m in markers:
                    i = core.find(m)
                    if 0 < i < len(core) - 1 and core[:i].isalpha():
                        self._candidates(kind, core[:i] + core[i + 1:], sfx, bases, found)
        return found

    def _candidates(self, kind: Kind, base: str, sfx: str, bases: dict[str, set[str]], found: set[str]) -> None:
        for b in bases.get(base, ()):
            name = kind.make.format(b) + sfx
            if name in self._set:
                found.add(name)

    # ----------------------------------------------------------------------------------------------------------
    def _unknown(self, c: str) -> Resolution:
        note = ""
        related: list[str] = []
        # The spelling's parts that are a base of the problem (``Δw5`` -> w5): names built on that base.
        for core, sfx in _splits(c):
            for kind, forms in self._forms:
                for before, after in forms:
                    if len(core) > len(before) + len(after) and core.startswith(before) and core.endswith(after):
                        base = core[len(before):len(core) - len(after)]
                        for b in self._bases.get(base, set()) | self._builtin.get(base, set()):
                            related += [k.make.format(b) + sfx for k in self.kinds if k.make.format(b) + sfx in self._set]
                            if kind.id == "delta" and b in self.givens:
                                note = (f"'Δ{b}' / 'delta {b}' would be the change of {b} ({b}_new − {b}), "
                                        f"not {b} itself, and is not a quantity of this problem")
        return Resolution(None, suggestions=self._rank(related + self._close(c)), note=note)

    def _close(self, c: str) -> list[str]:
        import difflib  # only for a name that does not resolve

        canon = list(self._canon)
        return [n for m in difflib.get_close_matches(c, canon, n=6, cutoff=0.6) for n in self._canon[m]]

    def _rank(self, names: list[str]) -> tuple[str, ...]:
        """Asked quantities first, then other quantities; givens only when no quantity is close."""
        names = list(dict.fromkeys(names))
        asked = set(self.asked)
        first = [n for n in names if n in asked]
        second = [n for n in names if n not in asked and n not in self.givens]
        out = first + second or [n for n in names if n in self.givens]
        return tuple(out[:3])
