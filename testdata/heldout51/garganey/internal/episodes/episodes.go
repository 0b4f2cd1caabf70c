// Package episodes publishes episodes and keeps the edge copies of show
// feeds and episode indexes in KV.
package episodes

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"slices"
	"sync"
	"time"

	"example.com/garganey/internal/kvstore"
	"example.com/garganey/internal/timing"
)

// Episode is the published form of an episode.
type Episode struct {
	ID          string    `json:"id"`
	ShowID      string    `json:"show"`
	Title       string    `json:"title"`
	AudioURL    string    `json:"audio"`
	Seconds     int       `json:"seconds"`
	Explicit    bool      `json:"explicit,omitempty"`
	PublishedAt time.Time `json:"published"`
}

// TranscodeStatus is what the dashboard shows while audio is processed.
type TranscodeStatus string

// maxIndex bounds the episode index kept per show; older episodes are
// reached through the paged API at the origin.
const maxIndex = 300

var progressTTL = timing.MustDuration("1h")

// Store reads and writes episode records.
type Store struct {
	st        kvstore.Store
	records   *kvstore.Base
	transcode *kvstore.Base
}

// NewStore wires the record kinds of this package onto st.
func NewStore(st kvstore.Store) *Store {
	transcode := kvstore.NewBase(st, "transcode")
	transcode.Encode = func(v any) ([]byte, error) {
		s, ok := v.(TranscodeStatus)
		if !ok {
			return nil, fmt.Errorf("transcode: unexpected %T", v)
		}
		return []byte(s), nil
	}
	transcode.TTL = timing.MustDuration("30s") // EXPECT kvttl
	return &Store{st: st, records: kvstore.NewBase(st, "ep"), transcode: transcode}
}

func indexKey(show string) string { return "show:" + show + ":episodes" }
func cardKey(ep Episode) string {
	return "card:" + ep.ShowID + ":" + ep.PublishedAt.UTC().Format(time.RFC3339) + ":" + ep.ID
}

// Publish stores the episode, its card and adds it to its show's index.
func (s *Store) Publish(ctx context.Context, ep Episode) error {
	if err := s.records.Save(ctx, ep.ID, ep); err != nil {
		return err
	}
	// The card is what show pages list; it is the episode without its audio.
	card, err := json.Marshal(Episode{ID: ep.ID, ShowID: ep.ShowID, Title: ep.Title, Seconds: ep.Seconds, PublishedAt: ep.PublishedAt})
	if err != nil {
		return err
	}
	if err := s.st.Put(ctx, cardKey(ep), card, 0); err != nil {
		return err
	}
	return appendToIndex(ctx, s.st, indexKey(ep.ShowID), ep.ID)
}

// SetTranscodeStatus is called by the transcoder's progress hook.
func (s *Store) SetTranscodeStatus(ctx context.Context, id string, status TranscodeStatus) error {
	return s.transcode.Save(ctx, id, status)
}

func loadIndex(ctx context.Context, st kvstore.Store, key string) ([]string, error) {
	res := st.Get(ctx, key)
	if res.Err != nil {
		return nil, res.Err
	}
	var ids []string
	if res.Value.Found {
		if err := json.Unmarshal(res.Value.Value, &ids); err != nil {
			return nil, fmt.Errorf("index %s: %w", key, err)
		}
	}
	return ids, nil
}

// appendToIndex puts id at the front of the JSON list stored at key.
func appendToIndex(ctx context.Context, st kvstore.Store, key, id string) error {
	ids, err := loadIndex(ctx, st, key)
	if err != nil {
		return err
	}
	if slices.Contains(ids, id) {
		return nil
	}
	ids = append([]string{id}, ids...)
	if len(ids) > maxIndex {
		ids = ids[:maxIndex]
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	return st.Put(ctx, key, b, 0) // EXPECT kvrace
}

// Progress is what the dashboard polls while an import runs.
type Progress struct {
	Done  int `json:"done"`
	Total int `json:"total"`
}

// Import copies the items of an external RSS feed into show, rebuilds its
// index and reports progress under "import:<job>" for the dashboard.
func (s *Store) Import(ctx context.Context, jobID, show string, items []Episode) error {
	progressKey := "import:" + jobID
	for i, ep := range items {
		ep.ShowID = show
		if err := s.records.Save(ctx, ep.ID, ep); err != nil {
			return fmt.Errorf("import %s item %d: %w", jobID, i, err)
		}
		p, err := json.Marshal(Progress{Done: i + 1, Total: len(items)})
		if err != nil {
			return err
		}
		if err := s.st.Put(ctx, progressKey, p, progressTTL); err != nil { // EXPECT kvhotkey
			return err
		}
	}

	// RSS items come newest first, which is the order of the index.
	ids := make([]string, 0, len(items))
	for _, ep := range items[:min(len(items), maxIndex)] {
		ids = append(ids, ep.ID)
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	return s.st.Put(ctx, indexKey(show), b, 0)
}

// Source renders feeds from the origin database.
type Source interface {
	ActiveShows(ctx context.Context) ([]string, error)
	RenderFeed(ctx context.Context, show string) ([]byte, error)
}

// Refresher re-renders the public feed of every active show on a ticker so
// that podcast apps polling the edge never wait for the origin.
type Refresher struct {
	st       kvstore.Store
	src      Source
	every    time.Duration
	feedTTL  time.Duration
	parallel int
}

// NewRefresher returns a refresher writing into st.
func NewRefresher(st kvstore.Store, src Source) *Refresher {
	return &Refresher{
		st:       st,
		src:      src,
		every:    timing.MustDuration("5m"),
		feedTTL:  timing.MustDuration("15m"),
		parallel: 8,
	}
}

// Run refreshes on every tick until ctx is done.
func (r *Refresher) Run(ctx context.Context) {
	t := time.NewTicker(r.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.RefreshAll(ctx); err != nil {
				log.Printf("episodes: refresh: %v", err)
			}
		}
	}
}

// RefreshAll renders and stores every active show's feed.
func (r *Refresher) RefreshAll(ctx context.Context) error {
	shows, err := r.src.ActiveShows(ctx)
	if err != nil {
		return err
	}
	sem := make(chan struct{}, r.parallel)
	var wg sync.WaitGroup
	for _, show := range shows {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			body, err := r.src.RenderFeed(ctx, show)
			if err != nil {
				log.Printf("episodes: render %s: %v", show, err)
				return
			}
			if err := r.st.Put(ctx, "feed:"+show, body, r.feedTTL); err != nil {
				log.Printf("episodes: store feed %s: %v", show, err)
				return
			}
			stamp := []byte(time.Now().UTC().Format(time.RFC3339))
			if err := r.st.Put(ctx, "feeds:refreshed-at", stamp, 0); err != nil { // EXPECT kvhotkey
				log.Printf("episodes: stamp: %v", err)
			}
		})
	}
	wg.Wait()
	return nil
}
