// Package podcast holds the platform's domain types and the KV key layout
// shared by the backend functions and the edge Worker.
package podcast

import (
	"fmt"
	"time"
)

// Day formats t as the UTC calendar day used in analytics keys.
func Day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// EndOfDay returns midnight UTC at the end of t's day.
func EndOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

func EpisodeKey(showID, episodeID string) string { return fmt.Sprintf("ep:%s:%s", showID, episodeID) }
func AudioKey(showID, episodeID string) string {
	return fmt.Sprintf("ep:%s:%s:audio", showID, episodeID)
}
func EmbargoKey(episodeID string) string   { return "embargo:" + episodeID }
func TranscodeKey(episodeID string) string { return "transcode:" + episodeID }
func LastPlayKey(episodeID string) string  { return "ep:" + episodeID + ":lastplay" }

func ShowSettingsKey(showID string) string { return "show:" + showID + ":settings" }
func ShowEpisodesKey(showID string) string { return "show:" + showID + ":episodes" }
func ShowRecentKey(showID string) string   { return "show:" + showID + ":recent" }
func ShowAuditKey(showID string) string    { return "show:" + showID + ":audit" }
func SlugKey(slug string) string           { return "slug:" + slug }

func FeedCacheKey(showID, variant string) string { return fmt.Sprintf("rss:%s:%s", showID, variant) }
func FeedTokenKey(token string) string           { return "feedtok:" + token }
func RevokedTokenKey(token string) string        { return "feedtok:revoked:" + token }

func SessionKey(id string) string          { return "sess:" + id }
func UserSessionsKey(userID string) string { return "user:" + userID + ":sessions" }
func MagicLinkKey(code string) string      { return "magic:" + code }
func OAuthStateKey(state string) string    { return "oauth:state:" + state }

func DownloadCountKey(episodeID string, day time.Time) string {
	return fmt.Sprintf("dl:count:%s:%s", episodeID, Day(day))
}
func ListenerSeenKey(episodeID string, day time.Time, listener string) string {
	return fmt.Sprintf("uniq:%s:%s:%s", Day(day), episodeID, listener)
}
func UploadQuotaKey(showID string, t time.Time) string {
	return fmt.Sprintf("quota:uploads:%s:%s", showID, t.UTC().Format("2006-01"))
}
func PlaysKey(episodeID string) string { return "plays:count:" + episodeID }
func ViewsKey(episodeID string) string { return "views:" + episodeID }
func RollupKey(showID string, day time.Time) string {
	return fmt.Sprintf("rollup:%s:%s", showID, Day(day))
}
func RollupLockKey(day time.Time) string { return "lock:rollup:" + Day(day) }
