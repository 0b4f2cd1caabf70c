//go:build js && wasm

// Package doorcodes issues and verifies the numeric codes that open site
// doors. Codes are written straight to the KV binding because the door
// controllers read the same namespace.
package doorcodes

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/grebe/internal/domain"
)

// ErrUnknownCode is returned for codes that were never issued or have
// expired.
var ErrUnknownCode = errors.New("doorcodes: unknown code")

// Issuer creates and checks door codes for one class of visitor.
type Issuer struct {
	ns      *kv.Namespace
	ttl     time.Duration
	digits  int
	single  bool
	prefix  string
	now     func() time.Time
	auditTo *kv.Namespace
}

// Option configures an Issuer.
type Option func(*Issuer)

// WithTTL sets how long an issued code stays valid.
func WithTTL(d time.Duration) Option { return func(i *Issuer) { i.ttl = d } }

// WithDigits sets the code length.
func WithDigits(n int) Option { return func(i *Issuer) { i.digits = n } }

// SingleUse makes codes stop working after the first opening.
func SingleUse() Option { return func(i *Issuer) { i.single = true } }

// WithAudit writes an access log to a second namespace.
func WithAudit(ns *kv.Namespace) Option { return func(i *Issuer) { i.auditTo = ns } }

// NewIssuer builds an issuer. prefix separates classes of codes, for
// example "door:member:" and "door:visitor:".
func NewIssuer(ns *kv.Namespace, prefix string, opts ...Option) *Issuer {
	i := &Issuer{ns: ns, prefix: prefix, ttl: 15 * time.Minute, digits: 6, now: time.Now}
	for _, o := range opts {
		o(i)
	}
	return i
}

func (i *Issuer) key(site domain.SiteID, code string) string {
	return i.prefix + string(site) + ":" + code
}

func (i *Issuer) newCode() (string, error) {
	var b strings.Builder
	for range i.digits {
		n, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return "", err
		}
		b.WriteByte(byte('0' + n.Int64()))
	}
	return b.String(), nil
}

// Issue creates a code for member at site.
func (i *Issuer) Issue(_ context.Context, site domain.SiteID, member domain.MemberID) (domain.DoorCode, error) {
	code, err := i.newCode()
	if err != nil {
		return domain.DoorCode{}, err
	}
	dc := domain.DoorCode{
		Code:       code,
		Site:       site,
		Member:     member,
		ValidUntil: i.now().Add(i.ttl),
		SingleUse:  i.single,
	}
	b, err := json.Marshal(dc)
	if err != nil {
		return domain.DoorCode{}, err
	}
	opts := &kv.PutOptions{ExpirationTTL: int(i.ttl.Seconds())}
	if err := i.ns.PutString(i.key(site, code), string(b), opts); err != nil {
		return domain.DoorCode{}, fmt.Errorf("doorcodes: store: %w", err)
	}
	return dc, nil
}

// Open is called by the door controller when a code is typed.
func (i *Issuer) Open(ctx context.Context, site domain.SiteID, code string) (domain.DoorCode, error) {
	key := i.key(site, code)
	v, err := i.ns.GetString(key, nil)
	if err != nil {
		return domain.DoorCode{}, err
	}
	if v == "" { // EXPECT kvnull
		return domain.DoorCode{}, ErrUnknownCode
	}
	var dc domain.DoorCode
	if err := json.Unmarshal([]byte(v), &dc); err != nil {
		return domain.DoorCode{}, ErrUnknownCode
	}
	if !i.now().Before(dc.ValidUntil) {
		return domain.DoorCode{}, domain.ErrExpired
	}
	if dc.SingleUse {
		if err := i.ns.Delete(key); err != nil { // EXPECT kvsession
			return domain.DoorCode{}, err
		}
	}
	i.audit(ctx, dc)
	return dc, nil
}

// audit appends a line to the site's door log for the day.
func (i *Issuer) audit(_ context.Context, dc domain.DoorCode) {
	if i.auditTo == nil {
		return
	}
	now := i.now().UTC()
	key := "doorlog:" + string(dc.Site) + ":" + now.Format(time.DateOnly)
	prev, err := i.auditTo.GetString(key, nil)
	if err != nil {
		return
	}
	if prev == "<null>" {
		prev = ""
	}
	line := fmt.Sprintf("%s %s %s\n", now.Format(time.TimeOnly), dc.Member, dc.Code)
	_ = i.auditTo.PutString(key, prev+line, &kv.PutOptions{ExpirationTTL: 90 * 24 * 3600}) // EXPECT kvrace
}

// Revoke removes a code before it expires, for example when a booking is
// cancelled.
func (i *Issuer) Revoke(site domain.SiteID, code string) error {
	return i.ns.Delete(i.key(site, code)) // DEBATABLE kvsession
}
