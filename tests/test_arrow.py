"""take_rows / take_values against pandas' own row selection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from beian_audit._arrow import take_rows


@settings(max_examples=60)
@given(
    sizes=st.lists(st.integers(0, 6), min_size=1, max_size=5),
    data=st.data(),
)
def test_take_rows_equals_iloc(sizes: list[int], data: st.DataObject) -> None:
    n = sum(sizes)
    values = [f"v{i}" if i % 4 else None for i in range(n)]
    chunks, a = [], 0
    for k in sizes:
        chunks.append(values[a : a + k])
        a += k
    frame = pd.DataFrame(
        {
            "text": pd.array(pa.chunked_array(chunks, type=pa.large_string()), dtype="str"),
            "arrow": pd.array(pa.chunked_array(chunks, type=pa.string()),
                              dtype=pd.ArrowDtype(pa.string())),
            "number": np.arange(n, dtype=np.int64),
        },
        index=[f"r{i}" for i in range(n)],
    )
    frame.attrs["source"] = "test"
    positions = data.draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=12)) if n else []
    got = take_rows(frame, positions)
    pd.testing.assert_frame_equal(got, frame.iloc[positions])
    assert got.attrs == {"source": "test"}
