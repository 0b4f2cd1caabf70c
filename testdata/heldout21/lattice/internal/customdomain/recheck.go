package customdomain

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/cfkv"
)

// PendingPage is one page of hostnames waiting for verification.
type PendingPage struct {
	Hosts  []conf.Hostname `json:"hosts"`
	Cursor string          `json:"cursor,omitempty"`
}

// Pending lists one page of open challenges.
func (v *Verifier) Pending(ctx context.Context, cursor string) (PendingPage, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(v.t.AccountID),
		Prefix:    cloudflare.F("challenge:"),
		Limit:     cloudflare.F(100.0),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := v.t.Client.KV.Namespaces.Keys.List(ctx, v.t.NamespaceID, params)
	if err != nil {
		return PendingPage{}, err
	}
	out := PendingPage{Cursor: page.ResultInfo.Cursors.After}
	for _, k := range page.Result {
		out.Hosts = append(out.Hosts, conf.Hostname(k.Name[len("challenge:"):]))
	}
	return out, nil
}

// ScheduleRecheck asks the cron worker to look at the hostname again soon;
// the worker picks up "recheck:" keys and the key disappears by itself.
func (v *Verifier) ScheduleRecheck(ctx context.Context, h conf.Hostname) error {
	_, err := v.values().Update(ctx, v.t.NamespaceID, "recheck:"+string(h), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(v.t.AccountID),
		Value:      cloudflare.F(string(h)),
		Expiration: cloudflare.F(float64(time.Now().Add(30 * time.Second).Unix())), // EXPECT kvttl
	})
	return err
}

// RecordFirstSeen notes when the edge first saw traffic for a hostname. Later
// sightings keep the original timestamp.
func (v *Verifier) RecordFirstSeen(ctx context.Context, h conf.Hostname) error {
	key := "firstseen:" + string(h)
	res, err := v.get(ctx, key)
	if err == nil {
		res.Body.Close()
		return nil
	}
	if !cfkv.IsNotFound(err) {
		return err
	}
	_, err = v.values().Update(ctx, v.t.NamespaceID, key, kv.NamespaceValueUpdateParams{ // DEBATABLE kvrace
		AccountID: cloudflare.F(v.t.AccountID),
		Value:     cloudflare.F(time.Now().UTC().Truncate(time.Hour).Format(time.RFC3339)),
	})
	return err
}
