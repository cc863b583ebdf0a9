"""OpenAPI post-processing: every operation documents the one error shape it can return."""

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "example": "validation_error"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}

ERROR_RESPONSES = {
    "400": "Invalid input; `fields` names each field with its messages.",
    "401": "Not authenticated.",
    "403": "Authenticated but not allowed (role, verification, ownership).",
    "404": "Not found, or not yours to see.",
    "405": "Method not allowed.",
    "409": "Conflict with the current state (a transition not allowed, a duplicate).",
    "415": "Unsupported media type.",
    "429": "Rate limited; see Retry-After.",
}


def add_error_responses(result: dict, generator, request, public) -> dict:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                responses.setdefault(status, {"description": description, "content": reference})
    return result
