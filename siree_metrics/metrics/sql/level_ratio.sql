-- Relative indicator level: sum({column}) / sum({denominator}) over the window [$from, $to], counting only
-- the partners in $included (like with like: the same partners in both windows).
select sum({column}) / nullif(sum({denominator}), 0) as level, count(*) as n, sum({denominator}) as base
from {table}
where {date} between $from and $to and {where} and {filters} and list_contains($included, partner_id)
