"""JSON Schemas (draft 2020-12) for editors and other tools, one per record type, made from
the same model declarations the validator uses."""
from __future__ import annotations

import json
from pathlib import Path

from ..model import RECORD_TYPES, Record
from ..model.base import INTERNAL

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def record_schema(model: type[Record]) -> dict:
    schema = model.model_json_schema(mode="validation")
    schema = {"$schema": DIALECT, "$id": f"{model.type_name}.schema.json", **schema}
    schema["title"] = model.label
    schema["description"] = (f"{model.label}记录，存放在 records/{model.folder}/"
                             + ("YYYY/" if model.yearly else "") + "，文件名 = 编号.yaml")
    schema["properties"]["id"]["pattern"] = model.id_pattern()
    schema["properties"]["id"]["examples"] = [model.id_example()]
    if model.internal_type:
        schema["x-visibility"] = INTERNAL
    return schema


def write_schemas(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in RECORD_TYPES.items():
        path = out / f"{name}.schema.json"
        path.write_text(json.dumps(record_schema(model), ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
        written.append(path)
    return written
