package events

import "time"

// Event names.
const (
	ListenerActivity   = "listener.activity"
	PasswordChanged    = "listener.password_changed"
	EpisodePublished   = "episode.published"
	PlaybackProgress   = "playback.progress"
	EpisodeDownloaded  = "episode.downloaded"
	PlaybackBatchFlush = "playback.batch"
)

// LoginEvent is published after a listener signs in.
type LoginEvent struct {
	ListenerID string
	SessionID  string
	At         time.Time
}

// LogoutEvent is published after a listener signs out of a device.
type LogoutEvent struct {
	ListenerID string
	DeviceID   string
}

// PlayEvent is published when playback of an episode starts.
type PlayEvent struct {
	ListenerID string
	EpisodeID  string
}

// SubscribeEvent is published when a listener follows a show.
type SubscribeEvent struct {
	ListenerID string
	ShowID     string
}

// ProgressEvent reports the playback position of a listener in an episode.
type ProgressEvent struct {
	ListenerID string
	EpisodeID  string
	Position   time.Duration
}

// PublishedEvent is published when an episode goes live.
type PublishedEvent struct {
	ShowID    string
	EpisodeID string
	Title     string
}

// PasswordChangedEvent is published after a listener changes their password.
type PasswordChangedEvent struct {
	ListenerID string
}
