DROP INDEX reminders_day;
