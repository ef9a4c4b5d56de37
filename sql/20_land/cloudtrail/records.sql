-- Every record of every shape, with the reject its shape earns (NULL: none).
select * from s3_records
union all by name
select * from lookup_records
union all by name
select * from eventbridge_records
union all by name
select * from single_records
union all by name
select * from array_records
union all by name
select * from value_rejects
