// Package kinds names the families of values Ptarmigan keeps in Workers KV.
//
// A Kind decides where a value lives (its key prefix), how long it is kept
// and how many keys a single listing of that family asks for. Both the
// backend and the edge worker use the same table, so a feed cached by one is
// found by the other.
package kinds

import "time"

// Kind is a family of KV values.
type Kind int

const (
	Feed          Kind = iota // rendered RSS document of a show
	Episode                   // JSON document of an episode
	ShowListing               // episode summaries of a show, newest first
	Transcript                // rendered transcript of an episode
	EpisodeStatus             // processing status shown in the dashboard
	NowPlaying                // what a listener is playing right now
	PlayTally                 // edge-side play tally of an episode
	Charts                    // the weekly charts document
	Directory                 // the public show directory
)

// Prefix is the first key segment for values of this kind.
func (k Kind) Prefix() string {
	switch k {
	case Feed:
		return "feed"
	case Episode:
		return "ep"
	case ShowListing:
		return "listing"
	case Transcript:
		return "tx"
	case EpisodeStatus:
		return "status"
	case NowPlaying:
		return "np"
	case PlayTally:
		return "tally"
	case Directory:
		return "directory"
	}
	return ""
}

// TTL is how long a value of this kind is kept. Zero means no expiry.
func (k Kind) TTL() time.Duration {
	switch k {
	case Feed:
		return 5 * time.Minute
	case Episode:
		return time.Hour
	case ShowListing:
		return 10 * time.Minute
	case Transcript:
		return 7 * 24 * time.Hour
	case EpisodeStatus:
		return 2 * time.Minute
	case NowPlaying:
		return 30 * time.Second
	case Charts:
		return 6 * time.Hour
	case Directory:
		return 15 * time.Minute
	}
	return 0
}

// Key joins the kind's prefix with the given id segments.
func (k Kind) Key(ids ...string) string {
	key := k.Prefix()
	for _, id := range ids {
		key += ":" + id
	}
	return key
}
