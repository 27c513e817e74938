DROP TABLE hand_counts;
DROP TABLE subscriptions;
DROP TABLE project_updates;
DROP TABLE projects;
