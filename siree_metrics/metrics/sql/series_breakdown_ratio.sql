-- breakdown(), measure ratio: sum({column}) / sum({denominator}) over [$from, $to], by {group} and country.
select {group} as grp, country, sum({column}) / nullif(sum({denominator}), 0) as level, count(*) as n
from {table}
where {date} between $from and $to and {where} and {filters}
group by all
order by grp, country
