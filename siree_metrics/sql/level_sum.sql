-- Count indicator: sum of {column} over rows with {date} on or before $as_of.
select coalesce(sum({column}), 0) as level, count(*) as n
from {table}
where {date} <= $as_of and {where} and {filters}
