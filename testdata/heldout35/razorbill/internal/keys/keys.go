// Package keys defines the KV key layout shared by the Worker and the admin
// backend. Every key is built here so that both sides agree on it.
package keys

import (
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"
)

// ShowID identifies a show (podcast).
type ShowID string

// Key is the KV key of the show record.
func (s ShowID) Key() string { return "show/" + url.PathEscape(string(s)) }

// EpisodeIndexKey holds the JSON list of the show's published episode IDs.
func (s ShowID) EpisodeIndexKey() string { return path.Join("show", string(s), "episodes") }

// EpisodePrefix is the list prefix of the show's episode records.
func (s ShowID) EpisodePrefix() string { return "episode/" + string(s) + "/" }

// EpisodeID identifies an episode within a show.
type EpisodeID string

// Key is the KV key of the episode record.
func (e EpisodeID) Key(show ShowID) string { return show.EpisodePrefix() + string(e) }

// ListenerID identifies a listener account.
type ListenerID string

// SubscriptionsKey holds the JSON list of shows the listener follows.
func (l ListenerID) SubscriptionsKey() string {
	var b strings.Builder
	b.WriteString("listener/")
	b.WriteString(url.PathEscape(string(l)))
	b.WriteString("/subscriptions")
	return b.String()
}

// HistoryKey holds the listener's recent playback history.
func (l ListenerID) HistoryKey() string { return path.Join("listener", string(l), "history") }

// SessionIndexPrefix lists the session IDs of the listener.
func (l ListenerID) SessionIndexPrefix() string { return "sessidx/" + string(l) + "/" }

// DownloadKey is the per-day download tally of an episode.
func DownloadKey(ep EpisodeID, day time.Time) string {
	return fmt.Sprintf("downloads/%s/%s", ep, day.UTC().Format("2006-01-02"))
}

// RollupKey is the per-hour rollup written by the cron job.
func RollupKey(ep EpisodeID, hour int) string {
	return fmt.Sprintf("rollup/%s/%d", ep, hour)
}

// FeedKey is the cached rendered feed of a show in a format (rss, json).
func FeedKey(show ShowID) string { return path.Join("feed", string(show), "rss") }

// SlugKey reserves a vanity slug for a show.
func SlugKey(slug string) string { return "slug/" + strings.ToLower(url.PathEscape(slug)) }

// ChunkKey is the key of one chunk of an upload.
func ChunkKey(uploadID string, n int) string { return fmt.Sprintf("upload/%s/chunk/%d", uploadID, n) }

// TagsKey holds the JSON list of tags of a show.
func TagsKey(show ShowID) string { return strings.Join([]string{"show", string(show), "tags"}, "/") }

// AllCategories is the full Apple Podcasts category list, used by the
// directory page when no filter is selected.
const AllCategories = "Arts,Arts:Books,Arts:Design,Arts:Fashion & Beauty,Arts:Food,Arts:Performing Arts,Arts:Visual Arts," +
	"Business,Business:Careers,Business:Entrepreneurship,Business:Investing,Business:Management,Business:Marketing,Business:Non-Profit," +
	"Comedy,Comedy:Comedy Interviews,Comedy:Improv,Comedy:Stand-Up," +
	"Education,Education:Courses,Education:How To,Education:Language Learning,Education:Self-Improvement," +
	"Fiction,Fiction:Comedy Fiction,Fiction:Drama,Fiction:Science Fiction," +
	"Government,History,Health & Fitness,Health & Fitness:Alternative Health,Health & Fitness:Fitness,Health & Fitness:Medicine," +
	"Health & Fitness:Mental Health,Health & Fitness:Nutrition,Health & Fitness:Sexuality," +
	"Kids & Family,Kids & Family:Education for Kids,Kids & Family:Parenting,Kids & Family:Pets & Animals,Kids & Family:Stories for Kids," +
	"Leisure,Leisure:Animation & Manga,Leisure:Automotive,Leisure:Aviation,Leisure:Crafts,Leisure:Games,Leisure:Hobbies," +
	"Music,Music:Music Commentary,Music:Music History,Music:Music Interviews,News,News:Business News,News:Daily News," +
	"Religion & Spirituality,Science,Science:Astronomy,Science:Chemistry,Science:Earth Sciences,Science:Life Sciences," +
	"Society & Culture,Society & Culture:Documentary,Sports,Technology,True Crime,TV & Film"

// DirectoryKey is the cached directory page for a single category.
func DirectoryKey(category string, page int) string {
	return fmt.Sprintf("directory/%s/%d", url.PathEscape(category), page)
}
