/* 台账 · the rulebook as the form applies it (/admin/, internal site only)
 *
 * This file holds no rule of its own. It interprets the rulebook that generator/site/cms.py writes
 * into config.json from the record model (generator/model/rulebook.py, lifecycle.py, and the field
 * declarations), the same declarations the validator interprets in generator/validate/check/
 * (lifecycle.py, schema.py, rules.py): required fields, the lifecycle of a problem (first state,
 * allowed transitions, what an event requires, evidence before 销号), dates that may not lie before
 * others, fields required by a record's kind, control characters in text. Each finding carries
 * the validator's code, place (`history[3].new_deadline`), message and hint, made from the
 * validator's own templates; tests/test_cms.py runs every (state, next state, fields) case
 * through this file (under node) and through the validator and compares them.
 *
 *   TaizhangRules.check(model, type, data) → [{code, path, message, hint}]
 *
 * `model` is config.json's `model` (types, parts, rules); `data` the record as plain JSON, dates
 * as YYYY-MM-DD text, empty inputs already dropped.
 */
'use strict';
(function (root) {
  function isMap(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  }

  function missing(value) {
    return value === undefined || value === null || value === '' || (Array.isArray(value) && !value.length);
  }

  // findings.format_loc: ('history', 2, 'date') → history[2].date
  function formatLoc(loc) {
    var out = '';
    loc.forEach(function (part) {
      out += typeof part === 'number' ? '[' + part + ']' : (out ? '.' + part : part);
    });
    return out;
  }

  function shapeField(model, shape, name) {
    return shape ? shape.find(function (f) { return f.name === name; }) : undefined;
  }

  // fields.spec_at: the declaration of the field at `loc`
  function fieldAt(model, type, loc) {
    var shape = model.types[type], field;
    for (var i = 0; i < loc.length; i++) {
      if (typeof loc[i] === 'number') continue;
      if (!shape) return undefined;
      field = shapeField(model, shape, loc[i]);
      if (!field) return undefined;
      shape = field.part ? model.parts[field.part] : null;
    }
    return field;
  }

  // fields.field_label: “整改时限”（deadline）
  function fieldLabel(model, type, loc) {
    var field = fieldAt(model, type, loc), path = formatLoc(loc) || '记录';
    return field ? '“' + field.title + '”（' + path + '）' : path;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, name) { return String(values[name]); });
  }

  function Findings(model) {
    this.model = model;
    this.list = [];
  }
  Findings.prototype.add = function (code, loc, values) {
    var spec = this.model.rules.codes[code];
    this.list.push({ code: code, path: formatLoc(loc), message: fill(spec.message, values || {}),
                     hint: fill(spec.hint, values || {}) });
  };

  // Pass 1 as far as the form can get it wrong: a required field left empty (a part begun, an
  // event without its date). Like pydantic, a part is only looked into when it is there.
  function required(out, type, shape, value, loc) {
    shape.forEach(function (field) {
      var v = value[field.name], here = loc.concat([field.name]);
      if (field.required && missing(v) && !(field.many && Array.isArray(v))) {
        out.add('E-SCHEMA-REQUIRED', here, { field: fieldLabel(out.model, type, here), name: field.name });
        return;
      }
      if (!field.part || missing(v)) return;
      var part = out.model.parts[field.part];
      if (field.many && Array.isArray(v)) {
        v.forEach(function (item, i) { if (isMap(item)) required(out, type, part, item, here.concat([i])); });
      } else if (isMap(v)) {
        required(out, type, part, v, here);
      }
    });
  }

  // rulebook.DATE_RULES
  function dates(out, type, data) {
    var titles = out.model.types[type];
    (out.model.rules.dates[type] || []).forEach(function (rule) {
      var other = rule.after ? data[rule.after] : undefined;
      var otherTitle = rule.after ? (shapeField(out.model, titles, rule.after) || { title: rule.after }).title : '';
      if (!rule.items) {
        var value = data[rule.field];
        if (value && other && value < other) {
          out.add(rule.code, [rule.field], { field: fieldLabel(out.model, type, [rule.field]), value: value,
            other_field: otherTitle, other: other, found: other, previous: other });
        }
        return;
      }
      var items = data[rule.items];
      if (!Array.isArray(items) || (rule.after && !other)) return;
      items.forEach(function (item, i) {
        var value = item && item[rule.field];
        var bound = rule.after ? other : (i && items[i - 1] ? items[i - 1][rule.field] : undefined);
        if (value && bound && value < bound) {
          out.add(rule.code, [rule.items, i, rule.field], { field: '第 ' + (i + 1) + ' 条' + rule.item_label,
            value: value, other_field: otherTitle, other: bound, found: bound, previous: bound });
        }
      });
    });
  }

  // lifecycle.START, TRANSITIONS, EVENT_RULES (validate/check/lifecycle.py check_lifecycle)
  function lifecycle(out, type, data) {
    var rules = out.model.rules.lifecycle;
    if (rules.type !== type) return;
    var history = data[rules.list];
    if (!Array.isArray(history)) return;
    if (!history.length) { out.add('E-LIFECYCLE-START', [rules.list], { state: '（空）' }); return; }
    var label = function (s) { return rules.labels[s] || s; };
    if (history[0][rules.state] !== rules.start) {
      out.add('E-LIFECYCLE-START', [rules.list, 0, rules.state], { state: label(history[0][rules.state]) });
    }
    var deadline = data[rules.deadline], evidence = false;
    history.forEach(function (event, i) {
      var where = [rules.list, i], state = event[rules.state];
      evidence = evidence || !missing(event[rules.evidence]);
      if (i) {
        var previous = history[i - 1][rules.state];
        if (!(rules.transitions[previous] || []).includes(state)) {
          out.add('E-LIFECYCLE-TRANSITION', where.concat([rules.state]), { from_label: label(previous),
            to_label: label(state), allowed: rules.allowed_labels[previous] });
        }
      }
      var rule = rules.events[state];
      if (!rule) return;
      var absent = rule.requires.filter(function (name) { return missing(event[name]); });
      if (absent.length) out.add('E-LIFECYCLE-EXTENSION', where, { missing: absent.join('、') });
      var moved = rule.moves_deadline ? event[rule.moves_deadline] : undefined;
      if (!missing(moved)) {
        if (deadline && moved <= deadline) {
          out.add('E-LIFECYCLE-DEADLINE', where.concat([rule.moves_deadline]), { value: moved, previous: deadline });
        }
        deadline = moved;
      }
      if (rule.needs_evidence && !evidence) out.add('E-LIFECYCLE-NO-EVIDENCE', where, {});
    });
  }

  // rulebook.REQUIRED_BY_KIND
  function byKind(out, type, data) {
    (out.model.rules.by_kind[type] || []).forEach(function (need) {
      if (data[need.field] === need.value && missing(data[need.needs])) {
        out.add('E-RECORD-FIELD', [need.needs], { kind_label: need.label, field: need.needs, hint: need.hint });
      }
    });
  }

  // rulebook.CONTROL in every text a person writes (fields.iter_text)
  function control(out, type, shape, value, loc, pattern) {
    shape.forEach(function (field) {
      var v = value[field.name], here = loc.concat([field.name]);
      if (missing(v)) return;
      var items = field.many && Array.isArray(v) ? v.map(function (item, i) { return [here.concat([i]), item]; })
        : [[here, v]];
      items.forEach(function (pair) {
        if (field.text && typeof pair[1] === 'string') {
          var bad = pattern.exec(pair[1]);
          if (bad) {
            var code = bad[0].codePointAt(0).toString(16).toUpperCase().padStart(4, '0');
            out.add('E-TEXT-CONTROL', pair[0], { field: fieldLabel(out.model, type, pair[0]), char: 'U+' + code });
          }
        } else if (field.part && isMap(pair[1])) {
          control(out, type, out.model.parts[field.part], pair[1], pair[0], pattern);
        }
      });
    });
  }

  function check(model, type, data) {
    var out = new Findings(model), shape = model.types[type];
    if (!shape || !isMap(data)) return out.list;
    required(out, type, shape, data, []);
    // As in the validator (schema.py `partial`), a mistake makes the top-level field it is in
    // unreadable: the other rules see the record without it.
    var readable = Object.assign({}, data);
    out.list.forEach(function (f) { delete readable[f.path.split(/[.[]/)[0]]; });
    dates(out, type, readable);
    lifecycle(out, type, readable);
    byKind(out, type, readable);
    control(out, type, shape, readable, [], new RegExp(model.rules.control, 'u'));
    return out.list;
  }

  var api = { check: check, formatLoc: formatLoc };
  root.TaizhangRules = api;
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
})(typeof window !== 'undefined' ? window : globalThis);
