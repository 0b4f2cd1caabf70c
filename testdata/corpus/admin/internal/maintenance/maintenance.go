// Package maintenance switches the public site in and out of maintenance
// mode. The site Worker reads the "maintenance" key on every request.
package maintenance

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/admin/internal/config"
	"example.com/admin/internal/edge"
)

const (
	stateKey     = "maintenance"
	scheduleKey  = "maintenance:scheduled"
	bannerKey    = "maintenance:banner"
	legacyAPIKey = "maintenance:legacy-api"

	legacyAPISunset = 1719792000
)

// State is what the site Worker reads.
type State struct {
	On      bool      `json:"on"`
	Message string    `json:"message"`
	Since   time.Time `json:"since"`
	Until   time.Time `json:"until,omitzero"`
}

// Toggle writes the maintenance keys.
type Toggle struct {
	client  *cloudflare.Client
	account string
	ns      string
	banner  *edge.KV
}

// New returns a toggle for the ops namespace.
func New(client *cloudflare.Client, accountID string) *Toggle {
	return &Toggle{
		client:  client,
		account: accountID,
		ns:      config.NSOps,
		banner:  edge.New(client, accountID, config.NSOps),
	}
}

func (t *Toggle) update(value []byte) kv.NamespaceValueUpdateParams {
	return kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(t.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
}

// Status returns the current state; a missing key means "off".
func (t *Toggle) Status(ctx context.Context) (State, error) {
	res, err := t.client.KV.Namespaces.Values.Get(ctx, t.ns, stateKey, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(t.account),
	})
	if err != nil {
		if edge.IsNotFound(err) {
			return State{}, nil
		}
		return State{}, err
	}
	defer res.Body.Close()
	var st State
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
		return State{}, fmt.Errorf("maintenance state: %w", err)
	}
	return st, nil
}

// Enable turns maintenance on with msg. A positive d switches it off
// automatically after d. It returns the previous state for the audit log.
func (t *Toggle) Enable(ctx context.Context, msg string, d time.Duration) (prev State, err error) {
	prev, err = t.Status(ctx)
	if err != nil {
		return State{}, err
	}
	now := time.Now().UTC()
	st := State{On: true, Message: msg, Since: now}
	if d > 0 {
		st.Until = now.Add(d)
	}
	b, err := json.Marshal(st)
	if err != nil {
		return prev, err
	}
	params := t.update(b)
	if d > 0 {
		params.Expiration = cloudflare.F(float64(st.Until.Unix()))
	}
	_, err = t.client.KV.Namespaces.Values.Update(ctx, t.ns, stateKey, params)
	return prev, err
}

// Drain holds traffic while a deploy swaps the origin.
func (t *Toggle) Drain(ctx context.Context) error {
	b, _ := json.Marshal(State{On: true, Message: "Deploying, back in a moment", Since: time.Now().UTC()})
	params := t.update(b)
	params.Expiration = cloudflare.F(float64(time.Now().Add(30 * time.Second).Unix())) // EXPECT kvttl
	_, err := t.client.KV.Namespaces.Values.Update(ctx, t.ns, stateKey, params)
	return err
}

// Disable turns maintenance off.
func (t *Toggle) Disable(ctx context.Context) error {
	_, err := t.client.KV.Namespaces.Values.Delete(ctx, t.ns, stateKey, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(t.account),
	})
	if err != nil && !edge.IsNotFound(err) {
		return err
	}
	return nil
}

// SetMessage changes the text shown while maintenance is on.
func (t *Toggle) SetMessage(ctx context.Context, msg string) error {
	apply := func(mutate func(*State)) error {
		st, err := t.Status(ctx)
		if err != nil {
			return err
		}
		if !st.On {
			return fmt.Errorf("maintenance is off")
		}
		mutate(&st)
		b, err := json.Marshal(st)
		if err != nil {
			return err
		}
		params := t.update(b)
		if !st.Until.IsZero() {
			params.Expiration = cloudflare.F(float64(st.Until.Unix()))
		}
		_, err = t.client.KV.Namespaces.Values.Update(ctx, t.ns, stateKey, params) // EXPECT kvrace
		return err
	}
	return apply(func(s *State) { s.Message = msg })
}

// Schedule announces a maintenance window to the status page.
func (t *Toggle) Schedule(ctx context.Context, start, end time.Time, msg string) error {
	b, err := json.Marshal(map[string]any{"start": start.UTC(), "end": end.UTC(), "message": msg})
	if err != nil {
		return err
	}
	_, err = t.client.KV.Namespaces.Values.Update(ctx, t.ns, scheduleKey, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(t.account),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
		Expiration: cloudflare.F(float64(end.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// Banner shows a notice above the site header for d.
func (t *Toggle) Banner(ctx context.Context, text string, d time.Duration) error {
	return t.banner.Put(ctx, bannerKey, text, d)
}

// LegacyAPINotice shows the v1 API shutdown notice until the sunset date.
func (t *Toggle) LegacyAPINotice(ctx context.Context) error {
	params := t.update([]byte("The v1 API is being retired. Please migrate to v2."))
	params.Expiration = cloudflare.F(float64(legacyAPISunset)) // EXPECT kvttl
	_, err := t.client.KV.Namespaces.Values.Update(ctx, t.ns, legacyAPIKey, params)
	return err
}
