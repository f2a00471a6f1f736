"""The conformance cases: each states a request, the status it expects, and the reference section it verifies.

Cases never assert by hand; the ``api`` fixture runs every applicable check on every exchange. A case goes on
after a step that failed a check and fails once at its end; what a later step takes from an answer (an id) it
takes with ``Exchange.needed``, never ``.data[...]``: an answer without it ends the case there (conformance/steps.py).
"""
