package certs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/meadow/internal/storage"
)

// Sharing publishes certificates for social profiles and employers.
type Sharing struct {
	Client    *cloudflare.Client
	AccountID string
	Namespace string
	Write     Setter
	Key       []byte
	Clock     func() time.Time
}

// Link returns a signed, self-contained link: verifying it needs no lookup.
func (s Sharing) Link(id string, until time.Time) string {
	payload := id + "." + strconv.FormatInt(until.Unix(), 10)
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + sign(s.Key, payload)
}

type sharePage struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Owner string `json:"owner"`
}

// PublishPage renders the public page for c until the given time.
func (s Sharing) PublishPage(ctx context.Context, c Certificate, until time.Time) error {
	b, err := json.Marshal(sharePage{ID: c.ID, Title: c.Title, Owner: c.Learner})
	if err != nil {
		return err
	}
	_, err = s.Client.KV.Namespaces.Values.Update(ctx, s.Namespace, "share/"+c.ID, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.AccountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
		Expiration: cloudflare.F(float64(until.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// PublishBadge stores the badge image metadata until the given time, and at
// least for a minute.
func (s Sharing) PublishBadge(ctx context.Context, c Certificate, until time.Time) error {
	ttl := until.Sub(s.Clock())
	if ttl < time.Minute {
		ttl = time.Minute
	}
	b, _ := json.Marshal(map[string]string{"id": c.ID, "course": c.Course, "issued": c.IssuedAt.Format(time.DateOnly)})
	return s.Write.Put(ctx, "badge/"+c.ID, b, storage.PutOptions{TTL: ttl})
}
