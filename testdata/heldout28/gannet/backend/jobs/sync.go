package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/gannet/backend/kvrest"
	"example.com/gannet/internal/domain"
	"example.com/gannet/internal/keys"
)

// Change is one appointment change reported by the EHR feed.
type Change struct {
	Seq         int64              `json:"seq"`
	Appointment domain.Appointment `json:"appointment"`
	Cancelled   bool               `json:"cancelled"`
}

// Feed returns EHR changes after seq.
type Feed func(ctx context.Context, after int64) ([]Change, error)

// Sync mirrors EHR appointment changes into the edge namespace.
type Sync struct {
	API       *cloudflare.Client
	AccountID string
	Namespace func() (string, error)
	Feed      Feed
}

const progressKey = "sync:progress"

// Run applies the changes after the last applied sequence number.
func (s *Sync) Run(ctx context.Context, after int64) (int64, error) {
	ns, err := s.Namespace()
	if err != nil {
		return after, err
	}
	changes, err := s.Feed(ctx, after)
	if err != nil {
		return after, err
	}
	account := cloudflare.F(s.AccountID)
	for _, c := range changes {
		key := keys.Appointment(c.Appointment.ID)
		if c.Cancelled {
			if _, err := s.API.KV.Namespaces.Values.Delete(ctx, ns, key, kv.NamespaceValueDeleteParams{AccountID: account}); err != nil {
				return after, err
			}
		} else {
			b, _ := json.Marshal(c.Appointment)
			if _, err := s.API.KV.Namespaces.Values.Update(ctx, ns, key, kv.NamespaceValueUpdateParams{
				AccountID:  account,
				Value:      cloudflare.F(string(b)),
				Expiration: cloudflare.F(float64(c.Appointment.EndsAt.Add(7 * 24 * time.Hour).Unix())),
			}); err != nil {
				return after, err
			}
		}
		after = c.Seq
		if _, err := s.API.KV.Namespaces.Values.Update(ctx, ns, progressKey, kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: account,
			Value:     cloudflare.F(fmt.Sprint(after)),
		}); err != nil {
			return after, err
		}
	}
	return after, nil
}

// Export copies the edge namespace to off-site storage every night.
type Export struct {
	REST   *kvrest.Client
	Write  func(ctx context.Context, k kvrest.Key) error
	Prefix string
}

// exportMarker is how long the "export running" banner stays up if the job
// dies without clearing it.
const exportMarker = 45 * time.Second

// Run performs one export.
func (e *Export) Run(ctx context.Context) (int, error) {
	started := []byte(timeNow().UTC().Format(time.RFC3339))
	if err := e.REST.PutValue(ctx, "jobs:export:running", started, kvrest.HoldSeconds(exportMarker)); err != nil { // EXPECT kvttl
		return 0, err
	}
	defer e.REST.DeleteValue(context.WithoutCancel(ctx), "jobs:export:running")
	return e.REST.Export(ctx, e.Prefix, func(k kvrest.Key) error { return e.Write(ctx, k) })
}

// Probe checks that the namespace answers, for the health endpoint.
func (e *Export) Probe(ctx context.Context) error {
	_, err := e.REST.ListKeys(ctx, e.Prefix, "", 5) // EXPECT kvlimits
	return err
}
