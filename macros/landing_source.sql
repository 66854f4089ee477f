{#-
    The relation a staging model reads for one landing table.

    Finds `<landing_dir>/<table>.parquet` or `.csv` (either format, per table), and returns a
    subquery with every column the source YAML declares, in declared order, as text (staging
    casts). A declared column missing from the file is an error naming the file and the column,
    unless the column's meta says `optional: true` (then it is NULL). A missing file is an error
    for a required table (source meta `required: true`) and "no data" for the others: an empty
    relation with the declared columns, and a line in the build log. A file of 0 bytes is an
    error. At parse time it only registers the lineage to the source.

    With var `landing_prepared_dir` set (env SALESPERF_LANDING_PREPARED; `tasks.py build` sets it),
    it reads the preflight's all-text Parquet files there instead (salesperf/landing.py: fixed CSV
    dialect, declared encoding, every problem named with file and line before dbt starts): the
    data-quality gate reads the very same files. Without it (dbt by hand), it reads the landing
    files with the same fixed CSV dialect (comma, double quote, header), never sniffed.
-#}
{% macro landing_source(source_name, table_name) %}
    {%- set relation = source(source_name, table_name) -%}
    {#- A dbt unit test gives the source's rows itself (a fixture in place of the file). -#}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {{ return(relation) }}
    {%- endif -%}

    {%- set node = graph.sources.values()
        | selectattr('source_name', 'equalto', source_name)
        | selectattr('name', 'equalto', table_name)
        | first -%}
    {%- set required = node.meta.get('required', false) or node.config.meta.get('required', false) -%}
    {%- set prepared_dir = var('landing_prepared_dir', '') | trim -%}
    {%- set landing_dir = (prepared_dir or var('landing_dir')) | replace("'", "''") -%}
    {%- set pattern = landing_dir ~ '/' ~ table_name -%}

    {%- set found = landing_files(landing_dir, table_name, not prepared_dir) -%}
    {%- set declared = [] -%}
    {%- for column_name, column in node.columns.items() -%}
        {%- set meta = column.get('meta', {}) or {} -%}
        {%- set config_meta = (column.get('config', {}) or {}).get('meta', {}) or {} -%}
        {%- do declared.append({
            'name': column_name,
            'optional': meta.get('optional', false) or config_meta.get('optional', false),
        }) -%}
    {%- endfor -%}

    {%- if found | length > 1 -%}
        {{ exceptions.raise_compiler_error("Landing files " ~ found[0][0] ~ " and " ~ found[1][0]
            ~ " are both present for table " ~ table_name ~ ": keep one of them.") }}
    {%- endif -%}
    {%- if found | length == 0 -%}
        {%- if required -%}
            {{ exceptions.raise_compiler_error(
                "Landing file missing: " ~ pattern ~ ".parquet or .csv (required table " ~ table_name
                ~ "). Set SALESPERF_LANDING_DIR to the folder of your extracts.") }}
        {%- endif -%}
        {{ log("landing: " ~ table_name ~ " has no file in " ~ landing_dir ~ ": treated as empty", info=true) }}
        {%- set empty_columns = [] -%}
        {%- for column in declared -%}
            {%- do empty_columns.append("cast(null as string) as " ~ adapter.quote(column.name)) -%}
        {%- endfor -%}
        {{ return("(select " ~ empty_columns | join(", ") ~ " where 1 = 0)") }}
    {%- endif -%}

    {%- set path = found[0][0] | replace("'", "''") -%}
    {%- set size = found[0][1] -%}
    {%- if size == 0 -%}
        {{ exceptions.raise_compiler_error("Landing file is empty (0 bytes): " ~ path
            ~ ". Export it again, with at least its header row.") }}
    {%- endif -%}

    {%- set reader = landing_reader(path) -%}

    {%- set present = {} -%}
    {%- for row in run_query(landing_describe(reader)).rows -%}
        {%- do present.update({row[0] | lower: row[0]}) -%}
    {%- endfor -%}

    {%- set projections = [] -%}
    {%- set missing = [] -%}
    {%- for column in declared -%}
        {%- if column.name | lower in present -%}
            {%- do projections.append("cast(" ~ adapter.quote(present[column.name | lower]) ~ " as string) as " ~ adapter.quote(column.name)) -%}
        {%- elif column.optional -%}
            {%- do projections.append("cast(null as string) as " ~ adapter.quote(column.name)) -%}
        {%- else -%}
            {%- do missing.append(column.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error("Landing file " ~ path ~ " lacks column(s) "
            ~ missing | join(', ') ~ " that the landing contract requires; its header has: "
            ~ present.values() | join(', ')) }}
    {%- endif -%}

    {{ return("(select " ~ projections | join(", ") ~ " from " ~ reader ~ ")") }}
{% endmacro %}


{#- The landing files of one table: a list of [path, size in bytes], one per file found, in descending
    order of path; `<dir>/<table>.parquet`, and `.csv` too when `with_csv`. -#}
{% macro landing_files(landing_dir, table_name, with_csv) %}
    {{ return(adapter.dispatch('landing_files')(landing_dir, table_name, with_csv)) }}
{% endmacro %}

{% macro default__landing_files(landing_dir, table_name, with_csv) %}
    {%- set pattern = landing_dir ~ '/' ~ table_name -%}
    {%- set found = run_query(
        "select file from glob('" ~ pattern ~ ".parquet')"
        ~ (" union all select file from glob('" ~ pattern ~ ".csv')" if with_csv else "") ~ " order by 1 desc"
    ) -%}
    {%- set files = [] -%}
    {%- for row in found.rows -%}
        {%- set path = row[0] | replace("'", "''") -%}
        {%- do files.append([row[0], run_query("select size from read_blob('" ~ path ~ "')").rows[0][0]]) -%}
    {%- endfor -%}
    {{ return(files) }}
{% endmacro %}

{#- Spark has no glob(): the binaryFile source lists the folder (its `content` column, the bytes, is
    never read). A missing folder is an error naming it. -#}
{% macro spark__landing_files(landing_dir, table_name, with_csv) %}
    {%- set names = ["'" ~ table_name ~ ".parquet'"] + (["'" ~ table_name ~ ".csv'"] if with_csv else []) -%}
    {%- set found = run_query(
        "select path, length from binaryFile.`" ~ landing_dir ~ "`"
        ~ " where substring_index(path, '/', -1) in (" ~ names | join(", ") ~ ") order by 1 desc"
    ) -%}
    {%- set files = [] -%}
    {%- for row in found.rows -%}
        {%- do files.append([row[0], row[1]]) -%}
    {%- endfor -%}
    {{ return(files) }}
{% endmacro %}

{#- The relation that reads one landing file: every column as the file has it. -#}
{% macro landing_reader(path) %}
    {{ return(adapter.dispatch('landing_reader')(path)) }}
{% endmacro %}

{% macro default__landing_reader(path) %}
    {%- if path.endswith('.csv') -%}
        {{ return("read_csv('" ~ path ~ "', header = true, delim = ',', quote = '\"', escape = '\"', all_varchar = true, auto_detect = true, strict_mode = true, sample_size = -1)") }}
    {%- endif -%}
    {{ return("read_parquet('" ~ path ~ "')") }}
{% endmacro %}

{#- Spark SQL cannot give a CSV reader its options (header, quoting) in a query: CSV extracts reach
    Spark through the preflight, which writes every table as all-text Parquet (docs/spark.md). -#}
{% macro spark__landing_reader(path) %}
    {%- if path.endswith('.csv') -%}
        {{ exceptions.raise_compiler_error("Landing file " ~ path ~ " is CSV: on Spark, run the preflight first ("
            ~ "`python3.11 tasks.py prepare`) and set SALESPERF_LANDING_PREPARED to the folder it prints.") }}
    {%- endif -%}
    {{ return("parquet.`" ~ path ~ "`") }}
{% endmacro %}

{#- A query whose rows start with (column name, type) of every column of `reader`. -#}
{% macro landing_describe(reader) %}
    {{ return(adapter.dispatch('landing_describe')(reader)) }}
{% endmacro %}

{% macro default__landing_describe(reader) %}
    {{ return("describe select * from " ~ reader) }}
{% endmacro %}

{% macro spark__landing_describe(reader) %}
    {{ return("describe query select * from " ~ reader) }}
{% endmacro %}
