-- Count indicator: sum of {column} over rows with {date} on or before $as_of [and {where} true].
-- n counts every row of the selection up to $as_of: with rows, a sum of 0 is a value, not "no data".
select coalesce(sum({column}) filter (where {where}), 0) as level, count(*) as n
from {table}
where {date} <= $as_of and {filters}
