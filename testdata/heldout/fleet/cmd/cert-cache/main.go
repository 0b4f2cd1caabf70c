// Command cert-cache refreshes the device-certificate status cache that the
// edge mTLS Worker consults before letting a device connect. It polls the
// fleet CA every few minutes.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/fleet/internal/storage"
	"example.com/fleet/internal/storage/kvv6"
)

// CertStatus is one certificate's status as published by the CA.
type CertStatus struct {
	Serial     string    `json:"serial"`
	DeviceID   string    `json:"device_id"`
	Status     string    `json:"status"` // good | revoked | unknown
	NotAfter   time.Time `json:"not_after"`
	NextUpdate time.Time `json:"next_update"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
}

// CA is the fleet certificate authority's status API.
type CA interface {
	Statuses(ctx context.Context, since time.Time) ([]CertStatus, error)
	CRLEtag(ctx context.Context) (string, error)
}

type httpCA struct {
	base   string
	client *http.Client
}

func (c httpCA) Statuses(ctx context.Context, since time.Time) ([]CertStatus, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/status?since="+since.UTC().Format(time.RFC3339), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("ca: %s", resp.Status)
	}
	var out []CertStatus
	return out, json.NewDecoder(resp.Body).Decode(&out)
}

func (c httpCA) CRLEtag(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, c.base+"/v1/crl", nil)
	if err != nil {
		return "", err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	return resp.Header.Get("ETag"), nil
}

// store is what the refresher needs from the cache namespace.
type store interface {
	storage.BatchStore
	storage.Expirer
}

type refresher struct {
	ca    CA
	cache store
	now   func() time.Time
	log   *slog.Logger
}

func certKey(serial string) string { return "cert:" + serial }

// cacheStatus stores one status for as long as the CA says it is current.
func (r *refresher) cacheStatus(ctx context.Context, st CertStatus) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	now := r.now()
	switch st.Status {
	case "good":
		return r.cache.Set(ctx, certKey(st.Serial), raw, st.NextUpdate.Sub(now)) // EXPECT kvttl
	case "revoked":
		// Keep the revocation until the certificate would have expired anyway.
		return r.cache.SetUntil(ctx, certKey(st.Serial), raw, st.NotAfter) // DEBATABLE kvttl
	case "grace":
		return r.cache.Set(ctx, certKey(st.Serial), raw, max(time.Until(st.NextUpdate), time.Minute))
	default:
		// Unknown: re-check soon.
		return r.cache.Set(ctx, certKey(st.Serial), raw, max(st.NextUpdate.Sub(now), 10*time.Second)) // EXPECT kvttl
	}
}

// revocationEntries builds the fast-path markers the Worker checks first.
// They are re-published on every poll.
func revocationEntries(sts []CertStatus) []storage.Entry {
	var out []storage.Entry
	for _, st := range sts {
		if st.Status != "revoked" {
			continue
		}
		out = append(out, storage.Entry{
			Key:   "revoked:" + st.DeviceID,
			Value: []byte(st.RevokedAt.UTC().Format(time.RFC3339)),
			TTL:   30 * time.Second, // EXPECT kvttl
		})
	}
	return out
}

// expiryEntries records each device's certificate expiry for the renewal
// reminder job.
func expiryEntries(sts []CertStatus) []storage.Entry {
	out := make([]storage.Entry, 0, len(sts))
	for _, st := range sts {
		out = append(out, storage.Entry{
			Key:       "expiry:" + st.DeviceID,
			Value:     []byte(st.NotAfter.UTC().Format(time.RFC3339)),
			ExpiresAt: st.NotAfter.Add(30 * 24 * time.Hour),
		})
	}
	return out
}

func (r *refresher) poll(ctx context.Context, since time.Time) error {
	sts, err := r.ca.Statuses(ctx, since)
	if err != nil {
		return fmt.Errorf("fetch statuses: %w", err)
	}
	for _, st := range sts {
		if err := r.cacheStatus(ctx, st); err != nil {
			r.log.Warn("cache status", "serial", st.Serial, "err", err)
		}
	}
	if err := r.cache.SetMany(ctx, revocationEntries(sts)); err != nil {
		return fmt.Errorf("revocation markers: %w", err)
	}
	if err := r.cache.SetMany(ctx, expiryEntries(sts)); err != nil {
		return fmt.Errorf("expiry entries: %w", err)
	}

	etag, err := r.ca.CRLEtag(ctx)
	if err != nil {
		return err
	}
	// Workers compare this against their copy of the CRL until the next poll.
	if err := r.cache.SetUntil(ctx, "crl:etag", []byte(etag), time.Now().Add(20*time.Second)); err != nil { // EXPECT kvttl
		return err
	}
	return r.cache.SetUntil(ctx, "crl:etag:stable", []byte(etag), time.Now().Add(10*time.Minute))
}

func main() {
	every := flag.Duration("every", 3*time.Minute, "poll interval")
	flag.Parse()

	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	r := &refresher{
		ca: httpCA{base: os.Getenv("CA_URL"), client: &http.Client{Timeout: 20 * time.Second}},
		cache: kvv6.New(client, kvv6.Config{
			AccountID:   os.Getenv("CF_ACCOUNT_ID"),
			NamespaceID: os.Getenv("KV_CERTS_NS"),
		}, kvv6.WithLogger(log)),
		now: time.Now,
		log: log,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	since := time.Now().Add(-24 * time.Hour)
	t := time.NewTicker(*every)
	defer t.Stop()
	for {
		start := time.Now()
		if err := r.poll(ctx, since); err != nil {
			log.Error("poll failed", "err", err)
		} else {
			since = start
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
