// Package drafts stores drafts the editor autosaves every few seconds.
package drafts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/quill/internal/config"
	"example.com/quill/internal/keys"
	"example.com/quill/internal/storage"
	"example.com/quill/internal/storage/cached"
)

var now = time.Now

// ErrNoDraft is returned when there is no draft with that ID.
var ErrNoDraft = errors.New("drafts: no such draft")

// Draft is an unpublished issue.
type Draft struct {
	ID      string    `json:"id"`
	Author  string    `json:"author"`
	Tenant  string    `json:"tenant"`
	Title   string    `json:"title"`
	Body    string    `json:"body"`
	Saved   time.Time `json:"saved"`
	Created time.Time `json:"created"`
}

// Summary is what the drafts list shows.
type Summary struct {
	ID    string    `json:"id"`
	Title string    `json:"title"`
	Saved time.Time `json:"saved"`
}

// Store manages drafts.
type Store struct{ rw storage.ReadWriter }

// New returns a Store; reads are cached briefly to absorb reload bursts.
func New(rw storage.ReadWriter) *Store {
	return &Store{rw: cached.New(rw, 512, 5*time.Second)}
}

// Autosave records the editor's current state of a draft.
func (s *Store) Autosave(ctx context.Context, author, tenant, id, title, body string) (time.Time, error) {
	saved := now().UTC()
	key := keys.Draft(author, id)
	opts := storage.PutOptions{
		TTL:      max(config.Current().DraftTTL, 24*time.Hour),
		Metadata: map[string]any{"title": title[:min(len(title), 120)], "saved": saved.Unix()},
	}
	err := storage.Update(ctx, s.rw, key, opts, func(d *Draft) error {
		if d.ID != "" && d.Title == title && d.Body == body {
			return storage.ErrSkip
		}
		if d.ID == "" {
			d.ID, d.Author, d.Tenant, d.Created = id, author, tenant, saved
		}
		d.Title, d.Body, d.Saved = title, body, saved
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("autosave %s: %w", id, err)
	}
	presence := []byte(author + "@" + saved.Format(time.RFC3339))
	_ = s.rw.Put(ctx, keys.Presence(id), presence, storage.PutOptions{TTL: 2 * time.Minute}) // DEBATABLE kvhotkey
	return saved, nil
}

// Load returns a draft.
func (s *Store) Load(ctx context.Context, author, id string) (*Draft, error) {
	raw, err := s.rw.Get(ctx, keys.Draft(author, id))
	if err != nil {
		return nil, fmt.Errorf("load draft %s: %w", id, err)
	}
	if len(raw) == 0 { // EXPECT kvnull
		return nil, ErrNoDraft
	}
	var d Draft
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("load draft %s: %w", id, err)
	}
	return &d, nil
}

// Discard deletes a draft.
func (s *Store) Discard(ctx context.Context, author, id string) error {
	return s.rw.Delete(ctx, keys.Draft(author, id))
}

// List returns one page of the author's drafts and the cursor of the next.
func (s *Store) List(ctx context.Context, author, cursor string) ([]Summary, string, error) {
	page, err := s.rw.List(ctx, storage.ListOptions{Prefix: keys.DraftPrefix(author), Cursor: cursor, Limit: 50})
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(page.Keys))
	for _, k := range page.Keys {
		sum := Summary{ID: k.Name[strings.LastIndexByte(k.Name, ':')+1:]}
		if t, ok := k.Metadata["title"].(string); ok {
			sum.Title = t
		}
		if ts, ok := k.Metadata["saved"].(float64); ok {
			sum.Saved = time.Unix(int64(ts), 0).UTC()
		}
		out = append(out, sum)
	}
	next := page.Cursor
	if page.Complete {
		next = ""
	}
	return out, next, nil
}

// PurgeStale deletes drafts last saved before cutoff and returns how many.
func (s *Store) PurgeStale(ctx context.Context, cutoff time.Time) (int, error) {
	opts := storage.ListOptions{Prefix: keys.DraftPrefix(""), Limit: 500}
	removed := 0
	var errs []error
	for {
		page, err := s.rw.List(ctx, opts) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			ts, ok := k.Metadata["saved"].(float64)
			if !ok || time.Unix(int64(ts), 0).After(cutoff) {
				continue
			}
			if err := s.rw.Delete(ctx, k.Name); err != nil {
				errs = append(errs, err)
				continue
			}
			removed++
		}
		if page.Cursor == "" {
			break
		}
		opts.Cursor = page.Cursor
	}
	return removed, errors.Join(errs...)
}
