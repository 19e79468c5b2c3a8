-- cumulative(), measure distinct: new distinct (partner_id, {column}) per month and {group}, each counted in
-- the month of its first {date} on or before $to; rows = rows dated in that month.
with firsts as (
    select arg_min({group}, {date}) as grp, min({date}) as first_on
    from {table}
    where {date} <= $to and {where} and {filters}
    group by partner_id, {column}
),
added as (
    select cast(date_trunc('month', first_on) as date) as month, grp, count(*) as added
    from firsts
    group by all
),
rows_ as (
    select cast(date_trunc('month', {date}) as date) as month, {group} as grp, count(*) as rows
    from {table}
    where {date} <= $to and {where} and {filters}
    group by all
)
select month, grp, coalesce(added, 0) as added, coalesce(rows, 0) as rows
from added full join rows_ using (month, grp)
order by month, grp
