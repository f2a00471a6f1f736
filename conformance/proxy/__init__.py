"""``openai-conformance proxy``: live traffic between a real client and a server, forwarded unchanged and
judged as it passes, with the checks and reports of ``judge`` (docs/proxy.md).

forward.py forwards and captures; live.py records each exchange (key redacted) in the JSON Lines format
``judge`` reads and judges it from there; command.py serves, and writes the reports through ``judge``.
"""
