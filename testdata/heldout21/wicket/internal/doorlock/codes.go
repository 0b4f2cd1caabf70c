//go:build js && wasm

package doorlock

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/wicket/internal/domain/patron"
	"example.com/wicket/internal/domain/rooms"
)

// Codes issues and checks codes directly against the DOORS namespace.
type Codes struct {
	kv  *cloudflare.KVNamespace
	now func() time.Time
}

func NewCodes(kv *cloudflare.KVNamespace) *Codes {
	return &Codes{kv: kv, now: time.Now}
}

func (c *Codes) store(lock, code string, g Grant, opts *cloudflare.KVNamespacePutOptions) error {
	b, err := json.Marshal(g)
	if err != nil {
		return err
	}
	return c.kv.PutString(codeKey(lock, code), string(b), opts)
}

// IssueForBooking mints a code valid for the booked slot plus fifteen
// minutes either side.
func (c *Codes) IssueForBooking(room rooms.AfterHoursRoom, p patron.ID, slot rooms.Slot) (string, error) {
	code, err := newCode(6)
	if err != nil {
		return "", err
	}
	g := Grant{
		Lock: room.LockID, Room: room.ID, Patron: p, Kind: "booking",
		NotBefore: slot.Start.Add(-15 * time.Minute),
		NotAfter:  slot.End().Add(15 * time.Minute),
	}
	return code, c.store(room.LockID, code, g, &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: max(int(time.Until(g.NotAfter).Seconds()), 60),
	})
}

// IssueVisitorPass mints a code for an accompanied visitor group.
func (c *Codes) IssueVisitorPass(room rooms.AfterHoursRoom, validUntil time.Time) (string, error) {
	code, err := newCode(8)
	if err != nil {
		return "", err
	}
	g := Grant{Lock: room.LockID, Room: room.ID, Kind: "visitor", NotBefore: c.now(), NotAfter: validUntil}
	return code, c.store(room.LockID, code, g, &cloudflare.KVNamespacePutOptions{
		Expiration: int(validUntil.UnixMilli()), // EXPECT kvttl
	})
}

// IssueStaffOverride mints a code a staff member reads out over the phone
// to someone standing at the door.
func (c *Codes) IssueStaffOverride(room rooms.AfterHoursRoom) (string, error) {
	code, err := newCode(6)
	if err != nil {
		return "", err
	}
	now := c.now()
	g := Grant{Lock: room.LockID, Room: room.ID, Kind: "override", NotBefore: now, NotAfter: now.Add(30 * time.Second)}
	return code, c.store(room.LockID, code, g, &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
	})
}

// Check answers a lock controller: may this code open this lock now?
func (c *Codes) Check(lock, code string) (Grant, error) {
	raw, err := c.kv.GetString(codeKey(lock, code), nil)
	if err != nil {
		return Grant{}, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return Grant{}, ErrUnknownCode
	}
	var g Grant
	if err := json.Unmarshal([]byte(raw), &g); err != nil {
		return Grant{}, fmt.Errorf("doorlock: grant for %s: %w", lock, err)
	}
	now := c.now()
	if !g.Valid(now) {
		return g, ErrOutsideSlot
	}
	if err := c.audit(lock, code, g, now); err != nil {
		return g, err
	}
	return g, c.countOpening(lock, now)
}

// audit keeps one entry per opening for ninety days.
func (c *Codes) audit(lock, code string, g Grant, at time.Time) error {
	key := fmt.Sprintf("door-audit:%s:%d:%s", lock, at.UnixNano(), code)
	b, _ := json.Marshal(struct {
		Grant
		At time.Time `json:"at"`
	}{g, at})
	return c.kv.PutString(key, string(b), &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: 90 * 24 * 60 * 60,
	})
}

// countOpening keeps the daily opening count each lock reports to facilities.
func (c *Codes) countOpening(lock string, at time.Time) error {
	key := "door-openings:" + lock + ":" + at.UTC().Format("2006-01-02")
	raw, err := c.kv.GetString(key, nil)
	if err != nil {
		return err
	}
	var n int64
	if raw != "<null>" {
		if n, err = strconv.ParseInt(raw, 10, 64); err != nil {
			return err
		}
	}
	n++
	return c.kv.PutString(key, strconv.FormatInt(n, 10), &cloudflare.KVNamespacePutOptions{ // EXPECT kvcounter
		ExpirationTTL: 35 * 24 * 60 * 60,
	})
}
