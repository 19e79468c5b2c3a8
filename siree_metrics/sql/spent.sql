-- Expenditure paid on or before $as_of, by partner and cost category.
select partner_id, cost_category, sum(amount_eur) as spent_eur, count(*) as n
from expenditure
where paid_on <= $as_of and {filters}
group by all
