"""Read a source export file (CSV in a declared encoding, .xlsx, or Salesforce sObject-tree
JSON) into rows of text/values.

Every row keeps its place in the file (``_row``: the Excel row number, the CSV record's line
number with the header as line 1, or the JSON record's 1-based position), so a rejected row can
be found by the user. Wholly blank rows (Excel's trailing empty rows, blank CSV lines) are not
rows: they are counted apart.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from salesperf.adapters.mapping import ROW_NUMBER


class SourceError(ValueError):
    """A source file that cannot be read; the message names the file (and the line)."""


@dataclass
class SourceData:
    name: str
    path: Path
    encoding: str
    header: list[str]
    rows: list[dict] = field(default_factory=list)
    blank_rows: int = 0


def _decode(path: Path, encoding: str) -> tuple[str, str]:
    raw = path.read_bytes()
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
    if encoding in {"auto", "utf-8", "utf-8-sig"}:
        try:
            return raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as error:
            if encoding != "auto":
                line = raw[: error.start].count(b"\n") + 1
                raise SourceError(
                    f"{path}:{line}: not UTF-8 text (byte {error.start}); a file saved by Excel in China is "
                    "usually GB18030: set 'encoding: gb18030' for this source (or auto)"
                ) from None
            encoding = "gb18030"
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SourceError(f"{path}:{line}: not {encoding} text (byte {error.start})") from None


def _check_header(path: Path, header: list[str]) -> list[str]:
    header = [str(h).strip() if h is not None else "" for h in header]
    seen = {}
    for i, name in enumerate(header, start=1):
        if not name:
            continue
        if name in seen:
            raise SourceError(f"{path}: column {name!r} appears twice in the header (columns {seen[name]} and {i})")
        seen[name] = i
    if not seen:
        raise SourceError(f"{path}: the header row is empty")
    return header


def read_csv(name: str, path: Path, encoding: str) -> SourceData:
    text, used = _decode(path, encoding)
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise SourceError(f"{path}: the file is empty (no header row)") from None
    except csv.Error as error:
        raise SourceError(f"{path}:1: {error}") from None
    header = _check_header(path, header)
    data = SourceData(name, path, used, header)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise SourceError(f"{path}:{reader.line_num}: {error}") from None
        line = reader.line_num
        if not record or all(not v.strip() for v in record):
            data.blank_rows += 1
            continue
        if len(record) > len(header) and any(v.strip() for v in record[len(header) :]):
            raise SourceError(
                f"{path}:{line}: {len(record)} fields but the header has {len(header)} (an unquoted comma?)"
            )
        row = {h: (record[i] if i < len(record) else "") for i, h in enumerate(header) if h}
        row[ROW_NUMBER] = line
        data.rows.append(row)
    return data


def read_xlsx(name: str, path: Path, sheet: str | None) -> SourceData:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a pinned dependency
        raise SourceError(f"{path}: reading .xlsx needs openpyxl (pip install openpyxl)") from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise SourceError(f"{path}: not a readable .xlsx workbook ({type(error).__name__}: {error})") from None
    try:
        if sheet is not None:
            if sheet not in book.sheetnames:
                raise SourceError(f"{path}: no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
            ws = book[sheet]
        else:
            ws = book.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise SourceError(f"{path}: sheet {ws.title!r} is empty (no header row)")
        header = _check_header(path, list(header_row))
        data = SourceData(name, path, "xlsx", header)
        for number, values in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                data.blank_rows += 1
                continue
            row = {h: (values[i] if i < len(values) else None) for i, h in enumerate(header) if h}
            row[ROW_NUMBER] = number
            data.rows.append(row)
        return data
    finally:
        book.close()


SF_REFERENCE = re.compile(r"@([A-Za-z_][A-Za-z0-9_]*)")


def read_sobject_tree(name: str, path: Path) -> SourceData:
    """Salesforce's sObject tree JSON, as ``sf data export tree`` (``sfdx force:data:tree:export``)
    writes it, with or without ``--plan``: ``{"records": [{"attributes": {"type": "Account",
    "referenceId": "AccountRef1"}, "Name": ..., "AccountId": "@AccountRef1"}, ...]}``.

    A record without ``Id`` takes its ``referenceId`` as ``Id``; a reference ``@AccountRef1`` becomes
    ``AccountRef1`` (the referenced record's ``Id``); ``attributes`` is not a column. The header is the
    union of the records' fields in first-seen order. Child records nested in a field (an export
    without ``--plan``) are not flattened: the file must be exported with ``--plan``.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(f"{path}: not UTF-8 text (byte {error.start}); sObject tree JSON is UTF-8") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(f"{path}:{error.lineno}: not JSON ({error.msg}, column {error.colno})") from None
    records = doc.get("records") if isinstance(doc, dict) else None
    if not isinstance(records, list):
        raise SourceError(
            f'{path}: not an sObject tree file: expected {{"records": [...]}} as `sf data export tree` writes it'
        )
    header: dict[str, None] = {}
    rows = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise SourceError(f"{path}: record {number} is not an object")
        attributes = record.get("attributes") if isinstance(record.get("attributes"), dict) else {}
        label = f"record {number}" + (f" ({attributes['referenceId']})" if attributes.get("referenceId") else "")
        row = {}
        if "Id" not in record and attributes.get("referenceId"):
            row["Id"] = str(attributes["referenceId"])
        for field_name, value in record.items():
            if field_name == "attributes":
                continue
            if isinstance(value, dict) and isinstance(value.get("records"), list):
                raise SourceError(
                    f"{path}: {label}, field {field_name!r} holds nested child records; they are not flattened: "
                    "export one file per object with `sf data export tree --plan` and map each file"
                )
            if isinstance(value, (dict, list)):
                raise SourceError(f"{path}: {label}, field {field_name!r} holds a nested value, not a column value")
            if isinstance(value, str):
                ref = SF_REFERENCE.fullmatch(value)
                if ref:
                    value = ref.group(1)
            row[field_name] = value
        for field_name in row:
            header.setdefault(field_name, None)
        row[ROW_NUMBER] = number
        rows.append(row)
    if not header:
        raise SourceError(f"{path}: no records with fields (an empty export?)")
    data = SourceData(name, path, "json", list(header))
    data.rows = [{h: r.get(h) for h in data.header} | {ROW_NUMBER: r[ROW_NUMBER]} for r in rows]
    return data


def snake_case(name: str) -> str:
    """Salesforce API names as EL tools (Fivetran) name them: AccountId -> account_id, Product2Id ->
    product_2_id, Custom__c -> custom_c. Names already in snake case are unchanged."""
    if name == ROW_NUMBER:
        return name
    out = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    out = re.sub(r"(?<=[A-Za-z])(?=[0-9])", "_", out)
    return re.sub(r"_+", "_", out).lower()


def _rename(data: SourceData) -> SourceData:
    renamed = [snake_case(h) if h else h for h in data.header]
    clash = [n for n in set(renamed) if n and renamed.count(n) > 1]
    if clash:
        raise SourceError(f"{data.path}: headers {', '.join(sorted(clash))} clash once written in snake case")
    mapping = dict(zip(data.header, renamed, strict=True))
    data.header = renamed
    data.rows = [{(mapping.get(k, k)): v for k, v in row.items()} for row in data.rows]
    return data


def read_source(name: str, path: Path, encoding: str, sheet: str | None, headers: str = "as_is") -> SourceData:
    data = _read(name, path, encoding, sheet)
    return _rename(data) if headers == "snake_case" else data


def _read(name: str, path: Path, encoding: str, sheet: str | None) -> SourceData:
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return read_xlsx(name, path, sheet)
    if suffix in {".csv", ".txt"}:
        return read_csv(name, path, encoding)
    if suffix == ".json":
        return read_sobject_tree(name, path)
    raise SourceError(
        f"{path}: cannot read {suffix or 'this'} files (give .csv, .xlsx or Salesforce sObject-tree .json; "
        "save .xls as .xlsx)"
    )


def as_text(value) -> str:
    """A cell as text: None -> '', 12000.0 -> '12000', datetimes in ISO form, strings trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()
