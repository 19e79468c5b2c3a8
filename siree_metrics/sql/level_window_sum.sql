-- Relative indicator level: sum({column}) over the window [$from, $to].
select sum({column}) as level, count(*) as n
from {table}
where {date} between $from and $to and {where} and {filters}
