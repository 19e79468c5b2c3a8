-- cumulative(), measure sum: sum({column}) per month and {group} of rows with {date} on or before $to.
select cast(date_trunc('month', {date}) as date) as month, {group} as grp,
       coalesce(sum({column}), 0) as added, count(*) as rows
from {table}
where {date} <= $to and {where} and {filters}
group by all
order by month, grp
