// Package publishing turns publishing actions from the creator dashboard
// into KV updates: listings, feed invalidations, teasers and transcripts.
package publishing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"ptarmigan/internal/catalog"
	"ptarmigan/internal/feeds"
	"ptarmigan/internal/kinds"
	"ptarmigan/internal/kvstore"
)

// Event is something that happened to a show.
type Event interface {
	Show() string
}

// EpisodePublished is sent when an episode goes live.
type EpisodePublished struct {
	ShowID  string
	Episode catalog.EpisodeSummary
}

// EpisodeUnpublished is sent when an episode is taken down.
type EpisodeUnpublished struct {
	ShowID    string
	EpisodeID string
}

// EpisodeScheduled is sent when an episode gets a release date; its teaser
// is shown until then.
type EpisodeScheduled struct {
	ShowID    string
	EpisodeID string
	At        time.Time
	Teaser    string
}

// FeedSettingsChanged is sent when the creator edits feed settings.
type FeedSettingsChanged struct {
	ShowID   string
	Settings json.RawMessage
}

// TranscriptReady is sent when the transcription pipeline finishes.
type TranscriptReady struct {
	ShowID    string
	EpisodeID string
	Lang      string
	Body      []byte
}

// ShowDeleted is sent when a show is removed from the platform.
type ShowDeleted struct {
	ShowID string
}

func (e EpisodePublished) Show() string    { return e.ShowID }
func (e EpisodeUnpublished) Show() string  { return e.ShowID }
func (e EpisodeScheduled) Show() string    { return e.ShowID }
func (e FeedSettingsChanged) Show() string { return e.ShowID }
func (e TranscriptReady) Show() string     { return e.ShowID }
func (e ShowDeleted) Show() string         { return e.ShowID }

// transcriptNotice travels with every transcript so that the edge can show
// it without reading the body.
const transcriptNotice = "This transcript was generated automatically from the episode audio " +
	"and may contain errors, omissions or misattributed speakers. It is provided for " +
	"accessibility and search purposes only and is not an authoritative record of the " +
	"episode. Quotations need checking against the original audio before publication. " +
	"The transcript is licensed to listeners under the same terms as the episode itself; " +
	"the show's creator retains all rights in the underlying recording and in any music, " +
	"sound effects or third-party material it contains. Automated transcription is " +
	"performed by Ptarmigan's speech pipeline; creators may correct the text at any time " +
	"from the dashboard, and corrected transcripts replace the generated version within a " +
	"few minutes. If you believe a transcript infringes your rights or misrepresents what " +
	"was said, contact the show's creator first and then Ptarmigan support, quoting the " +
	"episode URL and the timestamp of the passage in question. Ptarmigan does not review " +
	"transcripts before publication and accepts no liability for their content."

// Dispatcher applies events to KV.
type Dispatcher struct {
	root     kvstore.Scope
	listings *catalog.Listings
	feeds    *feeds.Service
}

// NewDispatcher returns a dispatcher writing under root.
func NewDispatcher(root kvstore.Scope, listings *catalog.Listings, fs *feeds.Service) *Dispatcher {
	return &Dispatcher{root: root, listings: listings, feeds: fs}
}

// Dispatch applies one event.
func (d *Dispatcher) Dispatch(ctx context.Context, ev Event) error {
	show := d.root.Scope("show", ev.Show())
	switch e := ev.(type) {
	case EpisodePublished:
		if err := d.feeds.Invalidate(ctx, e.ShowID); err != nil {
			return err
		}
		if _, err := show.Get(ctx, "first-published"); err != nil { // EXPECT kvnull
			stamp := []byte(e.Episode.PublishedAt.UTC().Format(time.RFC3339))
			if err := show.Put(ctx, "first-published", stamp, 0); err != nil { // DEBATABLE kvrace
				return err
			}
		}
		return d.listings.Add(ctx, e.ShowID, e.Episode)

	case EpisodeUnpublished:
		s := d.listings.Show(e.ShowID)
		eps, err := kvstore.Load[[]catalog.EpisodeSummary](ctx, s, "episodes")
		if errors.Is(err, kvstore.ErrNotFound) {
			return d.feeds.Invalidate(ctx, e.ShowID)
		}
		if err != nil {
			return err
		}
		eps = slices.DeleteFunc(eps, func(x catalog.EpisodeSummary) bool { return x.ID == e.EpisodeID })
		b, err := json.Marshal(eps)
		if err != nil {
			return err
		}
		if err := s.Put(ctx, "episodes", b, 0); err != nil { // EXPECT kvrace
			return err
		}
		return d.feeds.Invalidate(ctx, e.ShowID)

	case EpisodeScheduled:
		return show.Put(ctx, "teaser:"+e.EpisodeID, []byte(e.Teaser), time.Until(e.At)) // EXPECT kvttl

	case FeedSettingsChanged:
		if err := show.Put(ctx, "settings", e.Settings, 0); err != nil {
			return err
		}
		return d.feeds.Invalidate(ctx, e.ShowID)

	case TranscriptReady:
		tx := d.root.Scope(kinds.Transcript.Prefix())
		return tx.PutWithMetadata(ctx, e.EpisodeID, e.Body, map[string]any{"lang": e.Lang, "notice": transcriptNotice}, kinds.Transcript.TTL()) // EXPECT kvlimits

	case ShowDeleted:
		names, err := show.Names(ctx)
		if err != nil {
			return err
		}
		for chunk := range slices.Chunk(names, 10_000) {
			if err := show.BulkDelete(ctx, chunk); err != nil {
				return err
			}
		}
		slog.Info("publishing: show removed from KV", "show", e.ShowID, "keys", len(names))
		return d.listings.Show(e.ShowID).Delete(ctx, "episodes")

	default:
		return fmt.Errorf("publishing: unhandled event %T", ev)
	}
}
