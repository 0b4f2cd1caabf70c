// Package subscribers manages private feed URLs for paying listeners. A
// private feed URL embeds a token; the edge worker looks the token up in the
// AUTH namespace before serving the premium feed.
package subscribers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"go.uber.org/zap"

	"github.com/skua-fm/skua/internal/config"
	"github.com/skua-fm/skua/internal/kvstore"
)

// gracePeriod keeps a feed working while a failed renewal is retried.
const gracePeriod = 72 * time.Hour

// trialLength is how long a trial feed URL works.
const trialLength = 7 * 24 * time.Hour

// trialNotice is attached to trial tokens so the support console, which
// lists tokens without reading their values, can show what the listener
// agreed to.
const trialNotice = `Free trial of a premium skua.fm feed. The private feed URL issued with this ` +
	`trial is personal to the listener who requested it and must not be shared, published or ` +
	`added to a public directory. The trial lasts seven days from the moment the URL is issued. ` +
	`During the trial the listener can download every premium episode of the show, including ` +
	`bonus and early-access episodes, in any podcast app that supports private feeds. When the ` +
	`trial ends the URL stops working unless the listener starts a paid subscription with the ` +
	`same email address, in which case a new private URL is issued and the trial URL is retired. ` +
	`Episodes already downloaded remain on the listener's device, but the creator may ask apps ` +
	`to remove them. One trial is available per listener and show; trials started with ` +
	`disposable email addresses may be revoked without notice. The creator, not skua.fm, is ` +
	`responsible for the content of the show. By using the URL the listener accepts the skua.fm ` +
	`listener terms at https://skua.fm/legal/listeners and the creator's own terms, if any.`

// Subscriber is the billing system's view of a paying listener, mirrored
// under subscriber:<id>.
type Subscriber struct {
	ID          string    `json:"id"`
	ShowID      string    `json:"show_id"`
	Email       string    `json:"email"`
	Plan        string    `json:"plan"`
	PaidThrough time.Time `json:"paid_through"`
	FeedToken   string    `json:"feed_token"`
}

// FeedToken is what the edge worker reads under feedtoken:<token>.
type FeedToken struct {
	SubscriberID string    `json:"subscriber_id"`
	ShowID       string    `json:"show_id"`
	PaidThrough  time.Time `json:"paid_through"`
	IssuedAt     time.Time `json:"issued_at"`
	Trial        bool      `json:"trial,omitempty"`
}

// Tokens issues and withdraws private feed tokens.
type Tokens struct {
	ns        *kvstore.Namespace
	client    *kvstore.Client
	publicURL string
	log       *zap.Logger
}

// NewTokens is provided to fx with the "auth" namespace.
func NewTokens(ns *kvstore.Namespace, client *kvstore.Client, cfg config.Config, log *zap.Logger) *Tokens {
	return &Tokens{ns: ns, client: client, publicURL: cfg.PublicURL, log: log.Named("subscribers")}
}

func newToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// FeedURL is the private feed address handed to the listener's app.
func (t *Tokens) FeedURL(sub Subscriber) string {
	return fmt.Sprintf("%s/p/%s/%s.rss", t.publicURL, sub.FeedToken, sub.ShowID)
}

// Issue gives a new subscriber a private feed token.
func (t *Tokens) Issue(ctx context.Context, sub Subscriber) (Subscriber, error) {
	tok := newToken()
	rec := FeedToken{SubscriberID: sub.ID, ShowID: sub.ShowID, PaidThrough: sub.PaidThrough, IssuedAt: time.Now().UTC()}
	ttl := max(time.Until(sub.PaidThrough.Add(gracePeriod)), time.Minute)
	if err := t.ns.PutJSON(ctx, "feedtoken:"+tok, rec, ttl); err != nil {
		return sub, err
	}
	sub.FeedToken = tok
	if err := t.ns.PutJSON(ctx, "subscriber:"+sub.ID, sub, 0); err != nil {
		return sub, err
	}
	return sub, nil
}

// Renew extends a token after a successful payment.
func (t *Tokens) Renew(ctx context.Context, sub Subscriber) error {
	rec := FeedToken{SubscriberID: sub.ID, ShowID: sub.ShowID, PaidThrough: sub.PaidThrough, IssuedAt: time.Now().UTC()}
	body, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return t.ns.PutUntil(ctx, "feedtoken:"+sub.FeedToken, body, sub.PaidThrough.Add(gracePeriod)) // EXPECT kvsession
}

// Cancel withdraws the private feed when a subscription ends or is refunded.
func (t *Tokens) Cancel(ctx context.Context, subscriberID string) error {
	var sub Subscriber
	if err := t.ns.GetJSON(ctx, "subscriber:"+subscriberID, &sub); err != nil {
		return err
	}
	if err := t.ns.Delete(ctx, "feedtoken:"+sub.FeedToken); err != nil { // EXPECT kvsession
		return err
	}
	return nil
}

// Rotate replaces a listener's feed URL, e.g. after it leaked.
func (t *Tokens) Rotate(ctx context.Context, subscriberID string) (Subscriber, error) {
	var sub Subscriber
	if err := t.ns.GetJSON(ctx, "subscriber:"+subscriberID, &sub); err != nil {
		return sub, err
	}
	old := sub.FeedToken
	tok := newToken()
	rec := FeedToken{SubscriberID: sub.ID, ShowID: sub.ShowID, PaidThrough: sub.PaidThrough, IssuedAt: time.Now().UTC()}
	if err := t.ns.PutJSON(ctx, "feedtoken:"+tok, rec, max(time.Until(sub.PaidThrough.Add(gracePeriod)), time.Minute)); err != nil {
		return sub, err
	}
	sub.FeedToken = tok
	if err := t.ns.PutJSON(ctx, "subscriber:"+sub.ID, sub, 0); err != nil { // EXPECT kvrace|kvsession
		return sub, err
	}
	if err := t.ns.Delete(ctx, "feedtoken:"+old); err != nil { // EXPECT kvsession
		t.log.Warn("old feed token left behind", zap.String("subscriber", sub.ID), zap.Error(err))
	}
	return sub, nil
}

// StartTrial issues a feed token that lapses at the end of the trial.
func (t *Tokens) StartTrial(ctx context.Context, showID, email string) (string, error) {
	tok := newToken()
	trialEnds := time.Now().Add(trialLength)
	rec := FeedToken{ShowID: showID, PaidThrough: trialEnds, IssuedAt: time.Now().UTC(), Trial: true}
	body, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	sdk := t.client.SDK()
	_, err = sdk.KV.Namespaces.Values.Update(ctx, t.ns.ID(), "feedtoken:"+tok, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(t.client.AccountID()),
		Value:      cloudflare.F(string(body)),
		Expiration: cloudflare.F(float64(trialEnds.UnixMilli())),                                                // EXPECT kvttl
		Metadata:   cloudflare.F[any](map[string]string{"show": showID, "email": email, "notice": trialNotice}), // EXPECT kvlimits
	})
	if err != nil {
		return "", err
	}
	t.log.Info("trial started", zap.String("show", showID), zap.String("email", email))
	return tok, nil
}
