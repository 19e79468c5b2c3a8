-- Relative indicator level: mean, over the window's months that have rows, of the month's sum({column}).
with monthly as (
    select {date} as month, sum({column}) as total, count(*) as n
    from {table}
    where {date} between $from and $to and {where} and {filters}
    group by {date}
)
select avg(total) as level, coalesce(sum(n), 0) as n, count(*) as months
from monthly
