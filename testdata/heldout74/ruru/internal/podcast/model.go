package podcast

import "time"

// Show is a podcast.
type Show struct {
	ID      string `json:"id"`
	Slug    string `json:"slug"`
	Title   string `json:"title"`
	OwnerID string `json:"ownerId"`
}

// Episode is one published or scheduled episode.
type Episode struct {
	ID          string    `json:"id"`
	ShowID      string    `json:"showId"`
	Title       string    `json:"title"`
	AudioURL    string    `json:"audioUrl"`
	DurationSec int       `json:"durationSec"`
	PublishAt   time.Time `json:"publishAt"`
	Explicit    bool      `json:"explicit"`
}

// PublishSettings are the per-show knobs editors change in the dashboard.
type PublishSettings struct {
	Visibility     string   `json:"visibility"` // public, unlisted, private
	FeedTitle      string   `json:"feedTitle,omitempty"`
	Categories     []string `json:"categories,omitempty"`
	AutoPublish    bool     `json:"autoPublish"`
	EpisodeLimit   int      `json:"episodeLimit"`
	DownloadPrefix string   `json:"downloadPrefix,omitempty"`
}

// DefaultSettings are used for a show that never saved settings.
func DefaultSettings() PublishSettings {
	return PublishSettings{Visibility: "public", EpisodeLimit: 300}
}

// FeedToken grants a subscriber access to a private feed.
type FeedToken struct {
	ShowID       string    `json:"showId"`
	SubscriberID string    `json:"subscriberId"`
	IssuedAt     time.Time `json:"issuedAt"`
}

// PlayerSession is the web player's signed-in listener state.
type PlayerSession struct {
	UserID      string    `json:"userId"`
	CreatedAt   time.Time `json:"createdAt"`
	LastEpisode string    `json:"lastEpisode,omitempty"`
	PositionSec int       `json:"positionSec,omitempty"`
	Queue       []string  `json:"queue,omitempty"`
}

// AudioManifest describes the renditions of an episode's audio.
type AudioManifest struct {
	ShowID     string   `json:"showId"`
	EpisodeID  string   `json:"episodeId"`
	Bucket     string   `json:"bucket"`
	Object     string   `json:"object"`
	Bytes      int64    `json:"bytes"`
	Renditions []string `json:"renditions"`
	PublicURL  string   `json:"publicUrl"`
}

// DailyRollup is one show's analytics for one day.
type DailyRollup struct {
	ShowID    string         `json:"showId"`
	Day       string         `json:"day"`
	Downloads map[string]int `json:"downloads"`
	Total     int            `json:"total"`
}

// LicenseNotice is attached to every public episode entry.
const LicenseNotice = `This episode is distributed by ruru.fm under the terms chosen by the show's publisher. ` +
	`Unless the show's page says otherwise, the audio, artwork, show notes and transcripts are licensed under the Creative Commons ` +
	`Attribution-NonCommercial-NoDerivatives 4.0 International License. You may copy and redistribute the material in any medium ` +
	`or format for non-commercial purposes, provided you give appropriate credit, provide a link to the license, and indicate if ` +
	`changes were made. You may do so in any reasonable manner, but not in any way that suggests the licensor endorses you or your use. ` +
	`If you remix, transform, or build upon the material, you may not distribute the modified material. You may not apply legal terms ` +
	`or technological measures that legally restrict others from doing anything the license permits. Advertising inserted by the ` +
	`platform is not part of the licensed work. Music beds remain the property of their respective owners and are used under licence. ` +
	`Contact legal@ruru.fm for takedown requests, rights enquiries, or permission to use any part of this episode commercially.`
