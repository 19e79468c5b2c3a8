-- breakdown(), measure per_entity: sum({column}) / distinct (partner_id, {denominator}) of the rows with {date}
-- in [$from, $to] [and {where} true], by {group} and country.
select {group} as grp, country,
       sum({column}) / nullif(count(distinct (partner_id, {denominator})), 0) as level, count(*) as n
from {table}
where {date} between $from and $to and {where} and {filters}
group by all
order by grp, country
