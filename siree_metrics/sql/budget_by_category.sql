-- Expenditure paid on or before $as_of, by cost category.
select
    cost_category,
    cast(sum(amount_eur) as double) as spent_eur,
    count(*) as n,
    count(distinct partner_id) as partners
from expenditure
where paid_on <= $as_of and {filters}
group by all
