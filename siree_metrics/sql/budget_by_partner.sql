-- Expenditure paid on or before $as_of, by partner and cost category.
select
    partner_id,
    cost_category,
    cast(sum(amount_eur) as double) as spent_eur,
    count(*) as n,
    max(paid_on) as last_paid_on
from expenditure
where paid_on <= $as_of and {filters}
group by all
