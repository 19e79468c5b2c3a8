-- breakdown(), measure monthly_mean: mean, over the months of [$from, $to] that have rows, of the month's
-- sum({column}), by {group} and country.
with monthly as (
    select {group} as grp, country, {date} as month, sum({column}) as total, count(*) as n
    from {table}
    where {date} between $from and $to and {where} and {filters}
    group by all
)
select grp, country, avg(total) as level, sum(n) as n
from monthly
group by all
order by grp, country
