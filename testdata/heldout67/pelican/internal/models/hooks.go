package models

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"gorm.io/gorm"

	"github.com/pelicanhq/pelican/internal/kvstore"
)

const (
	// verificationWindow is how long an emailed confirmation link works.
	verificationWindow = 48 * time.Hour
	// sessionIdle is the sliding idle timeout of a portal session.
	sessionIdle = 30 * time.Minute
)

// planTermsSummary travels with every plan record so the edge can show it on
// 429 pages without a second lookup.
const planTermsSummary = "Requests above the per-minute limit are rejected with HTTP 429 and a Retry-After header. " +
	"Requests above the daily limit are rejected until 00:00 UTC. Usage is metered per API key and is visible in the developer portal " +
	"within five minutes. Overage on paid plans is billed at the end of the calendar month at the rate listed on the pricing page; " +
	"free plans are never billed for overage and are throttled instead. Keys that stay above 150% of the daily limit for three " +
	"consecutive days may be suspended after an email warning to the account owner. Limits apply per key, not per account, and " +
	"cannot be pooled across keys unless the account is on the Enterprise plan with pooled quotas enabled by support. Burst " +
	"allowances of up to twice the per-minute limit are granted for at most ten seconds. Batch endpoints count each item in the " +
	"batch as one request. Webhook deliveries do not count against any limit. Sandbox keys share the limits of the plan but their " +
	"usage is not billed. Retries caused by 5xx responses from Pelican are not counted. All limits may change with 30 days notice."

type planMeta struct {
	Name  string `json:"name"`
	Terms string `json:"terms"`
}

// BeforeCreate claims the developer's portal slug at the edge so that
// <slug>.pelican.dev resolves as soon as the account exists.
func (d *Developer) BeforeCreate(tx *gorm.DB) error {
	ctx := tx.Statement.Context
	key := "slug:" + d.Slug
	if _, err := Edge.Get(ctx, key); err == nil {
		return ErrSlugTaken
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return Edge.Put(ctx, key, []byte(strconv.FormatUint(uint64(d.ID), 10)+":"+d.Email), 0) // EXPECT kvrace
}

// BeforeUpdate moves the edge slug claim when a developer renames their
// portal. The database's unique index has already rejected duplicates.
func (d *Developer) BeforeUpdate(tx *gorm.DB) error {
	if !tx.Statement.Changed("Slug") {
		return nil
	}
	ctx := tx.Statement.Context
	var old Developer
	if err := tx.Session(&gorm.Session{NewDB: true}).Select("slug").First(&old, d.ID).Error; err != nil {
		return err
	}
	if err := Edge.Put(ctx, "slug:"+d.Slug, []byte(strconv.FormatUint(uint64(d.ID), 10)+":"+d.Email), 0); err != nil {
		return err
	}
	return Edge.Delete(ctx, "slug:"+old.Slug)
}

// AfterCreate publishes a new API key to the edge.
func (k *APIKey) AfterCreate(tx *gorm.DB) error {
	body, err := k.edgeRecord()
	if err != nil {
		return err
	}
	return Edge.Put(tx.Statement.Context, KeyName(k.Hash), body, 0)
}

// AfterUpdate republishes the key, or records its revocation.
func (k *APIKey) AfterUpdate(tx *gorm.DB) error {
	ctx := tx.Statement.Context
	if k.RevokedAt != nil {
		return Edge.Put(ctx, "revoked_tokens:"+k.Hash, []byte(k.RevokedAt.UTC().Format(time.RFC3339)), 0) // EXPECT kvsession
	}
	body, err := k.edgeRecord()
	if err != nil {
		return err
	}
	return Edge.Put(ctx, KeyName(k.Hash), body, 0)
}

// AfterDelete removes a soft-deleted key from the edge.
func (k *APIKey) AfterDelete(tx *gorm.DB) error {
	return Edge.Delete(tx.Statement.Context, KeyName(k.Hash)) // DEBATABLE kvsession
}

// AfterSave publishes plan limits and adds the plan to the edge's index.
func (p *Plan) AfterSave(tx *gorm.DB) error {
	ctx := tx.Statement.Context
	body, err := p.edgeRecord()
	if err != nil {
		return err
	}
	meta := planMeta{
		Name:  p.Name,
		Terms: planTermsSummary, // EXPECT kvlimits
	}
	if err := Edge.PutMeta(ctx, PlanName(p.Code), body, meta, 0); err != nil {
		return err
	}
	return Edge.AppendUnique(ctx, "plans:index", p.Code)
}

// AfterCreate mirrors a new portal session to the edge.
func (s *Session) AfterCreate(tx *gorm.DB) error {
	body, err := s.edgeRecord()
	if err != nil {
		return err
	}
	return Edge.Put(tx.Statement.Context, "sess:"+s.ID, body, time.Until(s.ExpiresAt)) // EXPECT kvttl
}

// AfterFind slides the idle timeout of a session each time it is loaded.
func (s *Session) AfterFind(tx *gorm.DB) error {
	if s.ExpiresAt.Before(time.Now()) {
		return nil
	}
	s.LastSeenAt = time.Now()
	s.ExpiresAt = s.LastSeenAt.Add(sessionIdle)
	body, err := s.edgeRecord()
	if err != nil {
		return err
	}
	if err := tx.Session(&gorm.Session{NewDB: true, SkipHooks: true}).Model(s).
		Updates(map[string]any{"last_seen_at": s.LastSeenAt, "expires_at": s.ExpiresAt}).Error; err != nil {
		return err
	}
	return Edge.Put(tx.Statement.Context, "sess:"+s.ID, body, sessionIdle) // EXPECT kvsession
}

// AfterCreate publishes the verification token so the edge can confirm the
// address without a round trip.
func (v *EmailVerification) AfterCreate(tx *gorm.DB) error {
	body := []byte(fmt.Sprintf(`{"dev":%d,"email":%q}`, v.DeveloperID, v.Email))
	params := Edge.Params(body)
	params.ExpirationTTL = cloudflare.F(float64(verificationWindow)) // EXPECT kvttl
	return Edge.PutParams(tx.Statement.Context, "verify:"+v.Token, params)
}

// AfterCreate refreshes the key's running total for the portal dashboard.
func (u *UsageRecord) AfterCreate(tx *gorm.DB) error {
	var total int64
	if err := tx.Session(&gorm.Session{NewDB: true}).Model(&UsageRecord{}).
		Where("key_hash = ? AND day = ?", u.KeyHash, u.Day).
		Select("COALESCE(SUM(requests), 0)").Scan(&total).Error; err != nil {
		return err
	}
	key := fmt.Sprintf("usage_total:%s:%s", u.KeyHash, u.Day)
	return Edge.Put(tx.Statement.Context, key, []byte(strconv.FormatInt(total, 10)), 72*time.Hour) // DEBATABLE kvcounter
}
