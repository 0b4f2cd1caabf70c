// Package customdomain lets organisers serve their conference site from
// their own hostname. Ownership is proven with a DNS TXT record holding a
// token Lattice issued; the token and the hostname mapping live in KV, where
// the edge router reads them on every request.
package customdomain

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/cfkv"
)

var (
	// ErrHostnameClaimed is returned when another conference uses the hostname.
	ErrHostnameClaimed = errors.New("customdomain: hostname already claimed")
	// ErrNoChallenge is returned when no challenge is pending.
	ErrNoChallenge = errors.New("customdomain: no pending challenge")
)

// Status of a hostname.
type Status int

const (
	StatusUnknown Status = iota
	StatusPending
	StatusVerified
)

// Challenge is what the organiser has to publish in DNS.
type Challenge struct {
	Host       conf.Hostname     `json:"host"`
	Conference conf.ConferenceID `json:"conference"`
	Token      string            `json:"token"`
	RecordName string            `json:"record_name"`
	IssuedAt   time.Time         `json:"issued_at"`
}

// Resolver looks up TXT records. *net.Resolver satisfies it.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

var _ Resolver = (*net.Resolver)(nil)

// Verifier issues and checks challenges.
type Verifier struct {
	t        cfkv.Target
	resolver Resolver
	now      func() time.Time
}

// NewVerifier returns a Verifier on namespace t.
func NewVerifier(t cfkv.Target, r Resolver) *Verifier {
	return &Verifier{t: t, resolver: r, now: time.Now}
}

func (v *Verifier) values() *kv.NamespaceValueService { return v.t.Client.KV.Namespaces.Values }

func challengeKey(h conf.Hostname) string { return "challenge:" + string(h) }
func hostKey(h conf.Hostname) string      { return "host:" + string(h) }
func verifiedKey(h conf.Hostname) string  { return "verified:" + string(h) }
func attemptsKey(h conf.Hostname) string  { return "attempts:" + string(h) }

func (v *Verifier) get(ctx context.Context, key string) (*http.Response, error) {
	return v.values().Get(ctx, v.t.NamespaceID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(v.t.AccountID)})
}

// Issue creates a challenge valid for three days.
func (v *Verifier) Issue(ctx context.Context, c conf.ConferenceID, h conf.Hostname) (Challenge, error) {
	ch := Challenge{
		Host:       h,
		Conference: c,
		Token:      "lattice-verify=" + rand.Text(),
		RecordName: "_lattice-challenge." + string(h),
		IssuedAt:   v.now(),
	}
	body, err := json.Marshal(ch)
	if err != nil {
		return Challenge{}, err
	}
	_, err = v.values().Update(ctx, v.t.NamespaceID, challengeKey(h), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(v.t.AccountID),
		Value:         cloudflare.F(string(body)),
		ExpirationTTL: cloudflare.F(float64(72 * 60 * 60)),
		Metadata:      cloudflare.F[any](map[string]any{"conference": string(c)}),
	})
	return ch, err
}

// Claim maps a hostname to a conference, refusing if it is already mapped.
func (v *Verifier) Claim(ctx context.Context, c conf.ConferenceID, h conf.Hostname) error {
	res, err := v.get(ctx, hostKey(h))
	if err == nil {
		res.Body.Close()
		return fmt.Errorf("%s: %w", h, ErrHostnameClaimed)
	}
	if !cfkv.IsNotFound(err) {
		return err
	}
	_, err = v.values().Update(ctx, v.t.NamespaceID, hostKey(h), kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(v.t.AccountID),
		Value:     cloudflare.F(string(c)),
	})
	return err
}

// Verify checks DNS for the challenge token. On success the hostname is
// marked verified and the challenge is consumed.
func (v *Verifier) Verify(ctx context.Context, h conf.Hostname) (bool, error) {
	res, err := v.get(ctx, challengeKey(h))
	if cfkv.IsNotFound(err) {
		return false, ErrNoChallenge
	}
	if err != nil {
		return false, err
	}
	var ch Challenge
	err = json.NewDecoder(res.Body).Decode(&ch)
	res.Body.Close()
	if err != nil {
		return false, err
	}
	txts, err := v.resolver.LookupTXT(ctx, ch.RecordName)
	if err != nil {
		var dnsErr *net.DNSError
		if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
			return false, err
		}
	}
	if !slices.Contains(txts, ch.Token) {
		return false, v.countFailure(ctx, h)
	}
	_, err = v.values().Update(ctx, v.t.NamespaceID, verifiedKey(h), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(v.t.AccountID),
		Value:     cloudflare.F(v.now().UTC().Format(time.RFC3339)),
		Metadata:  cloudflare.F[any](map[string]any{"conference": string(ch.Conference)}),
	})
	if err != nil {
		return false, err
	}
	_, err = v.values().Delete(ctx, v.t.NamespaceID, challengeKey(h), kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(v.t.AccountID),
	})
	return err == nil, err
}

// countFailure keeps the number of failed checks, shown to support staff.
func (v *Verifier) countFailure(ctx context.Context, h conf.Hostname) error {
	n := 0
	res, err := v.get(ctx, attemptsKey(h))
	switch {
	case err == nil:
		b, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return rerr
		}
		if n, err = strconv.Atoi(string(b)); err != nil {
			return err
		}
	case !cfkv.IsNotFound(err):
		return err
	}
	_, err = v.values().Update(ctx, v.t.NamespaceID, attemptsKey(h), kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(v.t.AccountID),
		Value:         cloudflare.F(strconv.Itoa(n + 1)),
		ExpirationTTL: cloudflare.F(float64(7 * 24 * 3600)),
	})
	return err
}

// Status reports where a hostname stands.
func (v *Verifier) Status(ctx context.Context, h conf.Hostname) (Status, error) {
	res, err := v.get(ctx, verifiedKey(h))
	if err != nil {
		return StatusUnknown, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return StatusPending, nil
	}
	return StatusVerified, nil
}
