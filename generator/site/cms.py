"""/admin/ of the internal site: a form editor for staff who do not write YAML (Decap CMS).

Its configuration is made here from the record model, the same declarations the validator and
the JSON Schemas read (generator/model/, `field_specs`): one collection per record type in its
folder, a widget per field type (dates as date pickers, choices as selects with their Chinese
labels, references as searchable relation widgets, nested parts as objects, lists as lists),
required fields required, internal fields marked in their hints. The editorial workflow is on:
saving opens a branch and a pull/merge request, publishing merges it.

The page loads nothing from another host: Decap's bundle (tools/cms, from npm) is copied next
to it. site_templates/admin/taizhang-cms.js registers the file format that writes records in
`fmt`'s canonical form (keeping the untouched parts of a file byte for byte), the widget that
allocates the next id the way `new` does, and the check run before saving:
site_templates/admin/taizhang-rules.js applies the rulebook written into config.json here
(`rulebook.table()`: the same declarations the validator applies), with the validator's codes
and messages.
Only the internal site calls `write_admin`; the public site never gets /admin/.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import yaml
from pydantic import BaseModel

from ..catalog.catalog import Catalog
from ..model import RECORD_TYPES, Record
from ..model.fields import FieldSpec, _unwrap, field_specs
from ..model import rulebook
from .csp import admin_policy

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "site_templates" / "admin"
DECAP_DIST = ROOT / "tools" / "cms" / "node_modules" / "decap-cms" / "dist"
JS_YAML = ROOT / "tools" / "cms" / "node_modules" / "js-yaml" / "dist" / "js-yaml.min.js"
LOCAL_PROXY = "http://127.0.0.1:8081/api/v1"     # decap-server, started by `make edit`

# Free text that usually runs to several sentences: a text area rather than one line.
LONG_TEXT = {"description", "measures", "summary", "body", "analysis", "advice", "draft",
             "standard", "task_status", "progress", "improvements", "suggestions", "focus", "text",
             "internal_note", "note"}

INTERNAL_HINT = "内部字段：只在内部站显示，不会出现在公开站。"


def _display_field(model: type[BaseModel]) -> str:
    """The field a record is known by (a person by role: names are internal and optional)."""
    fields = model.model_fields
    return next((n for n in ("name", "title", "role") if n in fields and fields[n].is_required()), "id")


def _bare(model: type[BaseModel], name: str):
    info = model.model_fields[name]
    bare, _meta = _unwrap(info.annotation)
    return info, bare


def _choices(labels: dict) -> list[dict]:
    return [{"label": label, "value": value} for value, label in labels.items()]


def _ref_options(catalog: Catalog, types: tuple[str, ...]) -> list[dict]:
    """The records a multi-type reference may name, as select options “名称（编号）”."""
    options = []
    for type_name in types:
        model = RECORD_TYPES[type_name]
        display = _display_field(model)
        for record in sorted(catalog.of_type(type_name), key=lambda r: r.id):
            name = getattr(record, display, None) or record.id
            options.append({"label": f"{model.label}：{name}（{record.id}）", "value": record.id})
    return options


def _ref_names(catalog: Catalog, types: tuple[str, ...]) -> dict[str, str]:
    """id → name of the records a reference may name."""
    names = {}
    for type_name in types:
        display = _display_field(RECORD_TYPES[type_name])
        for record in sorted(catalog.of_type(type_name), key=lambda r: r.id):
            names[record.id] = getattr(record, display, None) or record.id
    return names


def _hint(spec: FieldSpec, description: str | None, extra: str = "") -> str | None:
    parts = [p for p in (description, extra, INTERNAL_HINT if spec.internal else None) if p]
    return " ".join(parts) or None


def _widget(model: type[BaseModel], spec: FieldSpec, catalog: Catalog) -> dict:
    """The Decap field for one model field."""
    info, bare = _bare(model, spec.name)
    required = info.is_required()
    out: dict = {"name": spec.name, "label": spec.title + ("（内部）" if spec.internal else ""),
                 "required": required}
    extra = ""
    inner = bare
    if spec.many:
        inner = _unwrap(bare.__args__[0])[0]
    if spec.refs and len(spec.refs) == 1:
        target = RECORD_TYPES[spec.refs[0]]
        display = _display_field(target)
        out.update(widget="relation", collection=target.type_name, value_field="id",
                   search_fields=list(dict.fromkeys([display, "id"])),
                   display_fields=[f"{{{{{display}}}}}（{{{{id}}}}）" if display != "id" else "{{id}}"],
                   multiple=spec.many, options_length=50)
        extra = f"输入{target.label}名称或编号搜索。"
    elif spec.refs:
        out.update(widget="select", options=_ref_options(catalog, spec.refs), multiple=spec.many)
        extra = "可输入名称筛选：" + "、".join(RECORD_TYPES[t].label for t in spec.refs) + "。"
    elif spec.labels is not None:
        out.update(widget="select", options=_choices(spec.labels), multiple=spec.many)
    elif spec.part is not None:
        fields = [_widget(spec.part, s, catalog) for s in field_specs(spec.part)]
        if spec.many:
            if not required:
                out["default"] = []      # or Decap starts the list with one item of its fields' defaults
            shown = field_specs(spec.part)[:2]
            out.update(widget="list", fields=fields, collapsed=True,
                       summary=" ".join(f"{{{{fields.{s.name}}}}}" for s in shown),
                       label_singular=spec.title)
            # collapsed rows show 整改中 and 总指挥部办公室, not rectifying and hq-office (taizhang-cms.js)
            labels = {s.name: s.labels if s.labels else _ref_names(catalog, s.refs)
                      for s in shown if s.labels or (s.refs and not s.many)}
            if labels:
                out["summary_labels"] = labels
        else:
            if not required:   # Decap would demand them even when the whole part is left empty
                for sub in fields:
                    if sub.get("required"):
                        sub["required"] = False
                        sub["label"] += "（填写“" + spec.title + "”时必填）"
            out.update(widget="object", fields=fields, collapsed=not required)
    elif spec.many:
        item = {"name": "item", "label": spec.title, "widget": "string"}
        out.update(widget="list", field=item)
    elif spec.name == "street" and "district" in model.model_fields:
        # a select of the chosen district's streets (taizhang-cms.js "tz-street")
        out.update(widget="tz-street", streets={d.id: [[s.id, s.name] for s in d.streets]
                                                for d in catalog.of_type("district")})
        extra = "先选择责任区，再从该区的街道中选择。"
    elif inner is dt.date:
        # typed and shown as YYYY-MM-DD, 今天 in Beijing time (taizhang-cms.js "tz-date"); Decap's own
        # date picker shows the browser's format (mm/dd/yyyy) and UTC
        out.update(widget="tz-date")
        if required:
            out["today_default"] = True        # taizhang-cms.js fills in today (Asia/Shanghai), as `new` does
        else:
            out["default"] = ""
    elif inner is bool:
        out.update(widget="boolean")
    elif inner in (int, float):
        out.update(widget="number", value_type="int" if inner is int else "float")
        for meta in info.metadata:
            if getattr(meta, "ge", None) is not None:
                out["min"] = meta.ge
            if getattr(meta, "le", None) is not None:
                out["max"] = meta.le
    else:
        out["widget"] = "text" if spec.name in LONG_TEXT else "string"
        pattern = (info.json_schema_extra or {}).get("pattern") if isinstance(info.json_schema_extra, dict) else None
        for meta in info.metadata:
            pattern = pattern or (getattr(meta, "json_schema_extra", None) or {}).get("pattern")
            if getattr(meta, "max_length", None):
                out["pattern"] = [f"^[\\s\\S]{{0,{meta.max_length}}}$", f"最多 {meta.max_length} 个字"]
        if pattern:
            out["pattern"] = [pattern, "格式不对，例如 2017-05"]
    default = None if required else info.get_default(call_default_factory=True)
    if default not in (None, [], "") and not isinstance(default, BaseModel) and "default" not in out:
        out["default"] = default
    # the street's description speaks of codes in the district's record: the select shows names
    hint = _hint(spec, None if out["widget"] == "tz-street" else info.description, extra)
    if hint:
        out["hint"] = hint
    return out


def _id_field(model: type[Record]) -> dict:
    if model.yearly:
        return {"name": "id", "label": "编号", "widget": "tz-id", "required": True,
                "id_prefix": model.id_prefix, "collection_name": model.type_name,
                "pattern": [model.id_pattern(), f"编号的格式是 {model.id_example()}"],
                "hint": "自动取下一个编号（与 taizhang new 相同），文件名就是编号。"}
    return {"name": "id", "label": "编号", "widget": "tz-code", "required": True,
            "pattern": [model.id_pattern(), "小写字母开头，只用小写字母、数字和连字符，例如 " + model.id_example()],
            "hint": "文件名就是编号，保存后不能再改。"}


def collection(model: type[Record], catalog: Catalog) -> dict:
    display = _display_field(model)
    # the record's own fields first; whether it is internal-only and the internal note last
    specs = sorted((s for s in field_specs(model) if s.name != "id"), key=lambda s: s.name in ("visibility", "note"))
    fields = [_id_field(model)] + [_widget(model, s, catalog) for s in specs]
    if model.type_name == "problem":          # a new problem starts registered, as `new` does
        history = next(f for f in fields if f["name"] == "history")
        history["default"] = [{"state": "registered"} | (
            {"by": "hq-office"} if catalog.get("hq-office") is not None else {})]
        history["hint"] = "每次进展在末尾追加一条事件，不要改已有的事件；最后一条的状态就是当前状态。"
    folder = f"records/{model.folder}"
    out = {
        "name": model.type_name, "label": model.label, "label_singular": model.label,
        "description": (f"records/{model.folder}/" + ("年份/" if model.yearly else "") + "编号.yaml"
                        + ("。整类仅内部，不会出现在公开站。" if model.internal_type else "")),
        "folder": folder, "extension": "yaml", "format": f"taizhang-{model.type_name}",
        "identifier_field": "id", "slug": "{{fields.id}}",
        "create": model.type_name != "campaign", "delete": False,
        "summary": "{{id}} {{" + display + "}}" if display != "id" else "{{id}}",
        "sortable_fields": ["id"] + ([display] if display != "id" else []),
        "editor": {"preview": False},
        "fields": fields,
    }
    if model.yearly:
        out["path"] = "{{year}}/{{slug}}"     # the same UTC year the id widget numbers in
    return out


def _kind(model: type[BaseModel], spec: FieldSpec) -> str:
    _info, bare = _bare(model, spec.name)
    inner = _unwrap(bare.__args__[0])[0] if spec.many else bare
    if spec.part is not None:
        return "part"
    return {dt.date: "date", bool: "bool", int: "int", float: "float"}.get(inner, "str")


def _shape(model: type[BaseModel], parts: dict) -> list[dict]:
    """Field order, kinds and defaults of a model and its parts, for the canonical writer."""
    out = []
    for spec in field_specs(model):
        info = model.model_fields[spec.name]
        item = {"name": spec.name, "title": spec.title, "kind": _kind(model, spec), "many": spec.many,
                "required": info.is_required(), "text": spec.text}
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        if isinstance(default, BaseModel):
            default = default.model_dump(mode="json")
        if default not in (None, [], ""):
            item["default"] = default
        if spec.part is not None:
            item["part"] = spec.part.__name__
            if spec.part.__name__ not in parts:
                parts[spec.part.__name__] = []
                parts[spec.part.__name__] = _shape(spec.part, parts)
        out.append(item)
    return out


def model_shapes() -> dict:
    """What the form's scripts know of the model: each type's and part's fields (for the
    canonical writer and the rule check) and the rulebook (model/rulebook.py), which
    taizhang-rules.js interprets as the validator does."""
    parts: dict = {}
    types = {name: _shape(model, parts) for name, model in RECORD_TYPES.items()}
    return {"types": types, "parts": parts, "rules": rulebook.table()}


def backend_settings() -> dict:
    """Which Git host the form saves to (site_templates/admin/backend.yml)."""
    settings = yaml.safe_load((TEMPLATES / "backend.yml").read_text("utf-8")) or {}
    return {k: v for k, v in settings.items() if v not in (None, "")}


def decap_config(catalog: Catalog, backend: dict | None = None) -> dict:
    backend = dict(backend or backend_settings())
    backend.setdefault("branch", "main")
    backend["commit_messages"] = {
        "create": "新增{{collection}} {{slug}}（网页表单）",
        "update": "修改{{collection}} {{slug}}（网页表单）",
        "delete": "删除{{collection}} {{slug}}（网页表单）",
        "uploadMedia": "上传附件 {{path}}（网页表单）",
        "deleteMedia": "删除附件 {{path}}（网页表单）",
        "openAuthoring": "{{message}}",
    }
    return {
        "load_config_file": False,
        "locale": "zh_Hans",
        "backend": backend,
        "publish_mode": "editorial_workflow",
        "local_backend": {"url": LOCAL_PROXY},
        "media_folder": "records/attachments",
        "public_folder": "attachments",
        "slug": {"encoding": "ascii", "clean_accents": False, "sanitize_replacement": "-"},
        "collections": [collection(model, catalog) for model in RECORD_TYPES.values()],
    }


def write_admin(catalog: Catalog, docs: Path) -> None:
    """Write /admin/ into an (internal) site's docs folder."""
    admin = docs / "admin"
    admin.mkdir(parents=True, exist_ok=True)
    backend = backend_settings()
    installed = (DECAP_DIST / "decap-cms.js").is_file() and JS_YAML.is_file()
    page = (TEMPLATES / ("index.html" if installed else "missing.html")).read_text("utf-8")
    page = page.replace("{{ policy }}", admin_policy(backend))
    (admin / "index.html").write_text(page, "utf-8")
    if not installed:
        return
    vendor = admin / "vendor"
    vendor.mkdir(exist_ok=True)
    for path in sorted(DECAP_DIST.iterdir()):   # the bundle, the chunks it loads on demand, its licences
        if re.fullmatch(r"(\d+\.)?decap-cms\.js(\.LICENSE\.txt)?|[0-9a-f]+\.wasm", path.name):
            shutil.copyfile(path, vendor / path.name)
    shutil.copyfile(JS_YAML, vendor / "js-yaml.min.js")
    shutil.copyfile(TEMPLATES / "taizhang-rules.js", admin / "taizhang-rules.js")
    shutil.copyfile(TEMPLATES / "taizhang-cms.js", admin / "taizhang-cms.js")
    shutil.copyfile(TEMPLATES / "admin.css", admin / "admin.css")
    settings = {"decap": decap_config(catalog, backend), "model": model_shapes()}
    (admin / "config.json").write_text(json.dumps(settings, ensure_ascii=False, indent=1, sort_keys=False)
                                       + "\n", "utf-8")
