-- breakdown(), measure distinct: distinct (partner_id, {column}) whose first {date} is in [$from, $to], by
-- {group} (taken from that first row) and country.
with firsts as (
    select arg_min({group}, {date}) as grp, any_value(country) as country, min({date}) as first_on, count(*) as n
    from {table}
    where {date} <= $to and {where} and {filters}
    group by partner_id, {column}
)
select grp, country, count(*) as level, sum(n) as n
from firsts
where first_on >= $from
group by all
order by grp, country
