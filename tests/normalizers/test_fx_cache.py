"""normalizers.fx: the parsed ECB converter is kept in the machine's cache and read back from it."""
from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = ("import json, sys\nfrom datetime import date\nfrom normalizers import fx\n"
          "rates = [fx.ecb_rate(a, b, date(*d)) for a, b, d in [('USD', 'EUR', (2020, 1, 2)), ('JPY', 'USD', (2023, 12, 31)),"
          " ('GBP', 'CHF', (1999, 1, 4)), ('RUB', 'EUR', (2024, 6, 3))]]\n"
          "print(json.dumps([None if r is None else [r.rate, str(r.rate_date), r.stale] for r in rates]"
          " + [str(fx.ecb_last_date()), sorted(fx.ecb_currencies())]))")


def _run(cache: str) -> list:
    env = {**os.environ, "CANVAS_ETL_CACHE_DIR": cache}
    res = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_the_cached_converter_answers_as_the_parsed_one(tmp_path):
    parsed = _run("")  # no cache: the package's file parsed
    first = _run(str(tmp_path))  # parsed, then written to the cache
    [cached_file] = tmp_path.glob("fx-*.pickle")
    again = _run(str(tmp_path))  # read back from the cache
    assert parsed == first == again
    assert parsed[0][1] == "2020-01-02" and parsed[3] is None  # a rate; the ECB stopped RUB in 2022
    cached_file.write_bytes(cached_file.read_bytes()[:1000])  # damaged: ignored, parsed and written again
    assert _run(str(tmp_path)) == parsed
    assert cached_file.stat().st_size > 1000
