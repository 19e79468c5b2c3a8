-- monthly(), measure window_sum: the 12-month rolling sum({column}) by country, for months in [$from, $to].
-- Months without rows count as 0 inside a country's reporting span; a month is shown only once the country
-- has reported for 12 months (a shorter sum would not be comparable with the 12-month baseline).
with months as (
    select {date} as month, country, sum({column}) as total, count(*) as n
    from {table}
    where {date} <= $to and {where} and {filters}
    group by all
),
span as (
    select country, min(month) as first_month, max(month) as last_month
    from months
    group by country
),
grid as (
    select country, first_month, cast(unnest(generate_series(first_month, last_month, interval 1 month)) as date) as month
    from span
),
rolling as (
    select g.month, g.country, g.first_month,
           sum(coalesce(m.total, 0)) over w as level,
           sum(coalesce(m.n, 0)) over w as n
    from grid g
    left join months m using (country, month)
    window w as (partition by g.country order by g.month rows between 11 preceding and current row)
)
select month, country, level, n
from rolling
where month >= first_month + interval 11 month and month between $from and $to
order by month, country
