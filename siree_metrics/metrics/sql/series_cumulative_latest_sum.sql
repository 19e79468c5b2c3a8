-- cumulative(), measure latest_sum: per month and {group}, how far the sum of each thing's latest {column}
-- moved that month: a report adds its difference from the thing's report before it (the first adds all of
-- it). A thing ({entity}) stays in the {group} of its first row; rows = rows dated in that month.
with reports as (
    select cast(date_trunc('month', {date}) as date) as month,
           first_value({group}) over w as grp,
           {column} - coalesce(lag({column}) over w, 0) as change
    from {table}
    where {date} <= $to and {where} and {filters}
    window w as (partition by {entity} order by {date}, batch_id, source_row)
)
select month, grp, sum(change) as added, count(*) as rows
from reports
group by all
order by month, grp
