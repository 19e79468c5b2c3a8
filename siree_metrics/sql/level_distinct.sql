-- Count indicator: distinct (partner_id, {column}) with {date} on or before $as_of.
select count(distinct (partner_id, {column})) as level, count(*) as n
from {table}
where {date} <= $as_of and {where} and {filters}
