-- The day's reminders of a commune, by taxpayer: what a run reads first (who was
-- reminded today) and what each of its batches claims and confirms (a range of
-- taxpayers that day). The unique key (commune, taxpayer, day) has the day last: used
-- for a day, it reads every day's reminders of the commune.
CREATE INDEX reminders_day ON reminders (commune_id, day, taxpayer_id);
