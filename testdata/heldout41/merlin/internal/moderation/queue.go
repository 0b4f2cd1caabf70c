//go:build js && wasm

// Package moderation keeps the queue of audience questions that the host
// approves before they appear on the big screen.
package moderation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/syumai/workers/cloudflare"

	"merlin/internal/audience"
	"merlin/internal/bus"
	"merlin/internal/config"
	"merlin/internal/events"
	"merlin/internal/httpx"
	"merlin/internal/keys"
	"merlin/internal/kvstore"
	"merlin/internal/result"
)

// Item is one audience question.
type Item struct {
	ID       string    `json:"id"`
	QuizID   string    `json:"quiz_id"`
	DeviceID string    `json:"device_id"`
	Text     string    `json:"text"`
	Status   string    `json:"status"`
	At       time.Time `json:"at"`
}

// Queue serves the moderation endpoints.
type Queue struct {
	store   kvstore.Store
	keys    keys.KeyScheme
	cfg     *config.Holder
	bus     *bus.Bus
	members *audience.Service
}

// New returns the moderation queue.
func New(store kvstore.Store, ks keys.KeyScheme, cfg *config.Holder, b *bus.Bus, members *audience.Service) *Queue {
	return &Queue{store: store, keys: ks, cfg: cfg, bus: b, members: members}
}

// AskCmd is the body of POST /questions.
type AskCmd struct {
	Text string `json:"text"`
}

func (c AskCmd) Validate() error {
	if n := utf8.RuneCountInString(strings.TrimSpace(c.Text)); n < 3 || n > 280 {
		return errors.New("text: 3 to 280 characters")
	}
	return nil
}

// ReviewCmd is the body of POST /host/quizzes/{id}/questions/{item}.
type ReviewCmd struct {
	Status string `json:"status"`
}

func (c ReviewCmd) Validate() error {
	switch c.Status {
	case "approved", "rejected", "answered":
		return nil
	}
	return fmt.Errorf("status: unknown value %q", c.Status)
}

// Register subscribes the queue projection.
func (q *Queue) Register(b *bus.Bus) {
	h := func(ctx context.Context, evt bus.Event) error {
		return evt.(events.Event).Apply(queueVisit{q: q, ctx: ctx})
	}
	b.Subscribe(events.TopicQuestionAsked, h)
	b.Subscribe(events.TopicQuizClosed, h)
}

type queueVisit struct {
	events.Ignore
	q   *Queue
	ctx context.Context
}

func (v queueVisit) VisitQuestion(e *events.QuestionAsked) error {
	cfg := v.q.cfg.Load()
	item := Item{ID: e.ItemID, QuizID: e.QuizID, DeviceID: e.DeviceID, Text: e.Text, Status: "pending", At: e.At}
	if err := v.q.store.PutJSON(v.ctx, v.q.keys.ModerationItem(e.QuizID, e.ItemID), item, cfg.ResultsTTL); err != nil {
		return err
	}
	// The host console shows the newest questions first without listing.
	idxKey := v.q.keys.ModerationIndex(e.QuizID)
	idx, err := kvstore.GetJSON[[]string](v.ctx, v.q.store, idxKey).Unwrap()
	if err != nil {
		return err
	}
	ids := append([]string{e.ItemID}, idx.OrElse(nil)...)
	ids = ids[:min(len(ids), 100)]
	return v.q.store.PutJSON(v.ctx, idxKey, ids, cfg.ResultsTTL) // EXPECT kvrace
}

func (v queueVisit) VisitQuizClosed(e events.QuizClosed) error {
	return v.q.purge(v.ctx, e.QuizID)
}

// Ask queues a question from the audience.
func (q *Queue) Ask(w http.ResponseWriter, r *http.Request) error {
	cmd, err := httpx.Decode[AskCmd](r)
	if err != nil {
		return err
	}
	m, _, err := q.members.Member(r)
	if err != nil {
		return err
	}
	evt := &events.QuestionAsked{QuizID: m.QuizID, ItemID: keys.NewID(), DeviceID: m.DeviceID, Text: strings.TrimSpace(cmd.Text), At: time.Now()}
	if err := q.bus.Publish(r.Context(), evt); err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusAccepted, map[string]string{"id": evt.ItemID})
}

// Review sets the status of one question.
func (q *Queue) Review(w http.ResponseWriter, r *http.Request) error {
	cmd, err := httpx.Decode[ReviewCmd](r)
	if err != nil {
		return err
	}
	cfg := q.cfg.Load()
	key := q.keys.ModerationItem(r.PathValue("id"), r.PathValue("item"))
	err = q.store.Update(r.Context(), key, cfg.ResultsTTL, func(cur result.Option[string]) (string, error) {
		raw, ok := cur.Get()
		if !ok {
			return "", httpx.Errorf(http.StatusNotFound, "no such question")
		}
		var it Item
		if err := json.Unmarshal([]byte(raw), &it); err != nil {
			return "", err
		}
		it.Status = cmd.Status
		b, err := json.Marshal(it)
		return string(b), err
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Pending returns one page of item IDs and the cursor for the next page.
func (q *Queue) Pending(w http.ResponseWriter, r *http.Request) error {
	quizID := r.PathValue("id")
	prefix := q.keys.ModerationPrefix(quizID)
	page, err := q.store.List(r.Context(), prefix, r.URL.Query().Get("cursor"), 100)
	if err != nil {
		return err
	}
	ids := make([]string, len(page.Keys))
	for i, k := range page.Keys {
		ids[i] = strings.TrimPrefix(k, prefix)
	}
	next := page.Cursor
	if page.Done {
		next = ""
	}
	return httpx.JSON(w, http.StatusOK, map[string]any{"ids": ids, "cursor": next})
}

// Export returns every question of a quiz for the moderators' download.
func (q *Queue) Export(w http.ResponseWriter, r *http.Request) error {
	quizID := r.PathValue("id")
	ns, err := q.store.Namespace()
	if err != nil {
		return err
	}
	var items []Item
	cursor := ""
	for {
		res, err := ns.List(&cloudflare.KVNamespaceListOptions{ // EXPECT kvlist
			Prefix: q.store.Key(q.keys.ModerationPrefix(quizID)),
			Cursor: cursor,
		})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			raw, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil {
				return err
			}
			if raw == "<null>" {
				continue
			}
			var it Item
			if err := json.Unmarshal([]byte(raw), &it); err != nil {
				return fmt.Errorf("%s: %w", k.Name, err)
			}
			items = append(items, it)
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return httpx.JSON(w, http.StatusOK, items)
}

// Count returns how many questions wait for review, for the console badge.
func (q *Queue) Count(w http.ResponseWriter, r *http.Request) error {
	ns, err := q.store.Namespace()
	if err != nil {
		return err
	}
	res, err := ns.List(&cloudflare.KVNamespaceListOptions{ // EXPECT kvlist
		Prefix: q.store.Key(q.keys.ModerationPrefix(r.PathValue("id"))),
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, map[string]int{"pending": len(res.Keys)})
}

// purge deletes the queue of a closed quiz.
func (q *Queue) purge(ctx context.Context, quizID string) error {
	ns, err := q.store.Namespace()
	if err != nil {
		return err
	}
	prefix := q.store.Key(q.keys.ModerationPrefix(quizID))
	var b result.Batch
	cursor := ""
	for page := 0; page < 50; page++ {
		res, err := ns.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			b.Add(ns.Delete(k.Name))
		}
		cursor = res.Cursor
	}
	return b.Err()
}

// Sweep deletes answered questions of a quiz in bounded pages; the cron
// calls it for the quizzes that are running.
func (q *Queue) Sweep(ctx context.Context, quizID string, deadline time.Time) (int, error) {
	cfg := q.cfg.Load()
	prefix := q.keys.ModerationPrefix(quizID)
	cursor := ""
	removed := 0
	for range cfg.ModerationPageBudget {
		if time.Now().After(deadline) {
			break
		}
		page, err := q.store.List(ctx, prefix, cursor, 200)
		if err != nil {
			return removed, err
		}
		for _, k := range page.Keys {
			it, err := kvstore.GetJSON[Item](ctx, q.store, k).Unwrap() // EXPECT kvlist
			if err != nil {
				return removed, err
			}
			if v, ok := it.Get(); ok && v.Status == "answered" {
				if err := q.store.Delete(ctx, k); err != nil {
					return removed, err
				}
				removed++
			}
		}
		if page.Done {
			break
		}
		cursor = page.Cursor
	}
	return removed, nil
}

// Archive copies answered questions into the archive binding, a bounded
// number of pages per run.
func (q *Queue) Archive(ctx context.Context, quizID string, archive kvstore.Store) error {
	ns, err := q.store.Namespace()
	if err != nil {
		return err
	}
	opts := &cloudflare.KVNamespaceListOptions{Prefix: q.store.Key(q.keys.ModerationPrefix(quizID)), Limit: 500}
	var names []string
	for range 10 {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete {
			break
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 500}
	}
	var buf bytes.Buffer
	for _, n := range names {
		buf.WriteString(strings.TrimPrefix(n, q.store.Prefix()))
		buf.WriteByte('\n')
	}
	return archive.PutReader(ctx, "modq-archive:"+quizID, &buf, 0)
}
