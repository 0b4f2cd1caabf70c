// Package runner is the job runner's periodic work: it marks transcoding
// jobs whose vendor stopped reporting as stale and moves old finished jobs
// to the archive namespace. It still runs on cloudflare-go v5.
package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

var tracer = otel.Tracer("stilt/runner")

const (
	jobPrefix = "job:"
	lockKey   = "runner:lock"
	lockTTL   = 5 * time.Minute
)

// job is the part of a job record the runner needs.
type job struct {
	State   string    `json:"state"`
	Updated time.Time `json:"updated"`
}

// Sweeper holds the runner's KV handles.
type Sweeper struct {
	values  *kv.NamespaceValueService
	keys    *kv.NamespaceKeyService
	account string
	jobs    string // namespace ID of the job records
	archive string // namespace ID of the archive
	owner   string

	StaleAfter time.Duration
	ArchiveAge time.Duration

	swept int // stale jobs marked since the process started
}

// NewSweeper returns a sweeper. owner identifies this process in the lock.
func NewSweeper(client *cloudflare.Client, account, jobsNS, archiveNS, owner string) *Sweeper {
	return &Sweeper{
		values:     client.KV.Namespaces.Values,
		keys:       client.KV.Namespaces.Keys,
		account:    account,
		jobs:       jobsNS,
		archive:    archiveNS,
		owner:      owner,
		StaleAfter: 30 * time.Minute,
		ArchiveAge: 30 * 24 * time.Hour,
	}
}

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (s *Sweeper) put(ctx context.Context, key, value string) error {
	_, err := s.values.Update(ctx, s.jobs, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(value),
	})
	return err
}

// acquire takes the runner lock unless another runner holds it.
func (s *Sweeper) acquire(ctx context.Context) (bool, error) {
	res, err := s.values.Get(ctx, s.jobs, lockKey, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err == nil {
		res.Body.Close()
		return false, nil
	}
	if !notFound(err) {
		return false, err
	}
	_, err = s.values.Update(ctx, s.jobs, lockKey, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID:     cloudflare.F(s.account),
		Value:         cloudflare.F(s.owner),
		ExpirationTTL: cloudflare.F(float64(lockTTL)), // EXPECT kvttl
	})
	return err == nil, err
}

func (s *Sweeper) release(ctx context.Context) {
	_, _ = s.values.Delete(ctx, s.jobs, lockKey, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.account)})
}

// Tick is called by the scheduler every few minutes.
func (s *Sweeper) Tick(ctx context.Context) error {
	ctx, span := tracer.Start(ctx, "runner.Tick")
	defer span.End()

	ok, err := s.acquire(ctx)
	if err != nil || !ok {
		return err
	}
	defer s.release(ctx)

	_, err = s.values.Update(ctx, s.jobs, "runner:alive", kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.account),
		Value:      cloudflare.F(s.owner),
		Expiration: cloudflare.F(float64(time.Now().Add(30 * time.Second).Unix())), // EXPECT kvttl
	})
	if err != nil {
		span.RecordError(err)
	}

	busy, err := s.anyJobs(ctx)
	if err != nil || !busy {
		return err
	}
	n, err := s.sweep(ctx, span)
	if err != nil {
		return err
	}
	s.swept += n
	if err := s.put(ctx, "runner:stale-count", strconv.Itoa(s.swept)); err != nil { // EXPECT kvcounter
		span.RecordError(err)
	}
	if err := s.put(ctx, "runner:last-sweep", time.Now().UTC().Format(time.RFC3339)); err != nil {
		span.RecordError(err)
	}
	return s.report(ctx, n)
}

// anyJobs reports whether there is at least one job record.
func (s *Sweeper) anyJobs(ctx context.Context) (bool, error) {
	page, err := s.keys.List(ctx, s.jobs, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F(jobPrefix),
		Limit:     cloudflare.F(1.0), // EXPECT kvlimits
	})
	if err != nil {
		return false, err
	}
	return len(page.Result) > 0, nil
}

// sweep marks running jobs that have not been updated for StaleAfter.
func (s *Sweeper) sweep(ctx context.Context, span trace.Span) (int, error) {
	cutoff := time.Now().Add(-s.StaleAfter)
	iter := s.keys.ListAutoPaging(ctx, s.jobs, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F(jobPrefix),
	})
	marked := 0
	for iter.Next() {
		name := iter.Current().Name
		res, err := s.values.Get(ctx, s.jobs, name, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)}) // EXPECT kvlist
		if err != nil {
			continue
		}
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			continue
		}
		var rec map[string]any
		var j job
		if json.Unmarshal(raw, &rec) != nil || json.Unmarshal(raw, &j) != nil {
			continue
		}
		if j.State != "running" || j.Updated.After(cutoff) {
			continue
		}
		rec["state"] = "stale"
		rec["updated"] = time.Now().UTC()
		body, err := json.Marshal(rec)
		if err != nil {
			continue
		}
		if err := s.put(ctx, name, string(body)); err != nil { // EXPECT kvrace
			span.RecordError(err)
			continue
		}
		if err := s.put(ctx, "runner:progress", name); err != nil { // EXPECT kvhotkey
			span.RecordError(err)
		}
		marked++
	}
	span.SetAttributes(attribute.Int("runner.stale", marked))
	return marked, iter.Err()
}

// report writes today's summary for the ops dashboard; it is dropped at the
// end of the day.
func (s *Sweeper) report(ctx context.Context, stale int) error {
	now := time.Now().UTC()
	endOfDay := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	_, err := s.values.Update(ctx, s.jobs, "runner:report:"+now.Format("2006-01-02"), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.account),
		Value:      cloudflare.F(fmt.Sprintf(`{"stale":%d,"at":%q}`, stale, now.Format(time.RFC3339))),
		Expiration: cloudflare.F(float64(endOfDay.UnixMilli())), // EXPECT kvttl
	})
	return err
}
