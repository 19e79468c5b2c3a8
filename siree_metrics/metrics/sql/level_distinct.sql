-- Count indicator: distinct (partner_id, {column}) with {date} on or before $as_of [and {where} true].
-- n counts every row of the selection up to $as_of (also those {where} leaves out): with rows, 0 is a value.
select count(distinct (partner_id, {column})) filter (where {where}) as level, count(*) as n
from {table}
where {date} <= $as_of and {filters}
