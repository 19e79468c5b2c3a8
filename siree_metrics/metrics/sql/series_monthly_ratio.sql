-- monthly(), measure ratio: each month's sum({column}) / sum({denominator}) by country, months in [$from, $to].
select {date} as month, country,
       sum({column}) / nullif(sum({denominator}), 0) as level,
       count(*) as n,
       sum({column}) as numerator,
       sum({denominator}) as denominator
from {table}
where {date} between $from and $to and {where} and {filters}
group by all
order by month, country
