"""A chapter's notebook parameters, read from its ``parameters`` cell, and a run's checked
against them before any kernel starts.

The ``parameters`` cell (the one papermill overrides) is the single source: each line
``NAME: type = default  # meaning`` is a parameter. Reading it parses the cell's source (nothing
is executed), so ``mdrepro params ch01`` and the check of ``mdrepro run ch01 -p NAME VALUE``
take milliseconds, before torch or a kernel starts.

>>> p = Parameter("EPOCHS", None, "epochs instead of the profile's", "int | None")
>>> p.accepts(12), p.accepts("x"), p.accepts(None)
(True, False, True)
"""

from __future__ import annotations

import ast
import difflib
import io
import json
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mdrepro.errors import MdreproError

#: Parameters that ``mdrepro run`` sets itself from its own options (``--profile``,
#: ``--device``, ``--seed``) and the output folder a run chooses.
SET_BY_RUN = ("PROFILE", "DEVICE", "SEED")


@dataclass(frozen=True)
class Parameter:
    """One notebook parameter.

    Attributes
    ----------
    name : str
    default : Any
        The value in the ``parameters`` cell (a Python literal).
    doc : str
        The comment on its line, empty when none.
    annotation : str
        Its type as written in the cell (``"int | None"``); empty when the cell gives none,
        and the default's type then stands for it.
    """

    name: str
    default: Any
    doc: str = ""
    annotation: str = ""

    @property
    def type_name(self) -> str:
        """The annotation, else the default's type (``any`` for a None default)."""
        if self.annotation:
            return self.annotation
        return "any" if self.default is None else type(self.default).__name__

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` (as ``-p NAME VALUE`` parses it) has this parameter's type."""
        if not self.annotation:
            return _fits(value, self.default)
        return any(_is(value, t) for t in _alternatives(ast.parse(self.annotation).body[0].value))


class ParameterError(MdreproError):
    """A run's parameter is unknown to the chapter or of the wrong type (one line)."""


def _parameters_cell(notebook: Path) -> str:
    nb = json.loads(Path(notebook).read_text())
    for cell in nb.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            src = cell["source"]
            return "".join(src) if isinstance(src, list) else str(src)
    raise MdreproError(f"expected a cell tagged 'parameters' in {notebook}, found none")


def read(notebook: str | Path) -> list[Parameter]:
    """The parameters of a notebook, in the order of its ``parameters`` cell.

    Parameters
    ----------
    notebook : path
        A chapter notebook (``Chapter.notebook``).

    Returns
    -------
    list of Parameter
    """
    src = _parameters_cell(Path(notebook))
    comments: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.string.lstrip("#").strip()
    out = []
    for node in ast.parse(src).body:
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            target, annotation = node.target, ast.unparse(node.annotation)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, annotation = node.targets[0], ""
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        try:
            default = ast.literal_eval(node.value)
        except ValueError:
            default = ast.unparse(node.value)
        out.append(Parameter(target.id, default, comments.get(node.lineno, ""), annotation))
    return out


def _alternatives(node: ast.expr) -> list[ast.expr]:
    """The members of a union annotation (``a | b | None``)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _alternatives(node.left) + _alternatives(node.right)
    return [node]


_BASES = {"int": int, "float": float, "str": str, "bool": bool, "dict": dict}


def _is(value: Any, t: ast.expr) -> bool:
    """Whether ``value`` is of the annotation member ``t`` (``list[int]`` checks items)."""
    if isinstance(t, ast.Constant) and t.value is None:
        return value is None
    if isinstance(t, ast.Name):
        if t.id == "list":
            return isinstance(value, list)
        return t.id in _BASES and _fits(value, _BASES[t.id]())
    if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == "list":
        return isinstance(value, list) and all(_is(v, t.slice) for v in value)
    return True  # an annotation this reader does not know constrains nothing


def _fits(value: Any, default: Any) -> bool:
    """Whether ``value`` may replace ``default`` (None defaults take anything; an int may stand
    for a float; a string may stand for a list of paths).
    """
    if default is None or value is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, type(default))


def check(chapter_id: str, notebook: str | Path, given: Mapping[str, Any]) -> None:
    """Refuse, in one line, a parameter the chapter does not have or a value of the wrong type.

    Raises
    ------
    ParameterError
        Naming the parameter, the closest valid name (for a typo) or the expected type.
    """
    params = {p.name: p for p in read(notebook)}
    for name, value in given.items():
        if name in SET_BY_RUN:
            raise ParameterError(
                f"expected {name} from the option --{name.lower()} of `mdrepro run`, found "
                f"`-p {name}`"
            )
        if name not in params:
            close = difflib.get_close_matches(name, params, n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise ParameterError(
                f"expected a parameter of {chapter_id} (`mdrepro params {chapter_id}`), "
                f"found {name!r}{hint}"
            )
        p = params[name]
        if not p.accepts(value):
            like = "" if p.annotation else f" (like its default {p.default!r})"
            raise ParameterError(
                f"expected {name} of {chapter_id} to be {p.type_name}{like}, found "
                f"{type(value).__name__} {value!r}"
            )


#: Parameters that name input files (a path, a list of paths, or a dict of them), by the end
#: of their name.
FILE_SUFFIXES = ("TRAJECTORY", "TOPOLOGY", "MD17", "POSITIONS", "VELOCITIES")


def resolve_files(chapter_id: str, given: Mapping[str, Any], cwd: str | Path) -> dict[str, Any]:
    """``given`` with every input-file parameter's paths made absolute against ``cwd`` (the
    notebook runs in its own folder, so a path typed relative to the shell would not be
    found there), after checking that each names a readable file.

    Raises
    ------
    ParameterError
        One line naming the parameter and the path that is missing or unreadable.
    """

    def fix(name: str, value: Any) -> Any:
        if isinstance(value, list):
            return [fix(name, v) for v in value]
        if isinstance(value, dict):
            return {k: fix(name, v) for k, v in value.items()}
        if not isinstance(value, str):
            return value
        path = (Path(cwd) / Path(value).expanduser()).resolve()
        if not path.is_file():
            found = "a folder" if path.is_dir() else "no such file"
            raise ParameterError(
                f"expected {name} of {chapter_id} to name a readable file, found {found}: {path}"
            )
        try:
            with open(path, "rb"):
                pass
        except OSError as exc:
            raise ParameterError(
                f"expected {name} of {chapter_id} to name a readable file, found "
                f"{exc.strerror}: {path}"
            ) from None
        return str(path)

    return {
        k: fix(k, v) if k.endswith(FILE_SUFFIXES) and v is not None else v
        for k, v in given.items()
    }


def table(notebook: str | Path) -> str:
    """The parameters as aligned text: name, type, default, meaning."""
    rows = [(p.name, p.type_name, repr(p.default), p.doc) for p in read(notebook)]
    if not rows:
        return "(no parameters)"
    w = [max(len(r[i]) for r in rows + [("name", "type", "default", "")]) for i in range(3)]
    head = f"{'name':<{w[0]}}  {'type':<{w[1]}}  {'default':<{w[2]}}  meaning"
    return "\n".join(
        [head] + [f"{a:<{w[0]}}  {b:<{w[1]}}  {c:<{w[2]}}  {d}".rstrip() for a, b, c, d in rows]
    )
