"""docs/python.md shows the Django example whole: it must be the file the
tests run (clients/python/examples/django_stamp.py), not a copy that rots."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_the_docs_show_the_example_that_is_tested():
    doc = (ROOT / "docs" / "python.md").read_text()
    example = (ROOT / "clients" / "python" / "examples" / "django_stamp.py").read_text()
    blocks = re.findall(r"```python\n# clients/python/examples/django_stamp.py\n(.*?)```", doc, re.S)
    assert len(blocks) == 1, "docs/python.md should show the example once, under its path"
    assert blocks[0] == example
