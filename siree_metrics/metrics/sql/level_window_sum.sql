-- Relative indicator level: sum({column}) over the window [$from, $to], counting only the partners in
-- $included (like with like: the same partners in both windows).
select sum({column}) as level, count(*) as n
from {table}
where {date} between $from and $to and {where} and {filters} and list_contains($included, partner_id)
