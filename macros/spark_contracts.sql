{#- Model contracts on Spark (docs/spark.md). The contracts in the YAML are written for DuckDB: the
    `data_type` of each column is the type DuckDB builds (varchar, bigint, ...). The models give both
    engines the same types (integers that Spark types int, e.g. datediff or row_number, are cast to
    bigint), so on Spark the contract is enforced like on DuckDB: every column present with its name,
    no other column, and each column's Spark type the translation of its DuckDB type (spark_type_of);
    a difference fails the model, naming the columns. dbt looks for this override in the root project
    before dbt-spark's own (dispatch of the `dbt` namespace). -#}
{% macro spark__get_assert_columns_equivalent(sql) -%}
    {%- set declared = model['columns'] -%}
    {%- if not declared -%}
        {{ exceptions.raise_contract_error([], []) }}
    {%- endif -%}
    {%- set built = get_column_schema_from_query(sql, config.get('sql_header', none)) -%}
    {%- set declared_names = [] -%}
    {%- for name in declared -%}
        {%- do declared_names.append(name | lower) -%}
    {%- endfor -%}
    {%- set built_names = [] -%}
    {%- for column in built -%}
        {%- do built_names.append(column.name | lower) -%}
    {%- endfor -%}
    {%- if built_names | sort != declared_names | sort -%}
        {{ exceptions.raise_compiler_error("Contract of " ~ model.name ~ ": the model builds the columns "
            ~ built_names | join(', ') ~ " but its YAML declares " ~ declared_names | join(', ')) }}
    {%- endif -%}
    {%- set differences = [] -%}
    {%- for column in built -%}
        {%- for name, spec in declared.items() if name | lower == column.name | lower -%}
            {%- set wanted = spark_type_of(spec.get('data_type') or '') -%}
            {%- if wanted and wanted != column.dtype | lower -%}
                {%- do differences.append(column.name ~ ' ' ~ column.dtype | lower ~ ' (DuckDB contract: '
                    ~ spec.get('data_type') ~ ')') -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if differences -%}
        {{ exceptions.raise_compiler_error("Contract of " ~ model.name ~ " on Spark: column types differ from "
            ~ "the contract: " ~ differences | join('; ')) }}
    {%- endif -%}
{%- endmacro %}

{#- The Spark SQL type of a DuckDB type name ('' when there is none to compare with). -#}
{% macro spark_type_of(duckdb_type) -%}
    {%- set t = duckdb_type | lower | trim -%}
    {%- set names = {
        'varchar': 'string', 'text': 'string', 'string': 'string',
        'integer': 'int', 'int': 'int', 'int4': 'int', 'bigint': 'bigint', 'int8': 'bigint',
        'smallint': 'smallint', 'tinyint': 'tinyint', 'hugeint': 'decimal(38,0)',
        'double': 'double', 'float8': 'double', 'float': 'float', 'real': 'float',
        'boolean': 'boolean', 'bool': 'boolean', 'date': 'date',
        'timestamp': 'timestamp', 'timestamp with time zone': 'timestamp', 'timestamptz': 'timestamp',
    } -%}
    {%- if t in names -%}
        {{ return(names[t]) }}
    {%- elif t.startswith('decimal') or t.startswith('numeric') -%}
        {{ return(t | replace('numeric', 'decimal') | replace(' ', '')) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

{#- Seeds on Spark. dbt-spark 1.11's session method puts each value into the INSERT as '<value>' without
    escaping: a quote in a text (the catalog's definitions) breaks the statement and an empty cell becomes
    the text 'None'. This override writes every value as a literal itself: NULL for an empty cell,
    numbers as they are, texts with Spark's backslash escapes. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    cast({{ spark_seed_literal(value) }} as {{ types[loop.index0] }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%}){%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}

{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is number and value is not boolean -%}
        {{ value }}
    {%- elif value is boolean -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is string -%}
        '{{ value | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- else -%}
        '{{ value }}'
    {%- endif -%}
{%- endmacro %}

{#- `dbt run-operation spark_register_python_models`: each dbt Python model (the CLV fits) as the Spark
    table of its Parquet output, which `python -m salesperf.spark_clv` wrote under
    <spark.sql.warehouse.dir>/_python_models/<model>/ (docs/spark.md). -#}
{% macro spark_register_python_models(folder=none) %}
    {%- set folder = folder or (env_var('SALESPERF_SPARK_WAREHOUSE', '/tmp/salesperf-spark/warehouse') ~ '/_python_models') -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.language == 'python' -%}
        {%- set relation = api.Relation.create(schema=node.schema, identifier=node.alias) -%}
        {%- do run_query('create schema if not exists ' ~ node.schema) -%}
        {%- do run_query('drop table if exists ' ~ relation) -%}
        {%- do run_query('create table ' ~ relation ~ " using parquet location '" ~ folder ~ '/' ~ node.name ~ "'") -%}
        {{ log('spark: registered ' ~ relation ~ ' from ' ~ folder ~ '/' ~ node.name, info=true) }}
    {%- endfor -%}
{% endmacro %}
