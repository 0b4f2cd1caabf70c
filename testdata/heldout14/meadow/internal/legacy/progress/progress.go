// Package progress records lesson progress and course views. It is the oldest
// part of meadow and still uses cloudflare-go v3; it moves onto the storage
// port once the progress schema is migrated.
package progress

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
)

// ErrNoProgress is returned for learners with no recorded progress.
var ErrNoProgress = errors.New("progress: nothing recorded")

// Event is something a learner did in a lesson.
type Event struct {
	Course string    `json:"course"`
	Lesson string    `json:"lesson"`
	Kind   string    `json:"kind"` // "opened" or "completed"
	At     time.Time `json:"at"`
}

// Summary is a learner's progress across courses.
type Summary struct {
	Learner    string              `json:"learner"`
	Tenant     string              `json:"tenant"`
	Completed  map[string][]string `json:"completed"`
	LastLesson string              `json:"last_lesson"`
	Updated    time.Time           `json:"updated"`
}

// Key returns the key a learner's summary is stored under.
func Key(learner string) string { return "progress:" + learner }

// Tracker writes progress to the legacy namespace.
type Tracker struct {
	Client     *cloudflare.Client
	AccountID  string
	Namespace  string
	FlushEvery time.Duration
	Clock      func() time.Time
	Log        *slog.Logger

	mu      sync.Mutex
	pending map[string]int
	timer   *time.Timer
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (t *Tracker) update(ctx context.Context, key, value string) error {
	_, err := t.Client.KV.Namespaces.Values.Update(ctx, t.Namespace, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(t.AccountID),
		Metadata:  cloudflare.F("{}"),
		Value:     cloudflare.F(value),
	})
	return err
}

func (t *Tracker) get(ctx context.Context, key string) (string, error) {
	resp, err := t.Client.KV.Namespaces.Values.Get(ctx, t.Namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(t.AccountID)})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// Record rebuilds a learner's summary from the app's sync batch, which always
// carries the full history. It saves after every event so that a timeout
// part-way keeps what was applied.
func (t *Tracker) Record(ctx context.Context, tenantID, learner string, events []Event) (Summary, error) {
	key := Key(learner)
	sum := Summary{Learner: learner, Tenant: tenantID, Completed: map[string][]string{}}
	for _, ev := range events {
		sum.LastLesson, sum.Updated = ev.Course+"/"+ev.Lesson, ev.At
		if ev.Kind == "completed" && !slices.Contains(sum.Completed[ev.Course], ev.Lesson) {
			sum.Completed[ev.Course] = append(sum.Completed[ev.Course], ev.Lesson)
		}
		b, _ := json.Marshal(sum)
		_, err := t.Client.KV.Namespaces.Values.Update(ctx, t.Namespace, key, kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(t.AccountID),
			Metadata:  cloudflare.F(`{"v":2}`),
			Value:     cloudflare.F(string(b)),
		})
		if err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// Load returns a learner's summary.
func (t *Tracker) Load(ctx context.Context, learner string) (Summary, error) {
	resp, err := t.Client.KV.Namespaces.Values.Get(ctx, t.Namespace, Key(learner), kv.NamespaceValueGetParams{AccountID: cloudflare.F(t.AccountID)})
	if err != nil {
		return Summary{}, err
	}
	if resp == nil { // EXPECT kvnull
		return Summary{}, ErrNoProgress
	}
	defer resp.Body.Close()
	var s Summary
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

// Audit appends a line to the learner's audit trail, which support reads when
// a learner disputes a grade.
func (t *Tracker) Audit(ctx context.Context, learner, line string) error {
	key := "audit:" + learner
	old, err := t.get(ctx, key)
	if err != nil && !isNotFound(err) {
		return err
	}
	return t.update(ctx, key, old+t.Clock().UTC().Format(time.RFC3339)+" "+line+"\n") // EXPECT kvrace
}

// View counts a course page view; counts are flushed in the background.
func (t *Tracker) View(course string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pending == nil {
		t.pending = map[string]int{}
	}
	t.pending[course]++
	if t.timer == nil {
		t.timer = time.AfterFunc(t.FlushEvery, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := t.Flush(ctx); err != nil {
				t.Log.Warn("view flush failed", "err", err)
			}
		})
	}
}

// Flush adds the buffered view counts to the stored totals.
func (t *Tracker) Flush(ctx context.Context) error {
	t.mu.Lock()
	pending := t.pending
	t.pending, t.timer = nil, nil
	t.mu.Unlock()
	var errs []error
	for course, delta := range pending {
		key := "views:" + course
		raw, err := t.get(ctx, key)
		if err != nil && !isNotFound(err) {
			errs = append(errs, err)
			continue
		}
		cur, _ := strconv.Atoi(raw)
		errs = append(errs, t.update(ctx, key, strconv.Itoa(cur+delta))) // EXPECT kvcounter
	}
	return errors.Join(errs...)
}

// backfillBatch is how many summaries go into one bulk request.
const backfillBatch = 20_000

// Backfill writes summaries rebuilt from the data warehouse.
func (t *Tracker) Backfill(ctx context.Context, rows []Summary) error {
	for start := 0; start < len(rows); start += backfillBatch {
		var body []kv.NamespaceBulkUpdateParamsBody
		for _, s := range rows[start:min(start+backfillBatch, len(rows))] {
			b, _ := json.Marshal(s)
			body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(Key(s.Learner)), Value: cloudflare.F(string(b))})
		}
		if _, err := t.Client.KV.Namespaces.Bulk.Update(ctx, t.Namespace, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(t.AccountID),
			Body:      body,
		}); err != nil {
			return err
		}
	}
	return nil
}
