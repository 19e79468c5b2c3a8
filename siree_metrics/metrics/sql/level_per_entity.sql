-- Count-kind indicator, measure per_entity: sum({column}) / number of distinct (partner_id, {denominator}) over
-- the rows with {date} on or before $as_of [and {where} true] (an average per thing counted, such as hours per
-- teacher); null without such a thing. n counts every row of the selection up to $as_of.
select sum({column}) filter (where {where})
           / nullif(count(distinct (partner_id, {denominator})) filter (where {where}), 0) as level,
       count(*) as n
from {table}
where {date} <= $as_of and {filters}
