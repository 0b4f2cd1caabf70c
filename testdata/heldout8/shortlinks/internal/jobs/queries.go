package jobs

// topLinksQuery feeds the "top links" widget. It runs against the
// link_clicks Analytics Engine dataset written by the redirect worker.
const topLinksQuery = `SELECT
    blob1 AS slug,
    blob2 AS country,
    SUM(_sample_interval) AS clicks,
    COUNT(DISTINCT blob3) AS referrers,
    MIN(timestamp) AS first_click,
    MAX(timestamp) AS last_click
FROM link_clicks
WHERE timestamp > NOW() - INTERVAL '1' DAY
  AND blob4 != 'bot'
  AND blob5 NOT IN ('HEAD', 'OPTIONS')
  AND double1 < 400
GROUP BY slug, country
HAVING clicks > 10
ORDER BY clicks DESC, last_click DESC
LIMIT 100
FORMAT JSON
-- cached by the hourly cron; see jobs.rollupTopLinks
-- owners: growth team (dashboards), infra team (dataset)
-- keep the column order stable, the dashboard reads by index`
