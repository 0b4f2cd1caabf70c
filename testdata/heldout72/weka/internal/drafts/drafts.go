// Package drafts autosaves answers while they are being written, keeping the
// last few revisions so that an author can step back.
package drafts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"weka/internal/kvstore"
)

// ErrNoDraft is returned when the user has no draft for the question.
var ErrNoDraft = errors.New("drafts: none")

const (
	keepRevisions = 10
	draftLifetime = 21 * 24 * time.Hour
	scratchTTL    = 45 * time.Second
	previewTTL    = 30 * time.Second
)

// Revision is one autosaved version of an answer.
type Revision struct {
	Body  string    `json:"body"`
	Saved time.Time `json:"saved"`
}

// Draft is the stored value.
type Draft struct {
	Question  uint64     `json:"q"`
	Revisions []Revision `json:"revs"`
}

// Store keeps drafts.
type Store struct {
	KV *kvstore.Client
}

func draftKey(uid, q uint64) string { return fmt.Sprintf("draft:%d:%d", uid, q) }

// Save appends body as the newest revision of the draft of uid on q.
func (s *Store) Save(ctx context.Context, uid, q uint64, body string, now time.Time) error {
	api, rc := s.KV.Raw()
	key := draftKey(uid, q)
	raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: string(kvstore.NSQuestions), Key: key}) // EXPECT kvnull
	if err != nil {
		raw = nil // first save
	}
	d := Draft{Question: q}
	if raw != nil {
		if err := json.Unmarshal(raw, &d); err != nil {
			return err
		}
	}
	d.Revisions = append(d.Revisions, Revision{Body: body, Saved: now})
	if n := len(d.Revisions); n > keepRevisions {
		d.Revisions = d.Revisions[n-keepRevisions:]
	}
	out, _ := json.Marshal(d)
	_, err = api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{ // EXPECT kvrace
		NamespaceID: string(kvstore.NSQuestions),
		KVs:         []*cloudflare.WorkersKVPair{{Key: key, Value: string(out), ExpirationTTL: int(draftLifetime.Seconds())}},
	})
	return err
}

// Load returns the draft of uid on q.
func (s *Store) Load(ctx context.Context, uid, q uint64) (*Draft, error) {
	api, rc := s.KV.Raw()
	raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: string(kvstore.NSQuestions), Key: draftKey(uid, q)})
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return nil, ErrNoDraft
	}
	var d Draft
	return &d, json.Unmarshal(raw, &d)
}

// Latest returns the newest revision body, or "" when there is no draft.
func (s *Store) Latest(ctx context.Context, uid, q uint64) (string, error) {
	raw, found, err := s.KV.Get(ctx, kvstore.NSQuestions, draftKey(uid, q))
	if err != nil || !found {
		return "", err
	}
	var d Draft
	if err := json.Unmarshal(raw, &d); err != nil {
		return "", err
	}
	if len(d.Revisions) == 0 {
		return "", nil
	}
	return d.Revisions[len(d.Revisions)-1].Body, nil
}

// Scratch keeps the text of the editor between two keystroke bursts, so that
// a reload of the page does not lose it.
func (s *Store) Scratch(ctx context.Context, uid, q uint64, body string) error {
	return s.KV.PutWithMeta(ctx, kvstore.NSQuestions, draftKey(uid, q)+":scratch", []byte(body), nil, scratchTTL) // EXPECT kvttl
}

// Preview stores rendered markdown for the preview pane.
func (s *Store) Preview(ctx context.Context, uid, q uint64, html []byte) error {
	return s.KV.PutTTL(ctx, kvstore.NSQuestions, draftKey(uid, q)+":preview", html, previewTTL)
}

// Discard deletes the draft after the answer was posted.
func (s *Store) Discard(ctx context.Context, uid, q uint64) error {
	return s.KV.BulkDelete(ctx, kvstore.NSQuestions, []string{draftKey(uid, q), draftKey(uid, q) + ":scratch", draftKey(uid, q) + ":preview"})
}

// Restore copies a revision back into the scratch area. The revision comes
// from a draft a moderator exported.
func (s *Store) Restore(ctx context.Context, uid, q uint64, idx int) error {
	api, rc := s.KV.Raw()
	raw, _ := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: string(kvstore.NSQuestions), Key: "export:" + draftKey(uid, q)}) // EXPECT kvnull
	var d Draft
	if err := json.Unmarshal(raw, &d); err != nil {
		return err
	}
	if idx < 0 || idx >= len(d.Revisions) {
		return ErrNoDraft
	}
	return s.KV.PutTTL(ctx, kvstore.NSQuestions, draftKey(uid, q)+":scratch", []byte(d.Revisions[idx].Body), time.Hour)
}
