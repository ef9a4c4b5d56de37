-- Macros of the Falco land SQL (sql/land/falco.sql). Prefix pt_falco_.

-- Falco prints a missing field as "<NA>"; an empty string carries nothing either.
create or replace macro pt_falco_value(v) as
    nullif(nullif(v, ''), '<NA>');
