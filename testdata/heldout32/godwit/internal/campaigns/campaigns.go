// Package campaigns sends campaigns: it checks the sending domain, holds a
// per-campaign send lock, walks the audience in batches and keeps the live
// activity feed of the campaign page.
package campaigns

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v4"
	cfkv "github.com/cloudflare/cloudflare-go/v4/kv"

	"godwit/internal/cache"
	"godwit/internal/keys"
	"godwit/internal/kvstore"
	"godwit/internal/quota"
	"godwit/internal/subscribers"
	"godwit/internal/unsub"
)

var (
	// ErrAlreadySending is returned when another replica holds the send lock.
	ErrAlreadySending = errors.New("campaign is already being sent")
	// ErrDomainUnverified is returned when the From domain has no valid DKIM record.
	ErrDomainUnverified = errors.New("sending domain not verified")
)

// Campaign is what Dispatch needs to know about a campaign.
type Campaign struct {
	ID          string
	Account     string
	Plan        string
	FromDomain  string
	Subject     string
	Recipients  int // audience size estimated when scheduling
	RatePerSec  int
	SendAt      time.Time
	LinksExpire time.Time
}

// Sender delivers one rendered mail.
type Sender interface {
	Send(ctx context.Context, c Campaign, to subscribers.Subscriber, unsubURL string) error
}

// DomainStatus is the cached outcome of a DNS check of a sending domain.
type DomainStatus struct {
	Domain    string    `json:"domain"`
	Verified  bool      `json:"verified"`
	CheckedAt time.Time `json:"checked_at"`
}

// Service sends campaigns.
type Service struct {
	store   kvstore.Store
	ns      *kvstore.Namespace
	subs    *subscribers.Service
	quota   *quota.Service
	unsub   *unsub.Service
	send    Sender
	domains *cache.Loader[string, DomainStatus]
	owner   string
	log     *slog.Logger
}

// New returns a Service. owner identifies this replica in send locks.
func New(ns *kvstore.Namespace, store kvstore.Store, subs *subscribers.Service, q *quota.Service, u *unsub.Service, send Sender, owner string, log *slog.Logger) *Service {
	s := &Service{store: store, ns: ns, subs: subs, quota: q, unsub: u, send: send, owner: owner, log: log}
	s.domains = &cache.Loader[string, DomainStatus]{
		Store: store,
		Key:   func(domain string) string { return keys.Build(keys.DomainStatus, domain) },
		Fetch: checkDomain,
		TTL:   20 * time.Second, // EXPECT kvttl
	}
	return s
}

func checkDomain(ctx context.Context, domain string) (DomainStatus, error) {
	txts, err := net.DefaultResolver.LookupTXT(ctx, "godwit._domainkey."+domain)
	var dnsErr *net.DNSError
	if err != nil && !(errors.As(err, &dnsErr) && dnsErr.IsNotFound) {
		return DomainStatus{}, err
	}
	ok := slices.ContainsFunc(txts, func(t string) bool { return strings.HasPrefix(t, "v=DKIM1") })
	return DomainStatus{Domain: domain, Verified: ok, CheckedAt: time.Now().UTC()}, nil
}

type status struct {
	State     string    `json:"state"`
	Owner     string    `json:"owner"`
	LastEmail string    `json:"last_email,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
	Error     string    `json:"error,omitempty"`
}

// Dispatch sends c to the active subscribers of its account, up to what is
// left of the account's daily quota.
func (s *Service) Dispatch(ctx context.Context, c Campaign) (err error) {
	ds, err := s.domains.Get(ctx, c.FromDomain)
	if err != nil {
		return err
	}
	if !ds.Verified {
		return ErrDomainUnverified
	}

	lockKey := keys.Build(keys.CampaignLock, c.ID)
	if _, err := s.store.Get(ctx, lockKey); err == nil {
		return ErrAlreadySending
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	estimate := time.Duration(c.Recipients/max(c.RatePerSec, 1)) * time.Second
	lease := max(2*estimate, 3*time.Second) // EXPECT kvttl

	if err := s.store.Put(ctx, lockKey, []byte(s.owner), kvstore.PutOptions{TTL: lease}); err != nil { // EXPECT kvrace
		return err
	}
	defer func() {
		if derr := s.store.Delete(context.WithoutCancel(ctx), lockKey); derr != nil {
			s.log.Warn("release send lock", "campaign", c.ID, "err", derr)
		}
	}()

	remaining, err := s.quota.Remaining(ctx, c.Account, c.Plan)
	if err != nil {
		return err
	}
	budget := min(remaining, c.Recipients)
	if budget == 0 {
		return quota.ErrExceeded
	}
	if err := s.quota.Consume(ctx, c.Account, c.Plan, budget); err != nil {
		return err
	}

	statusKey := keys.Build(keys.CampaignStatus, c.ID)
	ttl := keys.TTL(keys.CampaignStatus)
	sent := 0
	for batch, berr := range s.subs.Active(ctx, c.Account) {
		if berr != nil {
			err = berr
			break
		}
		batch = batch[:min(len(batch), budget-sent)]
		for _, sub := range batch {
			link, lerr := s.unsub.Link(ctx, unsub.Campaign{ID: c.ID, Account: c.Account, LinksExpire: c.LinksExpire}, sub.Email)
			if lerr != nil {
				return lerr
			}
			if serr := s.send.Send(ctx, c, sub, link); serr != nil {
				s.log.Warn("send", "campaign", c.ID, "to", sub.Email, "err", serr)
			}
		}
		sent += len(batch)
		if len(batch) > 0 {
			st, _ := json.Marshal(status{State: "sending", Owner: s.owner, LastEmail: batch[len(batch)-1].Email, UpdatedAt: time.Now().UTC()})
			if perr := s.store.Put(ctx, statusKey, st, kvstore.PutOptions{TTL: ttl}); perr != nil { // EXPECT kvhotkey
				s.log.Warn("campaign status", "campaign", c.ID, "err", perr)
			}
		}
		if sent >= budget {
			break
		}
	}
	final := status{State: "sent", Owner: s.owner, UpdatedAt: time.Now().UTC()}
	if err != nil {
		final.State, final.Error = "failed", err.Error()
	}
	st, _ := json.Marshal(final)
	if perr := s.store.Put(ctx, statusKey, st, kvstore.PutOptions{TTL: ttl}); perr != nil {
		s.log.Warn("campaign status", "campaign", c.ID, "err", perr)
	}
	return err
}

// Activity is one line of a campaign's live feed.
type Activity struct {
	Type  string    `json:"type"`
	Email string    `json:"email"`
	At    time.Time `json:"at"`
}

const feedLength = 50

// Observe adds an event to the campaign's live activity feed without holding
// up the webhook that reported it.
func (s *Service) Observe(ctx context.Context, campaign string, a Activity) {
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		key := keys.Build(keys.CampaignActivity, campaign)
		var feed []Activity
		raw, err := s.store.Get(ctx, key)
		if err == nil {
			_ = json.Unmarshal(raw, &feed)
		} else if !errors.Is(err, kvstore.ErrNotFound) {
			s.log.Warn("activity feed", "campaign", campaign, "err", err)
			return
		}
		feed = append([]Activity{a}, feed[:min(len(feed), feedLength-1)]...)
		out, _ := json.Marshal(feed)
		if err := s.store.Put(ctx, key, out, kvstore.PutOptions{TTL: keys.TTL(keys.CampaignActivity)}); err != nil { // EXPECT kvrace
			s.log.Warn("activity feed", "campaign", campaign, "err", err)
		}
	}()
}

func token() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// PreviewLink publishes a rendered preview that stays reachable until the
// campaign goes out.
func (s *Service) PreviewLink(ctx context.Context, c Campaign, html []byte) (string, error) {
	tok := token()
	params := cfkv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.ns.Account()),
		Value:      cloudflare.F(string(html)),
		Expiration: cloudflare.F(float64(c.SendAt.UnixMilli())), // EXPECT kvttl
		Metadata:   cloudflare.F[any](map[string]any{"campaign": c.ID, "subject": c.Subject}),
	}
	key := url.PathEscape(keys.Build(keys.PreviewLink, c.ID, tok))
	if _, err := s.ns.Client().KV.Namespaces.Values.Update(ctx, s.ns.ID(), key, params); err != nil {
		return "", err
	}
	return fmt.Sprintf("/preview/%s/%s", c.ID, tok), nil
}

// Previews lists up to max preview links of a campaign for the editor.
func (s *Service) Previews(ctx context.Context, campaign string, max int) ([]string, error) {
	pager := s.ns.Client().KV.Namespaces.Keys.ListAutoPaging(ctx, s.ns.ID(), cfkv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.ns.Account()),
		Prefix:    cloudflare.F(keys.Prefix(keys.PreviewLink, campaign)),
		Limit:     cloudflare.F(100.0),
	})
	var out []string
	for pager.Next() {
		out = append(out, pager.Current().Name)
		if len(out) >= max {
			break
		}
	}
	return out, pager.Err()
}

// PurgePreviews removes every preview of a campaign once it has been sent.
func (s *Service) PurgePreviews(ctx context.Context, campaign string) error {
	pager := s.ns.Client().KV.Namespaces.Keys.ListAutoPaging(ctx, s.ns.ID(), cfkv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.ns.Account()),
		Prefix:    cloudflare.F(keys.Prefix(keys.PreviewLink, campaign)),
	})
	var names []string
	for pager.Next() {
		names = append(names, pager.Current().Name)
	}
	if err := pager.Err(); err != nil {
		return err
	}
	for chunk := range slices.Chunk(names, kvstore.MaxBulkWrite) {
		_, err := s.ns.Client().KV.Namespaces.Keys.BulkDelete(ctx, s.ns.ID(), cfkv.NamespaceKeyBulkDeleteParams{
			AccountID: cloudflare.F(s.ns.Account()),
			Body:      chunk,
		})
		if err != nil {
			return err
		}
	}
	return nil
}
