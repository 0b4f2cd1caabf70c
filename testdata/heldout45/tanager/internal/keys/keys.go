// Package keys holds the KV key layout for every namespace the edge uses.
//
// Keys are colon separated, most specific part last, so that a prefix list
// can walk one show or one episode. IDs are the origin's ULIDs; slugs and
// emails are lower-cased by the callers before they get here.
package keys

import (
	"fmt"
	"strings"
	"time"
)

// Prefixes used for listing.
const (
	DirectoryPrefix = "dir:"
	TombstonePrefix = "tomb:"
)

// Singleton keys.
const (
	RecentlyPlayed     = "home:recently-played"
	LastDownloadAt     = "downloads:last-event-at"
	ConsumerCheckpoint = "queue:downloads:checkpoint"
	PurgeCursor        = "ops:purge:cursor"
	FeedsUpdatedAt     = "feeds:updated-at"
	CronLastRun        = "cron:last-run"
)

func Episode(showID, episodeID string) string { return fmt.Sprintf("ep:%s:%s", showID, episodeID) }
func EpisodeListPrefix(showID string) string  { return fmt.Sprintf("ep:%s:", showID) }
func EpisodeIndex(showID string) string       { return fmt.Sprintf("show:%s:episodes", showID) }
func EpisodeJSON(showID, episodeID string, rev int) string {
	return fmt.Sprintf("epcache:%s:%s:r%d", showID, episodeID, rev)
}
func Embargo(showID, episodeID string) string { return fmt.Sprintf("embargo:%s:%s", showID, episodeID) }

// Feed is one rendered page of a show's RSS feed. variant is "public" or a
// private subscriber tier.
func Feed(showID, variant string, page int) string {
	return fmt.Sprintf("feed:%s:%s:p%03d", showID, variant, page)
}
func FeedStatus(showID string) string { return fmt.Sprintf("feedstatus:%s", showID) }

// FeedToken maps a private feed token to its show.
func FeedToken(token string) string { return "feedtok:" + token }

// ShowFeedToken holds the current private token of a show.
func ShowFeedToken(showID string) string { return "feedtoken:" + showID }
func ShowSettings(showID string) string  { return fmt.Sprintf("settings:%s", showID) }
func Slug(slug string) string            { return "slug:" + strings.ToLower(slug) }
func UploadQuota(showID string, month time.Time) string {
	return fmt.Sprintf("quota:uploads:%s:%04d-%02d", showID, month.Year(), int(month.Month()))
}
func DownloadDay(episodeID string, day time.Time) string {
	return fmt.Sprintf("dl:count:%s:%s", episodeID, day.UTC().Format("20060102"))
}
func DownloadHour(episodeID string, t time.Time) string {
	return fmt.Sprintf("downloads:count:%s:%s", episodeID, t.UTC().Format("2006010215"))
}
func DownloadTotal(episodeID string) string { return "dl:total:" + episodeID }
func DownloadSeen(messageID string) string  { return "dl:seen:" + messageID }
func Views(episodeID string) string         { return fmt.Sprintf("views:%s", episodeID) }
func Chapters(showID, episodeID string) string {
	return fmt.Sprintf("chapters:%s:%s", showID, episodeID)
}
func Transcript(showID, episodeID, lang string) string {
	return fmt.Sprintf("transcript:%s:%s:%s", showID, episodeID, lang)
}
func TranscriptLangs(showID, episodeID string) string {
	return fmt.Sprintf("transcript:%s:%s:", showID, episodeID)
}
func Login(email string) string { return "login:" + strings.ToLower(strings.TrimSpace(email)) }
func LoginRate(ip string, window time.Time, size time.Duration) string {
	return fmt.Sprintf("ratelimit:login:%s:%d", ip, window.Unix()/int64(size/time.Second))
}
func Session(id string) string                  { return "sess:" + id }
func ListenerSessions(listenerID string) string { return fmt.Sprintf("sessidx:%s:", listenerID) }
func ListenerSession(listenerID, sessionID string) string {
	return fmt.Sprintf("sessidx:%s:%s", listenerID, sessionID)
}
func OTP(email string) string           { return "otp:" + strings.ToLower(email) }
func RefreshToken(token string) string  { return "refresh:" + token }
func Revoked(jti string) string         { return "revoked:" + jti }
func Progress(listenerID string) string { return fmt.Sprintf("progress:%s", listenerID) }
