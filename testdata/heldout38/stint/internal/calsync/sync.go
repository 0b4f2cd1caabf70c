// Package calsync copies doctors' calendars from the practice management
// system into the KV namespace the edge Worker serves availability from.
package calsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"github.com/harborclinic/stint/internal/adminkv"
	"github.com/harborclinic/stint/internal/booking"
	"github.com/harborclinic/stint/internal/clock"
	"github.com/harborclinic/stint/internal/retry"
)

var now = time.Now

// ErrLocked is returned when another sync of the same clinic is running.
var ErrLocked = errors.New("calsync: clinic is being synced")

// ErrBackoff is returned while the practice system asked us to slow down.
var ErrBackoff = errors.New("calsync: upstream asked to back off")

// Syncer syncs calendars.
type Syncer struct {
	KV       *adminkv.Client
	Clock    clock.Clock
	HTTP     *http.Client
	Upstream string
}

type upstreamSlot struct {
	Start  time.Time `json:"start"`
	Minute int       `json:"minutes"`
	Booked bool      `json:"booked"`
}

type fetchResult struct {
	slots      []upstreamSlot
	retryAfter time.Duration
}

// SyncDoctor publishes the next two weeks of one doctor's slots.
func (s *Syncer) SyncDoctor(ctx context.Context, clinicID, doctorID string) error {
	if _, err := s.KV.Get(ctx, "calsync:backoff:"+clinicID); err == nil {
		return ErrBackoff
	}
	res, err := retry.Value(ctx, retry.Default, func(ctx context.Context) (fetchResult, error) {
		return s.fetch(ctx, clinicID, doctorID)
	})
	if err != nil {
		return err
	}
	if res.retryAfter > 0 {
		return s.backoff(ctx, clinicID, res.retryAfter)
	}

	cutoff := s.Clock.Now().Add(5 * time.Minute)
	entries := make([]adminkv.Entry, 0, len(res.slots))
	for _, u := range res.slots {
		if u.Start.Before(cutoff) {
			continue
		}
		sl := booking.Slot{ClinicID: clinicID, DoctorID: doctorID, Start: u.Start, Length: u.Minute, Free: !u.Booked}
		b, err := json.Marshal(sl)
		if err != nil {
			return err
		}
		entries = append(entries, adminkv.Entry{
			Key:       sl.Key(),
			Value:     string(b),
			ExpiresAt: sl.Start.Add(time.Duration(sl.Length) * time.Minute),
			Metadata:  map[string]any{"free": sl.Free},
		})
	}
	return s.KV.PutMany(ctx, entries)
}

func (s *Syncer) fetch(ctx context.Context, clinicID, doctorID string) (fetchResult, error) {
	url := fmt.Sprintf("%s/clinics/%s/doctors/%s/slots?days=14", s.Upstream, clinicID, doctorID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fetchResult{}, retry.Permanent(err)
	}
	resp, err := s.HTTP.Do(req)
	if err != nil {
		return fetchResult{}, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return fetchResult{retryAfter: time.Duration(secs) * time.Second}, nil
	case resp.StatusCode >= 500:
		return fetchResult{}, fmt.Errorf("practice system: %s", resp.Status)
	case resp.StatusCode != http.StatusOK:
		return fetchResult{}, retry.Permanent(fmt.Errorf("practice system: %s", resp.Status))
	}
	var out fetchResult
	if err := json.NewDecoder(resp.Body).Decode(&out.slots); err != nil {
		return fetchResult{}, retry.Permanent(err)
	}
	return out, nil
}

// backoff remembers the practice system's Retry-After for the whole clinic.
func (s *Syncer) backoff(ctx context.Context, clinicID string, d time.Duration) error {
	_, err := s.KV.SDK().KV.Namespaces.Bulk.Update(ctx, s.KV.Namespace(), kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.KV.Account()),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cloudflare.F("calsync:backoff:" + clinicID),
			Value:      cloudflare.F(d.String()),
			Expiration: cloudflare.F(float64(s.Clock.Now().Add(d).Unix())), // DEBATABLE kvttl
		}},
	})
	if err != nil {
		return err
	}
	return ErrBackoff
}

// Lock marks a clinic as being synced so that two runners do not interleave.
func (s *Syncer) Lock(ctx context.Context, clinicID, runner string) (func(), error) {
	key := "calsync:lock:" + clinicID
	if _, err := s.KV.Get(ctx, key); err == nil {
		return nil, ErrLocked
	} else if !errors.Is(err, adminkv.ErrNotFound) {
		return nil, err
	}
	_, err := s.KV.SDK().KV.Namespaces.Bulk.Update(ctx, s.KV.Namespace(), kv.NamespaceBulkUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(s.KV.Account()),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cloudflare.F(key),
			Value:      cloudflare.F(runner),
			Expiration: cloudflare.F(float64(now().Add(30 * time.Second).Unix())), // EXPECT kvttl
		}},
	})
	if err != nil {
		return nil, err
	}
	return func() { _ = s.KV.Delete(context.WithoutCancel(ctx), key) }, nil
}

// Publish writes precomputed digests for a clinic with an explicit lifetime.
func (s *Syncer) Publish(ctx context.Context, digests []booking.DayDigest, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(digests))
	for _, d := range digests {
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(d.Key()),
			Value:         cloudflare.F(string(b)),
			ExpirationTTL: cloudflare.F(float64(ttl / time.Second)),
		})
	}
	if len(body) == 0 {
		return nil
	}
	_, err := s.KV.SDK().KV.Namespaces.Bulk.Update(ctx, s.KV.Namespace(), kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.KV.Account()),
		Body:      body,
	})
	return err
}
