-- monthly(), measure monthly_mean: each month's sum({column}) by country, months in [$from, $to].
-- The indicator's baseline level is the mean of these monthly sums over the baseline months.
select {date} as month, country, sum({column}) as level, count(*) as n
from {table}
where {date} between $from and $to and {where} and {filters}
group by all
order by month, country
