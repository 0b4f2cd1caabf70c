package webhooks

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
)

// Subscription is a partner's outbound webhook configuration.
type Subscription struct {
	PartnerID string   `json:"partner_id"`
	URL       string   `json:"url"`
	Events    []string `json:"events"`
	Secret    string   `json:"secret"`
	Paused    bool     `json:"paused"`
}

func defaultSubscription(partnerID string) Subscription {
	return Subscription{PartnerID: partnerID, Events: []string{"usage.threshold", "key.revoked"}, Paused: true}
}

// Dispatcher keeps partners' outbound subscriptions; the delivery worker
// reads them before signing and posting events.
type Dispatcher struct {
	Client      *cloudflare.Client
	AccountID   string
	NamespaceID string
}

func subKey(partnerID string) string { return "whsub:" + partnerID }

// Subscription returns the partner's configuration, creating the default
// (paused) one the first time a partner is seen.
func (d *Dispatcher) Subscription(ctx context.Context, partnerID string) (Subscription, error) {
	res, err := d.Client.KV.Namespaces.Values.Get(ctx, d.NamespaceID, subKey(partnerID), kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(d.AccountID),
	})
	if err != nil {
		sub := defaultSubscription(partnerID)
		return sub, d.SetSubscription(ctx, sub)
	}
	defer res.Body.Close()
	var sub Subscription
	if err := json.NewDecoder(res.Body).Decode(&sub); err != nil {
		return Subscription{}, fmt.Errorf("webhooks: decode subscription: %w", err)
	}
	return sub, nil
}

// SetSubscription replaces the partner's configuration.
func (d *Dispatcher) SetSubscription(ctx context.Context, sub Subscription) error {
	raw, err := json.Marshal(sub)
	if err != nil {
		return err
	}
	_, err = d.Client.KV.Namespaces.Values.Update(ctx, d.NamespaceID, subKey(sub.PartnerID), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(d.AccountID),
		Value:     cloudflare.F(string(raw)),
	})
	return err
}
