"""The stubs made without parsing the large modules again say what parsing them would.

The client's stub is rendered from its template in stub mode and the models' made from the
tree the models stage read back (``svcgen.output.stubs``); both must stay what the stub of the
module's own source is (``svcgen.models.stub.source_stub``), once formatted: otherwise the
stub and the module it describes drift apart when one half of the template changes.
"""

from __future__ import annotations

import ast
import random

import pytest

import svcgen.pipeline
from svcgen.core import escape
from svcgen.models.stub import source_stub
from svcgen.output.format import format_tree
from svcgen.output.stubs import pruned_imports
from tests.golden_support import generate_in_memory, golden_specs

SPECS = golden_specs()


@pytest.mark.parametrize("spec", SPECS, ids=[spec.stem for spec in SPECS])
def test_stubs_match_the_stubs_of_the_modules_source(spec, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(svcgen.pipeline, "format_tree", lambda files, formatter="ruff": files)
    files = generate_in_memory(spec)
    stubs = [path for path in files if path.count("/") == 1 and path.endswith(("/_client.pyi", "/models.pyi"))]
    assert stubs
    for path in stubs:
        expected, actual = format_tree({"a.pyi": source_stub(files[path[:-1]]), "b.pyi": files[path]}).values()
        assert actual == expected, path


def test_docstring_literal_in_a_stub_is_what_ast_unparse_writes() -> None:
    pieces = ["a", " ", '"', "'", "\\", "\n", "\xa0", "é", "\u00ad", '"""', "'''", "\U0001f600", "\\n", "x:"]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        body = escape.docstring(text)
        value = ast.literal_eval(f'"""{body}"""')
        expected = ast.unparse(ast.Module(body=[ast.Expr(ast.Constant(value))], type_ignores=[]))
        assert escape.docstring_literal(body, stub=True) == expected, text
        assert escape.docstring_literal(body) == f'"""{body}"""'


def test_client_stub_keeps_only_the_imports_its_signatures_use() -> None:
    stub = (
        '"""Doc."""\n'
        "from __future__ import annotations\n"
        "from typing import Any, Literal\n"
        "from ._runtime import Endpoint, NOT_GIVEN, NotGiven, date\n"
        "from .models import Pet as Pet, Unused\n"
        "from . import models as _models\n"
        "if TYPE_CHECKING:\n"
        "    from .models import Unused\n"
        "\n"
        "class Client(Base):\n"
        '    """Uses Endpoint and Unused in words only."""\n'
        "\n"
        "    def get(self, date: Literal['Any'] | NotGiven=NOT_GIVEN, *, pet: numpy.Pet) -> Pet:\n"
        '        """Unused."""\n'
        "        ...\n"
    )
    pruned = pruned_imports(stub)
    assert "from typing import Literal\n" in pruned
    assert "from ._runtime import NOT_GIVEN, NotGiven\n" in pruned
    assert "from .models import Pet as Pet\n" in pruned
    assert "_models" not in pruned
    assert ast.dump(ast.parse(pruned)) == ast.dump(ast.parse(source_stub(stub)))
