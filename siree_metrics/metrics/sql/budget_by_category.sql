-- Expenditure paid on or before $as_of, by cost category; amounts stay DECIMAL (exact cents).
select
    cost_category,
    sum(amount_eur) as spent_eur,
    count(*) as n,
    count(distinct partner_id) as partners
from expenditure
where paid_on <= $as_of and {filters}
group by all
order by cost_category
