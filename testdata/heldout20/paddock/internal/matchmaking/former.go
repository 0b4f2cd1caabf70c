package matchmaking

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/paddock/internal/cfkv"
)

// Match is a formed game waiting for its players to accept.
type Match struct {
	ID       string    `json:"id"`
	Mode     string    `json:"mode"`
	Region   string    `json:"region"`
	Tickets  []string  `json:"tickets"`
	Players  []string  `json:"players"`
	Deadline time.Time `json:"deadline"`
}

// Former publishes the matches formed by the match servers.
type Former struct {
	NS          cfkv.Namespace
	AcceptAfter time.Duration
	Now         func() time.Time
}

func newMatchID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Publish writes the formed matches so that game clients can pick up their
// offer, and records an offer hold on each ticket.
func (f Former) Publish(ctx context.Context, matches []Match) error {
	values := f.NS.Client.KV.Namespaces.Values
	for _, m := range matches {
		m.Deadline = f.Now().Add(cmp.Or(f.AcceptAfter, 90*time.Second))
		doc, err := json.Marshal(m)
		if err != nil {
			return err
		}
		_, err = values.Update(ctx, f.NS.ID, url.PathEscape("mm:match:"+m.ID), kv.NamespaceValueUpdateParams{
			AccountID:     cloudflare.F(f.NS.AccountID),
			Value:         cloudflare.F(string(doc)),
			ExpirationTTL: cloudflare.F(float64(600)),
		})
		if err != nil {
			return err
		}
		for _, tid := range m.Tickets {
			_, err = values.Update(ctx, f.NS.ID, url.PathEscape("mm:offer:"+tid), kv.NamespaceValueUpdateParams{
				AccountID:  cloudflare.F(f.NS.AccountID),
				Value:      cloudflare.F(m.ID),
				Expiration: cloudflare.F(float64(m.Deadline.UnixMilli())), // EXPECT kvttl
			})
			if err != nil {
				return err
			}
		}
		_, err = values.Update(ctx, f.NS.ID, "mm:last-match", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(f.NS.AccountID),
			Value:     cloudflare.F(m.ID),
		})
		if err != nil {
			return err
		}
	}
	return nil
}
