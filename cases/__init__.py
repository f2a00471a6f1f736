"""The conformance cases: each states a request, the status it expects, and the reference section it verifies.

Cases never assert by hand; the ``api`` fixture runs every applicable check on every exchange.
"""
