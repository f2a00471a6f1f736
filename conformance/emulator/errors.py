"""The emulator's error answers: the reference's error object, raised from anywhere in a handler."""

from __future__ import annotations


class APIError(Exception):
    def __init__(self, status: int, message: str, type: str = "invalid_request_error", param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"message": message, "type": type, "param": param, "code": code}}


def invalid(param: str, message: str, code: str = "invalid_value") -> APIError:
    return APIError(400, message, param=param, code=code)


def model_not_found(model: object) -> APIError:
    return APIError(404, f"The model `{model}` does not exist or you do not have access to it.", code="model_not_found")
