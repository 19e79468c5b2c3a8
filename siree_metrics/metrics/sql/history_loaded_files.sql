-- Every file loaded into the database (a batch), newest first.
select
    batch_id,
    loaded_at,
    coalesce(loaded_by, '') as loaded_by,
    dataset,
    file_name,
    coalesce(file_format, '') as file_format,
    rows,
    replaced_rows,
    coalesce(warnings, '') as warnings
from batches
order by batch_id desc
