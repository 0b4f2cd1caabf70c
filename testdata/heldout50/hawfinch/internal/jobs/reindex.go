package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"hawfinch/internal/kind"
	"hawfinch/internal/restkv"
)

const cancellationPolicy = `Lessons cancelled by the student more than 24 hours before the start are refunded in full. ` +
	`Lessons cancelled between 24 and 4 hours before the start are refunded at 50 percent, and the tutor keeps the rest ` +
	`as compensation for the reserved time. Lessons cancelled less than 4 hours before the start, and lessons the student ` +
	`does not attend within 15 minutes of the start, are not refunded. If the tutor cancels or does not attend, the student ` +
	`is refunded in full and receives a credit of 10 percent of the lesson price towards the next booking with any tutor. ` +
	`Package lessons follow the same rules per lesson; unused lessons in a package expire 12 months after purchase and are ` +
	`refunded pro rata on request. Disputes must be raised within 7 days of the lesson through the help centre; ` +
	`TutorLoop reviews the lesson record and both parties' messages and its decision is final. Tutors who cancel more ` +
	`than three lessons in a rolling 30-day window lose their featured placement for 60 days. ` +
	`Rescheduling counts as a cancellation unless the new time is agreed in the lesson chat at least 24 hours ahead.`

const topTutorsQuery = `SELECT t.id, t.display_name, t.headline, s.slug AS subject, ` +
	`AVG(r.stars) AS rating, COUNT(DISTINCT r.id) AS reviews, COUNT(DISTINCT b.id) AS lessons, ` +
	`MIN(p.price_cents) AS from_price ` +
	`FROM tutors t JOIN tutor_subjects ts ON ts.tutor_id = t.id JOIN subjects s ON s.id = ts.subject_id ` +
	`LEFT JOIN reviews r ON r.tutor_id = t.id AND r.hidden = false ` +
	`LEFT JOIN bookings b ON b.tutor_id = t.id AND b.status = 'completed' AND b.start_at > now() - interval '90 days' ` +
	`LEFT JOIN prices p ON p.tutor_id = t.id AND p.active ` +
	`WHERE t.status = 'active' AND t.verified_at IS NOT NULL ` +
	`GROUP BY t.id, t.display_name, t.headline, s.slug ` +
	`HAVING COUNT(DISTINCT r.id) >= 3 ` +
	`ORDER BY rating DESC, lessons DESC, t.id LIMIT 50`

// Reindex rebuilds the search listing cards at the edge from the API.
type Reindex struct {
	KV  restkv.Scope
	API *API
}

func (j *Reindex) Run(ctx context.Context) error {
	release, err := restkv.Acquire(ctx, j.KV, "reindex", time.Hour)
	if err != nil {
		return err
	}
	defer release()
	bySubject, err := j.API.Cards(ctx)
	if err != nil {
		return err
	}
	live := map[string]bool{}
	subjects := slices.Sorted(maps.Keys(bySubject))
	for _, subject := range subjects {
		cards := j.KV.Scope("catalog", "subject", subject)
		items := make([]restkv.Item, 0, len(bySubject[subject]))
		for _, c := range bySubject[subject] {
			b, _ := json.Marshal(c)
			live[cards.Key(c.TutorID)] = true
			items = append(items, restkv.Item{
				Name:     c.TutorID,
				Value:    string(b),
				TTL:      48 * kind.Listing.TTL(),
				Metadata: map[string]any{"v": 3, "policy": cancellationPolicy}, // EXPECT kvlimits
			})
		}
		if err := cards.PutMany(ctx, items); err != nil {
			return fmt.Errorf("reindex %s: %w", subject, err)
		}
	}
	markers := make([]restkv.Item, 0, len(subjects))
	for _, subject := range subjects {
		markers = append(markers, restkv.Item{Name: subject, Value: "1", TTL: 72 * time.Hour})
	}
	if err := j.KV.Scope("catalog", "subjects").PutMany(ctx, markers); err != nil {
		return err
	}
	if err := j.prune(ctx, live); err != nil {
		return err
	}
	report, err := j.API.Query(ctx, topTutorsQuery)
	if err != nil {
		return err
	}
	if err := j.KV.Scope("report").PutTTL(ctx, topTutorsQuery, report, 6*time.Hour); err != nil { // EXPECT kvlimits
		return err
	}
	return j.KV.Scope("jobs", "reindex").Put(ctx, "finished", []byte(time.Now().UTC().Format(time.RFC3339)))
}

// prune deletes cards of tutors that no longer teach a subject.
func (j *Reindex) prune(ctx context.Context, live map[string]bool) error {
	ns := j.KV.Namespace()
	prefix := j.KV.Scope("catalog", "subject").Prefix()
	iter := ns.API.Keys.ListAutoPaging(ctx, ns.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F(prefix),
	})
	var stale []string
	for iter.Next() {
		if k := iter.Current(); !live[k.Name] {
			stale = append(stale, k.Name)
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	root := restkv.Root(ns)
	for _, key := range stale {
		if err := root.Delete(ctx, key); err != nil {
			return err
		}
	}
	return nil
}

// Audit compares every profile cached at the edge with the API and logs
// tutors whose cached rating drifted. It resumes from the last checkpoint.
func (j *Reindex) Audit(ctx context.Context) error {
	ns := j.KV.Namespace()
	profiles := j.KV.Scope("profile")
	jobs := j.KV.Scope("jobs", "audit")
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F(profiles.Prefix()),
		Limit:     cloudflare.F(2000.0), // EXPECT kvlimits
	}
	switch cp, err := jobs.Get(ctx, "checkpoint"); {
	case err == nil:
		params.Cursor = cloudflare.F(string(cp))
	case !errors.Is(err, restkv.ErrNotFound):
		return err
	}
	drifted := 0
	for {
		page, err := ns.API.Keys.List(ctx, ns.ID, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			if r, ok := k.Metadata["rating"].(float64); ok && r < 1 {
				drifted++
				log.Printf("audit: %s has rating %.2f", k.Name, r)
			}
		}
		next := page.ResultInfo.Cursor
		if err := jobs.Put(ctx, "checkpoint", []byte(next)); err != nil { // EXPECT kvhotkey
			return err
		}
		if next == "" {
			break
		}
		params.Cursor = cloudflare.F(next)
	}
	log.Printf("audit: %d drifted profiles", drifted)
	return nil
}

// Verify spot-checks one page of listing cards for a subject and returns
// the cursor of the next page.
func (j *Reindex) Verify(ctx context.Context, subject, cursor string) (bad int, next string, err error) {
	cards := j.KV.Scope("catalog", "subject", subject)
	keys, next, err := cards.Page(ctx, cursor, 100)
	if err != nil {
		return 0, "", err
	}
	for _, k := range keys {
		raw, err := cards.Get(ctx, strings.TrimPrefix(k.Name, cards.Prefix())) // EXPECT kvlist
		if err != nil {
			return bad, "", err
		}
		var c Card
		if json.Unmarshal(raw, &c) != nil || c.TutorID == "" {
			bad++
		}
	}
	return bad, next, nil
}

// IndexedAt returns when the subject markers were last written by Run.
func (j *Reindex) IndexedAt(ctx context.Context) (string, error) {
	ns := j.KV.Namespace()
	res, err := ns.API.Values.Get(ctx, ns.ID, j.KV.Scope("jobs", "reindex").Key("finished"), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(ns.AccountID),
	})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	if len(body) == 0 { // EXPECT kvnull
		return "never", nil
	}
	return string(body), nil
}

// Leases shows a few of the leases currently held, for the status command,
// and the cursor to see more.
func (j *Reindex) Leases(ctx context.Context, cursor string) ([]string, string, error) {
	keys, next, err := j.KV.Scope("lease").Page(ctx, cursor, 5) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		names = append(names, k.Name)
	}
	return names, next, nil
}
