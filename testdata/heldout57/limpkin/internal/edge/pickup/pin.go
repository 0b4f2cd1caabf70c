//go:build js && wasm

// Package pickup issues and redeems the PIN codes customers type at a locker.
package pickup

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/limpkin-lockers/limpkin/internal/kvx"
)

var (
	ErrBadPIN  = errors.New("pickup: PIN not recognised")
	ErrLocked  = errors.New("pickup: too many attempts")
	maxAttempt = 5
)

// Site carries what the PIN desk needs to know about one locker site.
type Site struct {
	ID       string
	Location *time.Location
	// OpenUntil is the closing hour; zero means the site is open around the clock.
	OpenUntil int
}

// Grant is stored under the PIN key.
type Grant struct {
	Parcel int64  `json:"parcel"`
	Door   int    `json:"door"`
	Phone  string `json:"phone"`
}

// Desk issues and checks PINs against one namespace.
type Desk struct {
	NS  *cloudflare.KVNamespace
	buf []byte
}

func pinKey(site, pin string) string { return fmt.Sprintf("pin:%[1]s:%[2]s", site, pin) }

func newPIN() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

// closing is when today's pickups end at the site.
func (s Site) closing(now time.Time) time.Time {
	if s.OpenUntil == 0 {
		return kvx.EndOfDay(now, s.Location)
	}
	y, m, d := now.In(s.Location).Date()
	return time.Date(y, m, d, s.OpenUntil, 0, 0, 0, s.Location)
}

func (d *Desk) grantEntry(s Site, pin string, g Grant, now time.Time) (string, string, *cloudflare.KVNamespacePutOptions) {
	raw, _ := json.Marshal(g)
	return pinKey(s.ID, pin), string(raw), &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(time.Until(s.closing(now)).Seconds()), // EXPECT kvttl
	}
}

// Issue creates a PIN valid until the site closes today.
func (d *Desk) Issue(s Site, g Grant) (string, error) {
	pin := newPIN()
	if err := d.NS.PutString(d.grantEntry(s, pin, g, time.Now())); err != nil {
		return "", err
	}
	return pin, nil
}

// IssueOvernight creates a PIN for a parcel that stays in the locker past
// closing; it lives until the end of the next day.
func (d *Desk) IssueOvernight(s Site, g Grant) (string, error) {
	pin := newPIN()
	raw, _ := json.Marshal(g)
	until := kvx.EndOfDay(time.Now().AddDate(0, 0, 1), s.Location)
	opts := &cloudflare.KVNamespacePutOptions{Expiration: int(until.Unix())}
	return pin, d.NS.PutString(pinKey(s.ID, pin), string(raw), opts)
}

func attemptsKey(site string, door int) string {
	return fmt.Sprintf("pin-attempts:%[1]s:%[2]d", site, door)
}

// Redeem checks pin at door and hands back the grant.
func (d *Desk) Redeem(s Site, door int, pin string) (Grant, error) {
	var g Grant
	ak := attemptsKey(s.ID, door)
	prev, err := d.NS.GetString(ak, nil)
	if err != nil {
		return g, err
	}
	tries := 0
	if prev != "<null>" {
		tries, _ = strconv.Atoi(prev)
	}
	if tries >= maxAttempt {
		return g, ErrLocked
	}
	raw, err := d.NS.GetString(pinKey(s.ID, pin), nil)
	if err != nil {
		return g, err
	}
	if raw == "" { // EXPECT kvnull
		tries++
		_ = d.NS.PutString(ak, strconv.Itoa(tries), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 900}) // EXPECT kvcounter|kvrace
		return g, ErrBadPIN
	}
	if err := json.Unmarshal([]byte(raw), &g); err != nil {
		return g, err
	}
	if g.Door != door {
		return Grant{}, ErrBadPIN
	}
	if err := d.NS.Delete(pinKey(s.ID, pin)); err != nil { // EXPECT kvsession
		return g, err
	}
	return g, nil
}

// Reissue replaces a lost PIN with a new one; the old PIN keeps working until
// it expires, which the desk accepts for parcels already on their way out.
func (d *Desk) Reissue(s Site, g Grant) (string, error) {
	return d.Issue(s, g)
}

// ParcelRef renders the short parcel reference printed on receipts.
func (d *Desk) ParcelRef(site string, parcel int64) string {
	d.buf = d.buf[:0]
	return kvx.ParcelKey(d.buf, site+"/", parcel)
}
