"""Pure-Python normalisers: strings -> exact typed values (amounts, periods).

Language knowledge lives in ``normalizers/data/<lang>/*.toml``; the code is language-neutral.
"""
