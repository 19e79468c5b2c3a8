-- breakdown(), measure sum: sum({column}) of rows with {date} in [$from, $to], by {group} and country.
select {group} as grp, country, coalesce(sum({column}), 0) as level, count(*) as n
from {table}
where {date} between $from and $to and {where} and {filters}
group by all
order by grp, country
