-- Relative indicator level: sum({column}) / sum({denominator}) over the window [$from, $to].
select sum({column}) / nullif(sum({denominator}), 0) as level, count(*) as n, sum({denominator}) as base
from {table}
where {date} between $from and $to and {where} and {filters}
