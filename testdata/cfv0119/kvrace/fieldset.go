package kvrace

import (
	"context"
	"encoding/json"
	"time"

	"kvlint.test/cfv0119/prefstore"
)

// A record read into a variable by a load helper, one field set from the
// request, and written back whole by a save helper: a concurrent change
// of another field is lost.
type digestPrefs struct {
	Recipient string    `json:"recipient"`
	OptedOut  []string  `json:"opted_out"`
	Digest    string    `json:"digest"`
	Updated   time.Time `json:"updated"`
}

type digestCenter struct{ profiles *prefstore.Namespace }

func (c *digestCenter) load(ctx context.Context, recipient string) (digestPrefs, error) {
	p := digestPrefs{Recipient: recipient, Digest: "daily"}
	raw, err := c.profiles.Get(ctx, "prefs:"+recipient)
	if err != nil {
		return p, err
	}
	return p, json.Unmarshal(raw, &p)
}

func (c *digestCenter) save(ctx context.Context, p digestPrefs) error {
	p.Updated = time.Now().UTC()
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return c.profiles.Put(ctx, "prefs:"+p.Recipient, body)
}

func (c *digestCenter) SetDigest(ctx context.Context, recipient, freq string) error {
	p, err := c.load(ctx, recipient)
	if err != nil {
		return err
	}
	p.Digest = freq
	return c.save(ctx, p) // want `read-modify-write on one KV key`
}

// Quiet: a record made here from the request alone, and one read and
// saved again as it was.
func (c *digestCenter) Reset(ctx context.Context, recipient, freq string) error {
	p := digestPrefs{Recipient: recipient}
	p.Digest = freq
	return c.save(ctx, p)
}

func (c *digestCenter) Touch(ctx context.Context, recipient string) error {
	p, err := c.load(ctx, recipient)
	if err != nil {
		return err
	}
	return c.save(ctx, p)
}
