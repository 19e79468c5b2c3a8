-- Expenditure paid on or before $as_of, by partner and cost category; amounts stay DECIMAL (exact cents).
select
    partner_id,
    cost_category,
    sum(amount_eur) as spent_eur,
    count(*) as n,
    max(paid_on) as last_paid_on
from expenditure
where paid_on <= $as_of and {filters}
group by all
order by partner_id, cost_category
