-- breakdown(), measure latest_sum: how far the sum of each thing's latest {column} moved with the reports
-- dated in [$from, $to] (each report: its difference from the thing's report before it), by {group} and
-- country of the thing's ({entity}) first row.
with reports as (
    select {date} as reported_on,
           first_value({group}) over w as grp,
           first_value(country) over w as first_country,
           {column} - coalesce(lag({column}) over w, 0) as change
    from {table}
    where {date} <= $to and {where} and {filters}
    window w as (partition by {entity} order by {date}, batch_id, source_row)
)
select grp, first_country as country, sum(change) as level, count(*) as n
from reports
where reported_on >= $from
group by all
order by grp, country
