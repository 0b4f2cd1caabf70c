// Package audit is the weekly compliance audit: it walks every record the
// service keeps in KV, flags records that outlived their retention, and
// writes a summary for the compliance dashboard.
package audit

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

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/canvasback/telehealth/internal/cfkv"
	"github.com/canvasback/telehealth/internal/config"
)

// Finding is one audit observation.
type Finding struct {
	Namespace string `json:"namespace"`
	Key       string `json:"key"`
	Kind      string `json:"kind"`
	Detail    string `json:"detail"`
}

// Sink receives findings.
type Sink interface {
	Emit(Finding) error
}

// LogSink writes findings to the process log.
type LogSink struct{ Prefix string }

func (s LogSink) Emit(f Finding) error {
	log.Printf("%s %s %s %s: %s", s.Prefix, f.Namespace, f.Kind, f.Key, f.Detail)
	return nil
}

// JSONLSink writes one JSON object per finding.
type JSONLSink struct{ W io.Writer }

func (s JSONLSink) Emit(f Finding) error { return json.NewEncoder(s.W).Encode(f) }

// Tally counts findings by kind.
type Tally struct{ ByKind map[string]int }

func (t Tally) Emit(f Finding) error { t.ByKind[f.Kind]++; return nil }

// Backend is one namespace and how to walk it.
type Backend struct {
	Name   string
	Values *cfkv.Values
	Prefix string
	Walk   func(ctx context.Context, b Backend, emit func(Finding)) (int, error)
}

// Report is the stored audit summary.
type Report struct {
	StartedAt time.Time         `json:"started_at"`
	Duration  string            `json:"duration"`
	Scanned   map[string]int    `json:"scanned"`
	Failed    map[string]string `json:"failed,omitempty"`
	ByKind    map[string]int    `json:"by_kind"`
}

// Run walks every backend and fans findings out to every sink. A failing
// backend does not stop the others.
func Run(ctx context.Context, backends map[string]Backend, sinks []Sink, out *cfkv.Values) (Report, error) {
	tally := Tally{ByKind: map[string]int{}}
	sinks = append(sinks, tally)
	rep := Report{StartedAt: time.Now().UTC(), Scanned: map[string]int{}, Failed: map[string]string{}}
	emit := func(f Finding) {
		for _, s := range sinks {
			if err := s.Emit(f); err != nil {
				log.Printf("audit sink %T: %v", s, err)
			}
		}
	}
	results := map[string]error{}
	for _, name := range slices.Sorted(maps.Keys(backends)) {
		b := backends[name]
		n, err := b.Walk(ctx, b, emit)
		rep.Scanned[name] = n
		results[name] = err
	}
	var errs []error
	for name, err := range results {
		if err != nil {
			rep.Failed[name] = err.Error()
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	rep.ByKind = tally.ByKind
	rep.Duration = time.Since(rep.StartedAt).Round(time.Second).String()
	raw, err := json.Marshal(rep)
	if err != nil {
		return rep, err
	}
	if err := out.Write(ctx, "audit:last-report", raw, 0); err != nil {
		errs = append(errs, err)
	}
	return rep, errors.Join(errs...)
}

type sessionRecord struct {
	PatientID string    `json:"patient_id"`
	LastSeen  time.Time `json:"last_seen"`
}

// WalkSessions flags sessions idle beyond the configured cutoff and removes them.
func WalkSessions(ctx context.Context, b Backend, emit func(Finding)) (int, error) {
	cfg := config.Current()
	cutoff := time.Now().Add(-cfg.Audit.IdleSessionCutoff.Duration)
	iter := b.Values.Keys.ListAutoPaging(ctx, b.Values.NamespaceID, cfkv.ListArgs{ // EXPECT kvlist
		AccountID: cloudflare.F(b.Values.AccountID),
		Prefix:    cloudflare.F(b.Prefix),
	})
	n := 0
	for iter.Next() {
		k := iter.Current()
		n++
		raw, err := b.Values.Read(ctx, k.Name) // EXPECT kvlist
		if errors.Is(err, cfkv.ErrNotFound) {
			continue
		}
		if err != nil {
			return n, err
		}
		var s sessionRecord
		if json.Unmarshal(raw, &s) != nil {
			emit(Finding{b.Name, k.Name, "corrupt", "session does not decode"})
			continue
		}
		if s.LastSeen.Before(cutoff) {
			emit(Finding{b.Name, k.Name, "idle-session", "last seen " + s.LastSeen.Format(time.DateOnly)})
			if err := b.Values.Remove(ctx, k.Name); err != nil { // DEBATABLE kvsession
				return n, err
			}
		}
	}
	return n, iter.Err()
}

// WalkRefills flags refill records without an expiration. It reads only key
// listings, never values, and stops at the configured page budget.
func WalkRefills(ctx context.Context, b Backend, emit func(Finding)) (int, error) {
	cfg := config.Current()
	n, cursor := 0, ""
	for page := range cfg.Audit.MaxPages {
		args := cfkv.ListArgs{
			AccountID: cloudflare.F(b.Values.AccountID),
			Prefix:    cloudflare.F(b.Prefix),
			Limit:     cloudflare.F(float64(cfg.Audit.PageSize)),
		}
		if cursor != "" {
			args.Cursor = cloudflare.F(cursor)
		}
		res, err := b.Values.Keys.List(ctx, b.Values.NamespaceID, args)
		if err != nil {
			return n, fmt.Errorf("page %d: %w", page, err)
		}
		for _, k := range res.Result {
			n++
			if k.Expiration == 0 {
				emit(Finding{b.Name, k.Name, "no-expiry", "refill record has no retention limit"})
			}
		}
		cursor = res.ResultInfo.Cursor
		_ = b.Values.Write(ctx, "audit:progress", []byte(b.Name+" "+cursor), 0) // EXPECT kvhotkey
		if cursor == "" {
			return n, nil
		}
	}
	emit(Finding{b.Name, b.Prefix, "truncated", fmt.Sprintf("stopped after %d pages", cfg.Audit.MaxPages)})
	return n, nil
}

// WalkHolds collects appointment holds whose slot has passed and deletes them
// in bulk.
func WalkHolds(ctx context.Context, b Backend, emit func(Finding)) (int, error) {
	var stale []string
	args := cfkv.ListArgs{AccountID: cloudflare.F(b.Values.AccountID), Prefix: cloudflare.F(b.Prefix)}
	n := 0
	for {
		res, err := b.Values.Keys.List(ctx, b.Values.NamespaceID, args) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, k := range res.Result {
			n++
			if k.Expiration == 0 && strings.Contains(k.Name, ":tentative") {
				stale = append(stale, k.Name)
			}
		}
		if res.ResultInfo.Cursor == "" {
			break
		}
		args.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	for start := 0; start < len(stale); start += 1000 {
		chunk := stale[start:min(start+1000, len(stale))]
		res, err := b.Values.Keys.BulkDelete(ctx, b.Values.NamespaceID, kv.NamespaceKeyBulkDeleteParams{
			AccountID: cloudflare.F(b.Values.AccountID),
			Body:      chunk,
		})
		if err != nil {
			return n, err
		}
		for _, k := range res.UnsuccessfulKeys {
			emit(Finding{b.Name, k, "delete-failed", "bulk delete did not remove key"})
		}
	}
	return n, nil
}

// WalkQuota flags per-clinic usage records older than the quota window.
func WalkQuota(ctx context.Context, b Backend, emit func(Finding)) (int, error) {
	cfg := config.Current()
	acct := cloudflare.F(b.Values.AccountID)
	res, err := b.Values.Keys.List(ctx, b.Values.NamespaceID, cfkv.ListArgs{AccountID: acct, Prefix: cloudflare.F(b.Prefix)})
	n := 0
	for page := 0; err == nil && page < cfg.Audit.MaxPages; page++ {
		for _, k := range res.Result {
			n++
			day := k.Name[strings.LastIndexByte(k.Name, ':')+1:]
			if t, perr := time.Parse(time.DateOnly, day); perr == nil && time.Since(t) > 2*cfg.Quota.Window.Duration {
				emit(Finding{b.Name, k.Name, "stale-usage", "usage record past its window"})
			}
		}
		if res.ResultInfo.Cursor == "" {
			return n, nil
		}
		res, err = b.Values.Keys.List(ctx, b.Values.NamespaceID, cfkv.ListArgs{AccountID: acct, Cursor: cloudflare.F(res.ResultInfo.Cursor)}) // EXPECT kvlist
	}
	return n, err
}

// WalkVerify checks that verification codes all carry an expiry.
func WalkVerify(ctx context.Context, b Backend, emit func(Finding)) (int, error) {
	cfg := config.Current()
	args := cfkv.ListArgs{AccountID: cloudflare.F(b.Values.AccountID), Prefix: cloudflare.F(b.Prefix), Limit: cloudflare.F(1000.0)}
	n := 0
	for range cfg.Audit.MaxPages {
		res, err := b.Values.Keys.List(ctx, b.Values.NamespaceID, args) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		if len(res.Result) == 0 {
			break
		}
		for _, k := range res.Result {
			n++
			if k.Expiration == 0 {
				emit(Finding{b.Name, k.Name, "otp-no-expiry", "verification code without expiry"})
			}
		}
		args.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	return n, nil
}
