-- Count indicator, measure latest_sum: per thing counted ({entity}), {column} of its latest row with {date} on
-- or before $as_of [and {where} true], summed: a later report replaces the one before, never adds to it. Two
-- rows of one date: the one loaded last counts. n counts every row of the selection up to $as_of: with rows,
-- 0 is a value.
with ranked as (
    select {column} as value, {where} as counted,
           row_number() over (partition by {entity}, {where}
                              order by {date} desc, batch_id desc, source_row desc) as newest
    from {table}
    where {date} <= $as_of and {filters}
)
select coalesce(sum(value) filter (where newest = 1 and counted), 0) as level, count(*) as n
from ranked
