"""The OpenAPI 3 document for /api/v1, written by hand as a Python dict (the contract clients rely on)."""

from __future__ import annotations

from models.people import EMPLOYERS, PERSON_TYPES, ROLES
from tracker.api import openapi_training as training
from tracker.api.openapi_builders import (
    DATE,
    ID,
    create_op,
    get_op,
    list_op,
    nullable,
    obj,
    query,
    string,
)

SCHEMAS = {
    "Problem": obj({
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": obj({
            "item": nullable({"type": "integer", "minimum": 0}),
            "field": nullable({"type": "string"}),
            "message": {"type": "string"}}, ("item", "field", "message"))},
    }, ("type", "title", "status", "detail", "errors")),
    "Person": obj({
        "id": ID, "first_name": string(100), "last_name": string(100), "email": string(254),
        "phone": nullable(string(40)), "person_type": {"type": "string", "enum": list(PERSON_TYPES)},
        "employer": {"type": "string", "enum": list(EMPLOYERS)}, "agency_id": nullable(ID),
        "licence_number": nullable(string(50)),
    }, ("id", "first_name", "last_name", "email", "phone", "person_type", "employer", "agency_id",
        "licence_number")),
    "PersonInput": obj({
        "first_name": string(100, minLength=1), "last_name": string(100, minLength=1),
        "email": string(254, format="email"), "phone": nullable(string(40)),
        "person_type": {"type": "string", "enum": list(PERSON_TYPES)},
        "employer": {"type": "string", "enum": list(EMPLOYERS), "default": "district"},
        "agency_id": nullable(ID), "licence_number": nullable(string(50)),
    }, ("first_name", "last_name", "email", "person_type")),
    "Assignment": obj({
        "id": ID, "person_id": ID, "role": {"type": "string", "enum": list(ROLES)}, "start_date": DATE,
        "end_date": nullable(DATE), "notes": nullable({"type": "string"}),
        "school_ids": {"type": "array", "items": ID},
    }, ("id", "person_id", "role", "start_date", "end_date", "notes", "school_ids")),
    "AssignmentInput": obj({
        "person_id": ID, "role": {"type": "string", "enum": list(ROLES)}, "start_date": DATE,
        "end_date": nullable(DATE), "notes": nullable(string(2000)),
        "school_ids": {"type": "array", "items": ID, "minItems": 1, "maxItems": 50},
        "placement_exception_reason": nullable(string(2000)),
    }, ("person_id", "role", "start_date", "school_ids")),
}

PATHS = {
    "/people": {
        **list_op("people", "People the token may see", "Person", [
            query("q", string(100), "Search in names and email"),
            query("school_id", ID, "Current or upcoming assignment at this school"),
            query("agency_id", ID, "Employed by this agency"),
            query("person_type", {"type": "string", "enum": list(PERSON_TYPES)}, "Person type"),
            query("employer", {"type": "string", "enum": list(EMPLOYERS)}, "Employer"),
        ]),
        **create_op("people", "Create a person (admin, HR)", "Person", "PersonInput"),
    },
    "/people/{person_id}": get_op("people", "One person", "Person", "person_id"),
    "/assignments": {
        **list_op("assignments", "Assignments of people the token may see", "Assignment", [
            query("person_id", ID, "Of this person"), query("school_id", ID, "At this school"),
            query("role", {"type": "string", "enum": list(ROLES)}, "In this role"),
            query("active_on", DATE, "Covering this date"),
        ]),
        **create_op("assignments", "Place a person at schools (admin, HR)", "Assignment",
                    "AssignmentInput"),
    },
    "/assignments/{assignment_id}": get_op("assignments", "One assignment", "Assignment",
                                           "assignment_id"),
}

def document() -> dict:
    """The whole OpenAPI document."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "SECURe Tracker API", "version": "1.0.0",
                 "description": "People, assignments, training and evaluation status for district systems. "
                                "Every token acts with its user's role and scope."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": {**PATHS, **training.PATHS},
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {**SCHEMAS, **training.SCHEMAS},
        },
    }
