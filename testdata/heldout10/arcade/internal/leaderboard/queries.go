package leaderboard

// topQuery ranks a board's players for one season. Placeholders: board,
// season, earliest timestamp, minimum matches.
const topQuery = "SELECT p.id, p.display_name, p.country, p.avatar, s.board, s.season, MAX(s.score) AS best, COUNT(s.match_id) AS matches, SUM(CASE WHEN s.placement = 1 THEN 1 ELSE 0 END) AS wins, MIN(s.recorded_at) AS first_seen, MAX(s.recorded_at) AS last_seen FROM scores s JOIN profiles p ON p.id = s.player_id LEFT JOIN bans b ON b.player_id = p.id AND (b.expires_at IS NULL OR b.expires_at > unixepoch()) WHERE s.board = ?1 AND s.season = ?2 AND b.player_id IS NULL AND s.verified = 1 AND s.recorded_at >= ?3 GROUP BY p.id, p.display_name, p.country, p.avatar, s.board, s.season HAVING COUNT(s.match_id) >= ?4 ORDER BY best DESC, wins DESC, last_seen ASC LIMIT 100"
