package policy

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"kahu/internal/kv"
	"kahu/internal/mail"
)

// DomainRecord is what the dashboard writes when a customer verifies a
// sending domain (SPF include, DKIM selector and return-path CNAME checked).
type DomainRecord struct {
	Customer   string    `json:"customer"`
	Domain     string    `json:"domain"`
	DKIM       string    `json:"dkim_selector"`
	VerifiedAt time.Time `json:"verified_at"`
	Blocked    bool      `json:"blocked,omitempty"`
}

// SenderDomainVerified is satisfied when the envelope sender's domain is
// verified for the authenticated customer.
type SenderDomainVerified struct {
	Domains kv.Namespace
}

func (s SenderDomainVerified) IsSatisfiedBy(ctx context.Context, msg *mail.Message) (bool, error) {
	raw, err := s.Domains.Get(ctx, "domain:"+mail.Domain(msg.From))
	if err != nil {
		return false, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return false, nil
	}
	var rec DomainRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return false, err
	}
	return rec.Customer == msg.AuthUser && !rec.VerifiedAt.IsZero(), nil
}

// DomainBlocked is satisfied when the sender's domain has been blocked by
// trust & safety. Unknown domains are not blocked; a miss is cached for a
// while so that unverified senders do not cost a read per message.
type DomainBlocked struct {
	Domains kv.Namespace
}

func (s DomainBlocked) IsSatisfiedBy(ctx context.Context, msg *mail.Message) (bool, error) {
	d := mail.Domain(msg.From)
	if _, err := s.Domains.Get(ctx, "domain:neg:"+d); err == nil {
		return false, nil
	}
	raw, err := s.Domains.Get(ctx, "domain:"+d)
	if errors.Is(err, kv.ErrNotFound) {
		_ = s.Domains.PutTTL(ctx, "domain:neg:"+d, []byte("1"), 5*time.Minute)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var rec DomainRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return false, err
	}
	return rec.Blocked, nil
}

// StatsSource computes a sender's recent delivery statistics from the
// delivery database.
type StatsSource interface {
	DeliveryStats(ctx context.Context, domain string, since time.Time) (sent, bounced, complained int, err error)
}

// Reputation is satisfied when the sender domain's 7-day bounce and complaint
// rates are below the thresholds. Scores are computed from the delivery
// database and cached in KV.
type Reputation struct {
	Cache        kv.Namespace
	Stats        StatsSource
	MaxBounce    float64
	MaxComplaint float64
	CacheFor     time.Duration
}

type repScore struct {
	Bounce    float64 `json:"b"`
	Complaint float64 `json:"c"`
	Sample    int     `json:"n"`
}

func (r Reputation) IsSatisfiedBy(ctx context.Context, msg *mail.Message) (bool, error) {
	d := mail.Domain(msg.From)
	raw, err := r.Cache.Remember(ctx, "rep:"+d, r.CacheFor, func(ctx context.Context) ([]byte, error) {
		sent, bounced, complained, err := r.Stats.DeliveryStats(ctx, d, time.Now().AddDate(0, 0, -7))
		if err != nil {
			return nil, err
		}
		sc := repScore{Sample: sent}
		if sent > 0 {
			sc.Bounce = float64(bounced) / float64(sent)
			sc.Complaint = float64(complained) / float64(sent)
		}
		return json.Marshal(sc)
	})
	if err != nil {
		return false, err
	}
	var sc repScore
	if err := json.Unmarshal(raw, &sc); err != nil {
		return false, err
	}
	if sc.Sample < 200 {
		return true, nil // too little traffic to judge
	}
	return sc.Bounce <= r.MaxBounce && sc.Complaint <= r.MaxComplaint, nil
}

// WithinDailyQuota is satisfied while the customer's messages today, plus
// this message's recipients, stay within the plan's daily limit.
type WithinDailyQuota struct {
	Quotas kv.Namespace
	Limit  func(customer string) int
}

// DailyQuotaKey is the key of a customer's sent counter for day.
func DailyQuotaKey(customer string, day time.Time) string {
	return "quota:day:" + customer + ":" + day.UTC().Format("20060102")
}

func (q WithinDailyQuota) IsSatisfiedBy(ctx context.Context, msg *mail.Message) (bool, error) {
	raw, err := q.Quotas.Get(ctx, DailyQuotaKey(msg.AuthUser, msg.ReceivedAt))
	used := 0
	switch {
	case errors.Is(err, kv.ErrNotFound):
	case err != nil:
		return false, err
	default:
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return false, err
		}
	}
	return used+len(msg.Recipients) <= q.Limit(msg.AuthUser), nil
}

// Suppressions answers whether a customer may send to a recipient.
type Suppressions struct {
	NS kv.Namespace
}

// SuppressionKey is the key under which a suppressed recipient is recorded.
func SuppressionKey(customer, rcpt string) string {
	return "supp:" + customer + ":" + mail.Fingerprint(mail.Normalize(rcpt))
}

// Suppressed reports whether rcpt is on the customer's suppression list.
func (s Suppressions) Suppressed(ctx context.Context, customer, rcpt string) (bool, error) {
	_, err := s.NS.Get(ctx, SuppressionKey(customer, rcpt))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, kv.ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}

// NoneSuppressed is satisfied when no recipient is suppressed.
func (s Suppressions) NoneSuppressed() Spec {
	return SpecFunc(func(ctx context.Context, msg *mail.Message) (bool, error) {
		for _, r := range msg.Recipients {
			sup, err := s.Suppressed(ctx, msg.AuthUser, r)
			if err != nil || sup {
				return false, err
			}
		}
		return true, nil
	})
}
