"""Chinese default messages for marshmallow's fields and validators.

The users of the API are Chinese officials; marshmallow's built-in messages ("Missing data for required
field.", "Not a valid integer.", "Unknown field." …) are English. ``install_chinese_messages()`` replaces the
defaults once per process: on the classes (so every field and validator made afterwards speaks Chinese) and on
the instances made before it ran (schemas declared at import time, e.g. by a plugin that imported
marshmallow first). Messages a schema sets itself (``error=...`` / ``error_messages=...``) are left alone.
"""

from __future__ import annotations

import gc

from marshmallow import Schema, fields, validate

FIELD_MESSAGES: dict[type, dict[str, str]] = {
    fields.Field: {
        "required": "必填字段",
        "null": "不能为空值",
        "validator_failed": "取值无效",
    },
    fields.String: {"invalid": "不是有效的字符串", "invalid_utf8": "不是有效的 UTF-8 字符串"},
    fields.Number: {"invalid": "不是有效的数字", "too_large": "数值过大"},
    fields.Integer: {"invalid": "不是有效的整数"},
    fields.Decimal: {"special": "不允许 NaN 或无穷大等特殊数值"},
    fields.Float: {"special": "不允许 NaN 或无穷大等特殊数值"},
    fields.Boolean: {"invalid": "不是有效的布尔值（true 或 false）"},
    fields.DateTime: {
        "invalid": "不是有效的日期时间（格式如 2023-08-25T09:30:00）",
        "invalid_awareness": "日期时间的时区信息不符合要求",
        "format": "“{input}”无法格式化为日期时间",
    },
    fields.NaiveDateTime: {"invalid_awareness": "日期时间不应带时区"},
    fields.AwareDateTime: {"invalid_awareness": "日期时间必须带时区"},
    fields.Date: {
        "invalid": "不是有效的日期（格式为 YYYY-MM-DD，如 2023-08-25）",
        "format": "“{input}”无法格式化为日期",
    },
    fields.Time: {"invalid": "不是有效的时间（格式如 09:30:00）", "format": "“{input}”无法格式化为时间"},
    fields.TimeDelta: {"invalid": "不是有效的时长", "format": "{input!r} 无法格式化为时长"},
    fields.Nested: {"type": "类型无效，应为对象"},
    fields.List: {"invalid": "不是有效的列表"},
    fields.Tuple: {"invalid": "不是有效的元组"},
    fields.Mapping: {"invalid": "不是有效的对象（键值映射）"},
    fields.Email: {"invalid": "不是有效的电子邮箱地址"},
    fields.Url: {"invalid": "不是有效的网址"},
    fields.UUID: {"invalid_uuid": "不是有效的 UUID"},
    fields.Enum: {"unknown": "必须是以下值之一：{choices}"},
    fields.IP: {"invalid_ip": "不是有效的 IP 地址"},
    fields.IPv4: {"invalid_ip": "不是有效的 IPv4 地址"},
    fields.IPv6: {"invalid_ip": "不是有效的 IPv6 地址"},
}

SCHEMA_MESSAGES = {"type": "输入类型无效，应为对象", "unknown": "未知字段"}

# Validators whose whole message is one template in ``default_message``.
VALIDATOR_DEFAULTS: dict[type, str] = {
    validate.OneOf: "必须是以下值之一：{choices}",
    validate.Equal: "必须等于 {other}",
    validate.Regexp: "格式不正确",
    validate.Email: "不是有效的电子邮箱地址",
    validate.URL: "不是有效的网址",
    validate.NoneOf: "取值无效",
    validate.Predicate: "取值无效",
    validate.ContainsOnly: "所选项中有不在以下范围内的：{choices}",
    validate.ContainsNoneOf: "所选项中有不允许的值：{values}",
}

RANGE_MESSAGES = {
    "message_min": "应{min_op} {{min}}",
    "message_max": "应{max_op} {{max}}",
    "message_all": "应{min_op} {{min}} 且{max_op} {{max}}",
    "message_gte": "大于或等于",
    "message_gt": "大于",
    "message_lte": "小于或等于",
    "message_lt": "小于",
}

LENGTH_MESSAGES = {
    "message_min": "长度不能少于 {min}",
    "message_max": "长度不能超过 {max}",
    "message_all": "长度应在 {min} 到 {max} 之间",
    "message_equal": "长度应为 {equal}",
}

_installed = False
_english: dict = {}


def _remember_english() -> None:
    """The messages as marshmallow ships them, to recognise instances still carrying them."""
    if _english:
        return
    field_msgs: dict[str, set[str]] = {}
    for cls in _all_subclasses(fields.Field):
        for key, msg in vars(cls).get("default_error_messages", {}).items():
            field_msgs.setdefault(key, set()).add(msg)
    _english["fields"] = field_msgs
    _english["schema"] = dict(Schema._default_error_messages)
    _english["validators"] = {cls: cls.default_message for cls in VALIDATOR_DEFAULTS}
    _english["range"] = {k: getattr(validate.Range, k) for k in RANGE_MESSAGES}


def _all_subclasses(cls: type) -> list[type]:
    out, stack = [], [cls]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(current.__subclasses__())
    return out


def _field_messages_for(cls: type) -> dict[str, str]:
    messages: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        messages.update(FIELD_MESSAGES.get(klass, {}))
    return messages


def _format_range(validator: validate.Range) -> None:
    low = validate.Range.message_gte if validator.min_inclusive else validate.Range.message_gt
    high = validate.Range.message_lte if validator.max_inclusive else validate.Range.message_lt
    validator.message_min = validate.Range.message_min.format(min_op=low)
    validator.message_max = validate.Range.message_max.format(max_op=high)
    validator.message_all = validate.Range.message_all.format(min_op=low, max_op=high)


def _patch_instance(obj) -> None:
    if isinstance(obj, fields.Field):
        chinese = _field_messages_for(type(obj))
        english = _english["fields"]
        messages = getattr(obj, "error_messages", None)
        if isinstance(messages, dict):
            for key, msg in list(messages.items()):
                if key in chinese and msg in english.get(key, ()):
                    messages[key] = chinese[key]
    elif isinstance(obj, Schema):
        messages = getattr(obj, "error_messages", None)
        if isinstance(messages, dict):
            for key, msg in list(messages.items()):
                if key in SCHEMA_MESSAGES and msg == _english["schema"].get(key):
                    messages[key] = SCHEMA_MESSAGES[key]
    elif isinstance(obj, validate.Range):
        if "message_min" in vars(obj) and vars(obj)["message_min"].startswith("Must be"):
            _format_range(obj)
    elif isinstance(obj, validate.Validator):
        for cls, english in _english["validators"].items():
            if isinstance(obj, cls) and getattr(obj, "error", None) == english:
                obj.error = VALIDATOR_DEFAULTS[cls]
                break


def install_chinese_messages() -> None:
    """Make marshmallow answer in Chinese. Safe to call more than once."""
    global _installed
    if _installed:
        return
    _remember_english()
    for cls, messages in FIELD_MESSAGES.items():
        cls.default_error_messages = {**vars(cls).get("default_error_messages", {}), **messages}
    Schema._default_error_messages = {**Schema._default_error_messages, **SCHEMA_MESSAGES}
    for cls, message in VALIDATOR_DEFAULTS.items():
        cls.default_message = message
    for key, message in RANGE_MESSAGES.items():
        setattr(validate.Range, key, message)
    for key, message in LENGTH_MESSAGES.items():
        setattr(validate.Length, key, message)
    # Fields, schemas and validators made before this call copied the English texts into themselves.
    for obj in gc.get_objects():
        if isinstance(obj, fields.Field | Schema | validate.Validator):
            _patch_instance(obj)
    _installed = True
