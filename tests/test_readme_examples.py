"""README's Python examples run as written, one after the other, as a reader would paste them."""

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_package_examples_run_and_say_what_they_show():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    examples = [block for block in blocks if "from gmm_teach import" in block]
    assert len(examples) >= 2
    namespace = {}
    for block in examples:
        exec(compile(block, str(README), "exec"), namespace)
    result, mixture = namespace["result"], namespace["mixture"]
    assert result.mus.shape == (4, 2) and np.all(np.diff(result.log_likelihoods) >= -1e-9)
    np.testing.assert_array_equal(result.labels[:8], namespace["y"][:8])
    assert mixture.mus.shape == (10, 64) and mixture.converged
