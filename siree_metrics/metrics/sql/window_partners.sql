-- The partners with rows for an indicator in the window [$from, $to] under the filters: rows and months
-- with rows, per partner (the like-with-like and completeness rules of docs/method.md).
select partner_id, count(*) as n, count(distinct date_trunc('month', {date})) as months
from {table}
where {date} between $from and $to and {where} and {filters}
group by partner_id
order by partner_id
