// Package badges issues, prints and revokes attendee badges. It runs in the
// organiser backend and writes the badge records the door Worker reads.
package badges

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"time"

	"github.com/confhub/puffin/internal/domain"
	"github.com/confhub/puffin/internal/keys"
	"github.com/confhub/puffin/internal/kvx"
)

// printRun is how many blank walk-in badges the print shop produces per event.
const printRun = 12_000

// Badges manages the badge records of all events.
type Badges struct {
	kv     *kvx.Store
	secret []byte
}

// New returns the badge service. secret signs the QR payloads.
func New(store *kvx.Store, secret []byte) *Badges {
	return &Badges{kv: store, secret: secret}
}

// Issue creates the badge of a registered attendee.
func (b *Badges) Issue(ctx context.Context, a domain.Attendee) (domain.Badge, error) {
	badge := domain.Badge{
		Event: a.Event, ID: newBadgeID(), AttendeeID: a.ID, Name: a.Name,
		Company: a.Company, Ticket: a.Ticket, Status: domain.BadgeIssued,
	}
	if err := kvx.Save(ctx, b.kv, badge); err != nil {
		return domain.Badge{}, fmt.Errorf("issue badge for %s: %w", a.ID, err)
	}
	return badge, nil
}

// QR returns the payload printed on the badge.
func (b *Badges) QR(k keys.BadgeKey) string {
	mac := hmac.New(sha256.New, b.secret)
	mac.Write([]byte(k.Event + "." + k.ID))
	return k.Event + "." + k.ID + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:12])
}

// update loads a badge, applies fn and stores the result.
func (b *Badges) update(ctx context.Context, k keys.BadgeKey, fn func(*domain.Badge)) error {
	badge, err := kvx.Load[domain.Badge](ctx, b.kv, k)
	if err != nil {
		return fmt.Errorf("badge %s: %w", k, err)
	}
	fn(&badge)
	return kvx.Save(ctx, b.kv, badge) // EXPECT kvrace
}

// MarkPrinted records that the badge left the printer.
func (b *Badges) MarkPrinted(ctx context.Context, k keys.BadgeKey, _ string) error {
	now := time.Now().UTC()
	return b.update(ctx, k, func(x *domain.Badge) {
		x.Status = domain.BadgePrinted
		x.PrintedAt = now
	})
}

// Reprint records a replacement badge, e.g. for a misspelt name.
func (b *Badges) Reprint(ctx context.Context, k keys.BadgeKey, reason string) error {
	return b.update(ctx, k, func(x *domain.Badge) {
		x.Status = domain.BadgePrinted
		x.PrintedAt = time.Now().UTC()
		x.Notes = append(x.Notes, "reprint: "+reason)
	})
}

// Revoke stops a badge at the doors, e.g. after a refund or a code of
// conduct decision.
func (b *Badges) Revoke(ctx context.Context, k keys.BadgeKey, reason string) error {
	if err := b.update(ctx, k, func(x *domain.Badge) {
		x.Status = domain.BadgeRevoked
		x.Notes = append(x.Notes, "revoked: "+reason)
	}); err != nil {
		return err
	}
	return b.kv.Put(ctx, k.Revoked().String(), []byte(reason), 0) // DEBATABLE kvsession
}

// Restore lifts a revocation.
func (b *Badges) Restore(ctx context.Context, k keys.BadgeKey, reason string) error {
	if err := b.kv.Delete(ctx, k.Revoked().String()); err != nil {
		return err
	}
	return b.update(ctx, k, func(x *domain.Badge) {
		x.Status = domain.BadgeIssued
		x.Notes = append(x.Notes, "restored: "+reason)
	})
}

// RecordView counts how often organisers opened the badge in the dashboard.
func (b *Badges) RecordView(ctx context.Context, k keys.BadgeKey) error {
	views := 0
	raw, err := b.kv.Get(ctx, k.Views().String())
	switch {
	case err == nil:
		views, _ = strconv.Atoi(string(raw))
	case !kvx.IsNotFound(err):
		return err
	}
	return b.kv.Put(ctx, k.Views().String(), []byte(strconv.Itoa(views+1)), 0) // EXPECT kvcounter
}

// PreMint creates the blank walk-in badges of an event in one request so
// the desk can print them without a round trip.
func (b *Badges) PreMint(ctx context.Context, event string) error {
	pairs := make([]kvx.Pair, 0, printRun)
	for i := 0; i < printRun; i++ {
		badge := domain.Badge{Event: event, ID: fmt.Sprintf("W%05d", i), Ticket: "walkin", Status: domain.BadgeIssued}
		pairs = append(pairs, kvx.TextPair(badge.Key(), `{"status":"issued","ticket":"walkin"}`, badge.TTL()))
	}
	return b.kv.BulkPut(ctx, pairs) // EXPECT kvlimits
}

func newBadgeID() string {
	var raw [9]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(raw[:])
}
