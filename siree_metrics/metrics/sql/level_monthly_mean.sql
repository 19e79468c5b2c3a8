-- Relative indicator level: mean, over the window's months that have rows, of the month's sum({column}),
-- counting only the partners in $included (like with like: the same partners in both windows).
with monthly as (
    select {date} as month, sum({column}) as total, count(*) as n
    from {table}
    where {date} between $from and $to and {where} and {filters} and list_contains($included, partner_id)
    group by {date}
)
select avg(total) as level, coalesce(sum(n), 0) as n, count(*) as months
from monthly
